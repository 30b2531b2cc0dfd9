/// A validated display name: what a session identifies as, and the key of presence.
///
/// `init(validating:)` is the only way to make one, so everything downstream (presence, the
/// member list, the store) can trust that a name is short, visible and free of characters that
/// could disguise it. The rules:
///
/// - Leading and trailing whitespace and newlines are trimmed.
/// - 1 to ``maximumLength`` characters remain, counted as user-perceived characters
///   (grapheme clusters), so `👩‍💻` or `é` count once however many scalars they take.
/// - No control characters (C0, DEL, C1), no line or paragraph separators, no noncharacters.
/// - No format characters (general category Cf): bidi embeddings, overrides, isolates and marks
///   (U+061C, U+200E, U+200F, U+202A–202E, U+2066–2069) can reorder how a name and the text
///   around it render; zero-width spaces and joiners (U+200B, U+200C, U+2060, U+FEFF, soft
///   hyphen…) hide inside a name so `ali\u{200B}ce` impersonates `alice`. Two exceptions,
///   both only where they are part of a visible symbol:
///   - U+200D ZERO WIDTH JOINER inside a grapheme cluster and followed there by a visible
///     base, where it glues an emoji ZWJ sequence (`👩‍💻`) or an Indic conjunct. A ZWJ that
///     ends a cluster joins nothing visible and is rejected: that is how `al\u{200D}ice` is
///     caught (Unicode breaks clusters after a ZWJ unless an emoji or conjunct follows).
///   - Tag characters (U+E0020–E007F) inside a flag that starts with U+1F3F4 (`🏴󠁧󠁢󠁳󠁣󠁴󠁿`).
///     Anywhere else they smuggle invisible ASCII.
///   U+200C ZERO WIDTH NON-JOINER is rejected even though Persian spelling uses it: it ends a
///   grapheme cluster like a hiding character does, and a name reads the same without it.
/// - No blank look-alikes that are letters or symbols by category but draw nothing: Hangul
///   fillers (U+115F, U+1160, U+3164, U+FFA0) and BRAILLE PATTERN BLANK (U+2800).
/// - At least one visible character: a name of only variation selectors or other
///   default-ignorable code points is rejected.
///
/// Equality is Swift's string equality (canonical equivalence), so `é` precomposed and `e` +
/// U+0301 are the same user. Case matters: `alice` and `Alice` are two users.
public struct UserName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The most characters (grapheme clusters) a name may have after trimming.
    public static let maximumLength = 32

    /// The trimmed, validated name.
    public let rawValue: String
    /// `rawValue` lowercased once, here: member lists are sorted on every join, and lowercasing
    /// inside the comparator dominated identify at ten thousand users.
    private let sortKey: String

    /// Validates a name as a user typed it.
    ///
    /// ```swift
    /// let name = try UserName(validating: "  alice \n")  // "alice"
    /// ```
    public init(validating raw: String) throws(NameError) {
        var trimmed = Substring(raw)
        while trimmed.first?.isWhitespace == true { trimmed.removeFirst() }
        while trimmed.last?.isWhitespace == true { trimmed.removeLast() }
        let name = String(trimmed)
        guard !name.isEmpty else { throw .empty }
        if let scalar = Self.firstForbiddenScalar(in: name) {
            throw .forbiddenCharacter(scalar)
        }
        guard name.unicodeScalars.contains(where: Self.isVisible) else { throw .invisible }
        guard name.count <= Self.maximumLength else { throw .tooLong }
        rawValue = name
        sortKey = name.lowercased()
    }

    public static func == (lhs: UserName, rhs: UserName) -> Bool {
        lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    public var description: String { rawValue }

    /// Case-insensitive first, so `bob` sorts between `Alice` and `Carol`; exact order breaks
    /// ties, so the order is total and stable.
    public static func < (lhs: UserName, rhs: UserName) -> Bool {
        lhs.sortKey != rhs.sortKey ? lhs.sortKey < rhs.sortKey : lhs.rawValue < rhs.rawValue
    }

    private static func firstForbiddenScalar(in name: String) -> Unicode.Scalar? {
        for character in name {
            let scalars = character.unicodeScalars
            let startsFlag = scalars.first == flagBase
            for (index, scalar) in zip(scalars.indices, scalars) {
                switch scalar {
                case zeroWidthJoiner:
                    let next = scalars.index(after: index)
                    if next == scalars.endIndex || !isJoinable(scalars[next]) { return scalar }
                case tagCharacters:
                    if !startsFlag { return scalar }
                default:
                    if NameError.Forbidden(scalar) != nil { return scalar }
                }
            }
        }
        return nil
    }

    /// What a ZWJ may join to: a base that draws (the next emoji or consonant), not a mark or
    /// another invisible scalar that would let the joiner hide mid-cluster (`a` ZWJ U+0301).
    private static func isJoinable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: false
        default: isVisible(scalar)
        }
    }

    /// Draws something: neither whitespace nor a default-ignorable code point (variation
    /// selectors, joiners, fillers…).
    private static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.properties.isWhitespace && !scalar.properties.isDefaultIgnorableCodePoint
    }

    private static let zeroWidthJoiner: Unicode.Scalar = "\u{200D}"
    private static let flagBase: Unicode.Scalar = "\u{1F3F4}"
    private static let tagCharacters: ClosedRange<Unicode.Scalar> = "\u{E0020}"..."\u{E007F}"
}
