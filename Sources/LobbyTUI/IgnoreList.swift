/// The users whose messages the client hides (`/ignore NAME`), kept across restarts as a text
/// file of one name per line (`$XDG_STATE_HOME/lobby/ignored`).
///
/// Names compare case-insensitively, as a user types them (`/ignore Mallory` hides `mallory`).
/// What is hidden: their room messages and actions, their private messages and their join, leave
/// and away lines; the member pane still lists them, so nobody looks absent who is not.
///
/// ```swift
/// var list = IgnoreList(text: "")
/// list.run(.ignore("mallory"))   // ("ignoring mallory: …", changed: true)
/// list.contains("Mallory")       // true
/// ```
public struct IgnoreList: Sendable, Equatable {
    /// The names as they were typed, in the order they were added.
    public private(set) var names: [String] = []

    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let name = line.trimmed(where: \.isWhitespace)
            if !name.isEmpty, !name.hasPrefix("#"), !contains(name) { names.append(name) }
        }
    }

    /// The file's contents.
    public var text: String {
        names.map { $0 + "\n" }.joined()
    }

    public func contains(_ user: String) -> Bool {
        let key = user.lowercased()
        return names.contains { $0.lowercased() == key }
    }

    /// Carries out `/ignore [NAME]` or `/unignore NAME`: the line to show, and whether the list
    /// changed (and must be saved). Nil for any other line.
    public mutating func run(_ line: TypedLine) -> (notice: String, changed: Bool)? {
        switch line {
        case .ignore(nil):
            return (names.isEmpty ? "nobody is ignored" : "ignored: " + names.joined(separator: ", "), false)
        case .ignore(let name?):
            guard !contains(name) else { return ("\(name) is already ignored", false) }
            names.append(name)
            return ("ignoring \(name): their messages and joins are hidden (/unignore \(name) to undo)", true)
        case .unignore(let name):
            let key = name.lowercased()
            guard contains(name) else { return ("\(name) is not ignored", false) }
            names.removeAll { $0.lowercased() == key }
            return ("no longer ignoring \(name)", true)
        default:
            return nil
        }
    }
}
