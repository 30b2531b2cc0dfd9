/// The secrets of the names this client claimed, per server: the contents of the token file
/// (`$XDG_STATE_HOME/lobby/tokens`), as pure text in and out.
///
/// One claim per line, `SERVER<TAB>NAME<TAB>TOKEN`. The file is read strictly: a line is a claim
/// only when its server has no whitespace or control characters, its name no tab or control, and
/// its token is what a Lobby server hands out (``isWellFormed(_:)``); any other line is kept as it
/// is, so a hand-edited file loses nothing, and never read. A claim is only written when all
/// three fields are that clean, so nothing a server sends (a token holding a line break, a URL
/// with a tab) can add a line that speaks for another server.
///
/// ```swift
/// var tokens = NameTokens(text: "")
/// try tokens.set(token, server: "http://127.0.0.1:8080/connection", name: "alice")
/// tokens.token(server: "http://127.0.0.1:8080/connection/", name: "alice")  // token
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

    /// Whether `token` looks like a claim's secret: exactly 43 base64url characters (256 bits
    /// without padding), as every Lobby server makes them.
    public static func isWellFormed(_ token: some StringProtocol) -> Bool {
        token.utf8.count == 43
            && token.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }

    public func token(server: String, name: String) -> String? {
        let server = Self.key(server)
        for claim in lines.reversed().lazy.compactMap(Self.claim(in:))
        where claim.server == server && claim.name == name {
            return String(claim.token)
        }
        return nil
    }

    /// Records (or replaces) the secret of `name` on `server`; refuses fields that could not be
    /// read back as exactly this claim.
    public mutating func set(_ token: String, server: String, name: String) throws(NameTokensError) {
        let server = Self.key(server)
        guard Self.isWellFormed(token) else { throw .malformedToken }
        guard Self.isCleanServer(server) else { throw .malformedServer }
        guard Self.isCleanName(name) else { throw .malformedName }
        lines.removeAll { line in
            Self.claim(in: line).map { $0.server == server && $0.name == name } ?? false
        }
        lines.append("\(server)\t\(name)\t\(token)")
    }

    /// The claim a line holds, or nil when it is not exactly one well-formed claim.
    private static func claim(in line: String) -> (server: Substring, name: Substring, token: Substring)? {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 3, isCleanServer(fields[0]), isCleanName(fields[1]), isWellFormed(fields[2]) else {
            return nil
        }
        return (fields[0], fields[1], fields[2])
    }

    /// A server URL as a key: not empty, no whitespace, no controls.
    private static func isCleanServer(_ server: Substring) -> Bool {
        !server.isEmpty
            && !server.unicodeScalars.contains { scalar in
                scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
            }
    }

    /// A name as a key: not empty, no tab, line break or other control (``LobbyCore/UserName``
    /// forbids them too).
    private static func isCleanName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty
            && !name.unicodeScalars.contains { scalar in
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator: true
                default: false
                }
            }
    }

    /// One server however it was typed: without trailing slashes.
    private static func key(_ server: String) -> Substring {
        var key = Substring(server)
        while key.hasSuffix("/") { key.removeLast() }
        return key
    }
}

/// Why a claim was not recorded.
public enum NameTokensError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedToken
    case malformedServer
    case malformedName

    public var description: String {
        switch self {
        case .malformedToken: "the server's token is not 43 base64url characters"
        case .malformedServer: "the server URL holds whitespace or a control character"
        case .malformedName: "the name holds a control character"
        }
    }
}
