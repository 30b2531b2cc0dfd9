/// The server a user names with `--server` (or `server`, `$LOBBY_SERVER`), as the SockJS endpoint
/// URL the connection opens.
///
/// Accepts what people type: `host:port` (plain HTTP), `http://` and `https://` URLs as the docs
/// and browsers write them, and `ws://`/`wss://`. A URL without a path gets the default SockJS
/// prefix, `/connection`, so `--server 127.0.0.1:9250` connects instead of retrying for ever at
/// `/`. `ws://` and `wss://` are written as `http://` and `https://`: one server, one spelling.
///
/// ```swift
/// try ServerAddress.endpoint(for: "127.0.0.1:9250")               // "http://127.0.0.1:9250/connection"
/// try ServerAddress.endpoint(for: "https://chat.example.org")      // "https://chat.example.org/connection"
/// try ServerAddress.endpoint(for: "ws://10.0.0.5:8080/chat/")      // "http://10.0.0.5:8080/chat/"
/// ```
public enum ServerAddress {
    /// The SockJS prefix a server uses unless told otherwise.
    public static let defaultPath = "/connection"

    /// The endpoint URL for what the user typed, or why it is not one.
    public static func endpoint(for typed: String) throws(ServerAddressError) -> String {
        let text = typed.trimmed()
        guard !text.isEmpty else { throw ServerAddressError(typed: typed, problem: "it is empty") }
        guard
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw ServerAddressError(typed: typed, problem: "it holds whitespace or a control character") }

        var scheme = "http"
        var rest = Substring(text)
        if let separator = text.firstRange(of: "://") {
            scheme = text[..<separator.lowerBound].lowercased()
            rest = text[separator.upperBound...]
            guard ["http", "https", "ws", "wss"].contains(scheme) else {
                throw ServerAddressError(typed: typed, problem: "\(scheme):// is not http, https, ws or wss")
            }
        }
        let pathStart = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<pathStart]
        guard !authority.isEmpty else { throw ServerAddressError(typed: typed, problem: "it names no host") }
        var path = rest[pathStart...]
        if path.isEmpty || path == "/" { path = Substring(defaultPath) }
        // One spelling per server: the token file and the log folder are keyed by this URL, and
        // the WebSocket transport URL is made from it either way.
        let canonicalScheme = scheme == "ws" ? "http" : scheme == "wss" ? "https" : scheme
        let url = "\(canonicalScheme)://\(authority)\(path)"
        do {
            try LobbyConnection.validate(serverURL: url)
        } catch {
            throw ServerAddressError(typed: typed, problem: "the host or port is not valid")
        }
        return url
    }
}

/// Why `--server` names no endpoint.
public struct ServerAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var typed: String
    public var problem: String

    public var description: String {
        "\(typed) is not a server address (\(problem)): give host:port, http(s)://host:port[/path] or ws(s)://…"
    }
}

extension String {
    fileprivate func trimmed() -> Substring {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }
}
