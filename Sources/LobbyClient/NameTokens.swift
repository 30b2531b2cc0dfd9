/// The secrets of the names this client claimed, per server: the contents of the token file
/// (`$XDG_STATE_HOME/lobby/tokens`), as pure text in and out.
///
/// One claim per line, `SERVER<TAB>NAME<TAB>TOKEN`; a name cannot hold a tab or a line break
/// (``LobbyCore/UserName`` forbids control characters), and a server URL has none. Lines that
/// do not read that way are kept as they are, so a hand-edited file loses nothing.
///
/// ```swift
/// var tokens = NameTokens(text: "")
/// tokens.set("k3", server: "http://127.0.0.1:8080/connection", name: "alice")
/// tokens.token(server: "http://127.0.0.1:8080/connection/", name: "alice")  // "k3"
/// ```
public struct NameTokens: Sendable, Equatable {
    private var lines: [String]

    public init(text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The file's new contents.
    public var text: String {
        lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }

    public func token(server: String, name: String) -> String? {
        let server = Self.key(server)
        for line in lines.reversed() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count == 3, fields[0] == server, fields[1] == name, !fields[2].isEmpty {
                return String(fields[2])
            }
        }
        return nil
    }

    /// Records (or replaces) the secret of `name` on `server`.
    public mutating func set(_ token: String, server: String, name: String) {
        let server = Self.key(server)
        lines.removeAll { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count == 3 && fields[0] == server && fields[1] == name
        }
        lines.append("\(server)\t\(name)\t\(token)")
    }

    /// One server however it was typed: without trailing slashes.
    private static func key(_ server: String) -> Substring {
        var key = Substring(server)
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }
}
