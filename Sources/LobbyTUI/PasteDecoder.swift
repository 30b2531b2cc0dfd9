/// Turns the keys of a bracketed paste (`ESC [200~` text `ESC [201~`) into one
/// ``Key/paste(_:)``, and passes every other key through.
///
/// Curses does not know these sequences, so they arrive as an Escape and characters. A lone
/// Escape is held until the next key shows whether a sequence starts; Escape does nothing in
/// the client, so holding it costs nothing.
///
/// ```swift
/// var decoder = PasteDecoder()
/// // ESC [ 2 0 0 ~ a Enter b ESC [ 2 0 1 ~  →  [.paste("a\nb")]
/// ```
public struct PasteDecoder: Sendable {
    private static let start: [Key] = [.escape] + "[200~".map(Key.character)
    private static let end: [Key] = [.escape] + "[201~".map(Key.character)

    /// Keys that may be the start of a start or end sequence.
    private var pending: [Key] = []
    /// The text pasted so far, while inside a paste.
    private var pasted: String?

    public init() {}

    /// The keys `key` completes (often none while a sequence or a paste is under way).
    public mutating func feed(_ key: Key) -> [Key] {
        let sequence = pasted == nil ? Self.start : Self.end
        let candidate = pending + [key]
        if sequence.starts(with: candidate) {
            if candidate.count < sequence.count {
                pending = candidate
                return []
            }
            pending = []
            if let text = pasted {
                pasted = nil
                return [.paste(text)]
            }
            pasted = ""
            return []
        }
        // Not the sequence: what was held is ordinary input after all.
        pending = []
        var keys: [Key] = []
        for held in candidate.dropLast() { keys += take(held) }
        // The breaking key may itself start a sequence (a second Escape).
        if key == .escape {
            pending = [key]
            return keys
        }
        keys += take(key)
        return keys
    }

    /// A key outside any sequence: passed through, or added to the paste.
    private mutating func take(_ key: Key) -> [Key] {
        guard var text = pasted else { return [key] }
        switch key {
        case .character(let character): text.append(character)
        case .enter: text.append("\n")
        case .tab: text.append(" ")
        default: break
        }
        pasted = text
        return []
    }
}
