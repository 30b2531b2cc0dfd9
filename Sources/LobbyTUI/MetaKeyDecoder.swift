/// Turns Escape followed by a key into an Alt key, the way terminals send Alt (`ESC x` for
/// Alt-x) and the way irssi, WeeChat and readline read it, and swallows escape sequences curses
/// did not recognise, so they are never typed into the input line as `[1~`.
///
/// Runs after ``PasteDecoder``, which has already taken bracketed pastes out. A lone Escape is
/// held until the next key; Escape alone does nothing in the client.
///
/// ```swift
/// var decoder = MetaKeyDecoder()
/// decoder.feed(.escape)          // []
/// decoder.feed(.character("b"))  // [.alt("b")]
/// // ESC [ 1 ; 5 D (a key curses does not know)  →  []
/// ```
public struct MetaKeyDecoder: Sendable {
    private enum State: Sendable {
        case ground
        /// An Escape arrived.
        case escape
        /// Inside `ESC [ …` (CSI): parameters until a final byte.
        case controlSequence
        /// After `ESC O` (SS3): one more character ends it.
        case singleShift
    }

    private var state = State.ground

    public init() {}

    /// The keys `key` completes.
    public mutating func feed(_ key: Key) -> [Key] {
        switch state {
        case .ground:
            if key == .escape {
                state = .escape
                return []
            }
            return [key]
        case .escape:
            state = .ground
            switch key {
            case .escape:
                state = .escape  // Escape pressed twice: the second may start something
                return []
            case .character("["):
                state = .controlSequence
                return []
            case .character("O"):
                state = .singleShift
                return []
            case .character(let character):
                return [.alt(character)]
            default:
                return [key]  // Escape then a function key: the Escape means nothing
            }
        case .controlSequence:
            // ECMA-48: parameter and intermediate bytes are 0x20–0x3F, the final byte 0x40–0x7E.
            guard case .character(let character) = key, let value = character.asciiValue else {
                state = .ground
                return [key]
            }
            if (0x40...0x7E).contains(value) { state = .ground }
            return []
        case .singleShift:
            state = .ground
            if case .character = key { return [] }
            return [key]
        }
    }
}
