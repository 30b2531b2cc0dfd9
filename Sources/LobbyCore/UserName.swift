/// A validated display name: what a session identifies as, and the key of presence.
///
/// `init(validating:)` is the only way to make a new one, so everything downstream (presence,
/// the member list, the store) can trust that a name is short, visible, one word, and free of
/// characters that could disguise it. The rules:
///
/// - Leading and trailing whitespace and newlines are trimmed.
/// - No whitespace inside: `/msg NAME text` must find where the name ends.
/// - 1 to ``maximumLength`` characters (grapheme clusters) and at most ``maximumBytes`` bytes
///   of UTF-8 remain: a "character" of six hundred combining marks is one character but not a
///   short name.
/// - No control characters (C0, DEL, C1), no line or paragraph separators, no noncharacters,
///   no format characters (general category Cf: bidi controls can reorder the text around
///   the name, zero-width characters hide inside it).
/// - No default-ignorable code point anywhere (Unicode's `Default_Ignorable_Code_Point`:
///   variation selectors, U+034F COMBINING GRAPHEME JOINER, joiners, Hangul fillers,
///   Mongolian and Khmer invisible marks…): each draws nothing, so `alice` followed by one is
///   `alice` on every screen. This also refuses emoji ZWJ sequences and emoji variation
///   selectors: a name is for telling people apart, and those are where look-alikes hide.
/// - No blank look-alikes that are letters or symbols by category but draw nothing
///   (BRAILLE PATTERN BLANK U+2800).
/// - At least one letter or digit.
///
/// Equality is by ``skeleton`` (Unicode TS #39): `alice`, `Alice`, Cyrillic `аlice` and
/// fullwidth `ａｌｉｃｅ` are one user, whichever form its owner typed; ``rawValue`` keeps that
/// form for display.
///
/// Names stored before these rules (a claim of `al ice`) stay usable by their owners through
/// ``init(previouslyClaimed:)``, which the server only uses for a name whose claim's token the
/// identity carries.
public struct UserName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The most characters (grapheme clusters) a name may have after trimming.
    public static let maximumLength = 32
    /// The most bytes of UTF-8 a name may have after trimming.
    public static let maximumBytes = 64

    /// The trimmed, validated name, as its owner typed it.
    public let rawValue: String
    /// What the name looks like (``NameSkeleton``): the key of equality, claims and presence.
    public let skeleton: String
    /// `rawValue` lowercased once, here: member lists are sorted on every join, and lowercasing
    /// inside the comparator dominated identify at ten thousand users.
    private let sortKey: String

    /// Validates a name as a user typed it.
    ///
    /// ```swift
    /// let name = try UserName(validating: "  alice \n")  // "alice"
    /// ```
    public init(validating raw: String) throws(NameError) {
        let name = Self.trimmed(raw)
        guard !name.isEmpty else { throw .empty }
        if let scalar = name.unicodeScalars.first(where: { NameError.Forbidden($0) != nil }) {
            throw .forbiddenCharacter(scalar)
        }
        guard !name.unicodeScalars.contains(where: \.properties.isWhitespace) else { throw .whitespaceInside }
        guard name.unicodeScalars.contains(where: Self.isLetterOrDigit) else { throw .noLetterOrDigit }
        guard name.count <= Self.maximumLength else { throw .tooLong }
        guard name.utf8.count <= Self.maximumBytes else { throw .tooManyBytes }
        self.init(trusted: name)
    }

    /// A name that passed the rules in force before the current ones (no control, line-break,
    /// bidi or noncharacter scalars; at most ``maximumLength`` characters): for a name already
    /// claimed then, whose owner proves it with the claim's token. Never for a new name.
    public init(previouslyClaimed raw: String) throws(NameError) {
        let name = Self.trimmed(raw)
        guard !name.isEmpty else { throw .empty }
        for scalar in name.unicodeScalars {
            switch NameError.Forbidden(scalar) {
            case nil, .format?, .defaultIgnorable?, .blankFiller?: continue
            case .some: throw .forbiddenCharacter(scalar)
            }
        }
        guard name.count <= Self.maximumLength else { throw .tooLong }
        self.init(trusted: name)
    }

    /// A name read back from the store or the room log, or named by a peer as a recipient: valid
    /// under the current rules or under the earlier ones (the store holds names of both). Nil
    /// for a name neither allows (written by hand into the database).
    public init?(stored raw: String) {
        if let name = try? UserName(validating: raw) {
            self = name
        } else if let name = try? UserName(previouslyClaimed: raw) {
            self = name
        } else {
            return nil
        }
    }

    private init(trusted name: String) {
        rawValue = name
        skeleton = NameSkeleton.of(name)
        sortKey = name.lowercased()
    }

    public static func == (lhs: UserName, rhs: UserName) -> Bool {
        lhs.skeleton == rhs.skeleton
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(skeleton)
    }

    public var description: String { rawValue }

    /// Case-insensitive first, so `bob` sorts between `Alice` and `Carol`; exact order breaks
    /// ties, so the order is total and stable.
    public static func < (lhs: UserName, rhs: UserName) -> Bool {
        lhs.sortKey != rhs.sortKey ? lhs.sortKey < rhs.sortKey : lhs.rawValue < rhs.rawValue
    }

    private static func trimmed(_ raw: String) -> String {
        var trimmed = Substring(raw)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        return String(trimmed)
    }

    private static func isLetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            true
        default: false
        }
    }
}
