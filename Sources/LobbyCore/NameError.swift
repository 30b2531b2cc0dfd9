/// Why a display name was rejected. The `description` is the message of the private
/// `invalid-name` error event, written for the person who typed the name.
public struct NameError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case empty
        case tooLong
        case tooManyBytes
        case forbiddenCharacter(Unicode.Scalar)
        case whitespaceInside
        case noLetterOrDigit
    }

    private let kind: Kind

    /// Nothing but whitespace.
    public static let empty = NameError(kind: .empty)
    /// More than ``UserName/maximumLength`` characters.
    public static let tooLong = NameError(kind: .tooLong)
    /// More than ``UserName/maximumBytes`` bytes of UTF-8.
    public static let tooManyBytes = NameError(kind: .tooManyBytes)
    /// A space (or other whitespace) between two parts of the name.
    public static let whitespaceInside = NameError(kind: .whitespaceInside)
    /// Neither a letter nor a digit (only marks, symbols or punctuation).
    public static let noLetterOrDigit = NameError(kind: .noLetterOrDigit)

    /// A character that could disguise the name or break the display.
    public static func forbiddenCharacter(_ scalar: Unicode.Scalar) -> NameError {
        NameError(kind: .forbiddenCharacter(scalar))
    }

    /// The offending scalar of a ``forbiddenCharacter(_:)`` error.
    public var forbiddenScalar: Unicode.Scalar? {
        if case .forbiddenCharacter(let scalar) = kind { scalar } else { nil }
    }

    public var description: String {
        switch kind {
        case .empty:
            "name must not be empty"
        case .tooLong:
            "name must be at most \(UserName.maximumLength) characters"
        case .tooManyBytes:
            "name must be at most \(UserName.maximumBytes) bytes of UTF-8"
        case .whitespaceInside:
            "name must be one word, without spaces"
        case .noLetterOrDigit:
            "name must contain a letter or a digit"
        case .forbiddenCharacter(let scalar):
            "name must not contain \(scalar.codePoint) (\(Forbidden(scalar)?.explanation ?? "an invisible character"))"
        }
    }

    /// The classes of scalars a name may never contain, wherever they stand.
    enum Forbidden {
        case control
        case lineSeparator
        case bidiControl
        case format
        case defaultIgnorable
        case blankFiller
        case noncharacter

        init?(_ scalar: Unicode.Scalar) {
            let properties = scalar.properties
            switch scalar.value {
            // Bidi controls are Cf too; they get their own words because they are the ones that
            // can flip the text around the name (CVE-2021-42574, "Trojan Source").
            case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: self = .bidiControl
            case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x2800: self = .blankFiller
            default:
                switch properties.generalCategory {
                case .control: self = .control
                case .lineSeparator, .paragraphSeparator: self = .lineSeparator
                case .format: self = .format
                default:
                    if properties.isDefaultIgnorableCodePoint {
                        self = .defaultIgnorable
                    } else if properties.isNoncharacterCodePoint {
                        self = .noncharacter
                    } else {
                        return nil
                    }
                }
            }
        }

        var explanation: String {
            switch self {
            case .control: "a control character"
            case .lineSeparator: "a line break"
            case .bidiControl: "a bidirectional text control"
            case .format: "an invisible formatting character"
            case .defaultIgnorable: "a character that draws nothing"
            case .blankFiller: "a blank filler character"
            case .noncharacter: "a noncharacter"
            }
        }
    }
}

extension Unicode.Scalar {
    /// `U+202E`: how Unicode writes a code point.
    fileprivate var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
