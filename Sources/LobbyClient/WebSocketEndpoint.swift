/// Where to open a WebSocket: the parts of a `ws://` or `wss://` URL that a TCP connection, its
/// TLS handshake and an HTTP upgrade request need.
///
/// ```swift
/// let endpoint = try WebSocketEndpoint(url: "ws://127.0.0.1:8080/connection/123/k3x9a0qz/websocket")
/// endpoint.host         // "127.0.0.1"
/// endpoint.port         // 8080
/// endpoint.requestURI   // "/connection/123/k3x9a0qz/websocket"
/// endpoint.hostHeader   // "127.0.0.1:8080"
/// ```
public struct WebSocketEndpoint: Sendable, Equatable {
    /// The host name or address to connect to; an IPv6 address without its brackets.
    public var host: String
    public var port: Int
    /// The path and query to request.
    public var requestURI: String
    /// The `Host` header of the upgrade request (the URL's authority, without user info).
    public var hostHeader: String
    /// `wss://`: the connection starts with a TLS handshake that verifies the server's certificate.
    public var usesTLS: Bool

    /// Splits a `ws://` or `wss://` URL.
    public init(url: String) throws(WebSocketEndpointError) {
        guard let schemeEnd = url.firstRange(of: "://") else { throw .notAWebSocketURL(url) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "ws" || scheme == "wss" else { throw .notAWebSocketURL(url) }
        usesTLS = scheme == "wss"
        let rest = url[schemeEnd.upperBound...]
        let withoutFragment = rest[..<(rest.firstIndex(of: "#") ?? rest.endIndex)]
        let pathStart = withoutFragment.firstIndex { $0 == "/" || $0 == "?" } ?? withoutFragment.endIndex
        var authority = withoutFragment[..<pathStart]
        if let at = authority.lastIndex(of: "@") {
            authority = authority[authority.index(after: at)...]
        }
        let path = withoutFragment[pathStart...]
        requestURI = path.isEmpty ? "/" : (path.first == "?" ? "/" + path : String(path))
        hostHeader = String(authority)

        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .notAWebSocketURL(url) }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let afterHost = authority[authority.index(after: close)...]
            if !afterHost.isEmpty {
                guard afterHost.first == ":" else { throw .notAWebSocketURL(url) }
                portText = afterHost.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw .notAWebSocketURL(url) }
        if let portText {
            guard let port = Int(portText), (1...65_535).contains(port) else { throw .notAWebSocketURL(url) }
            self.port = port
        } else {
            port = usesTLS ? 443 : 80
        }
    }
}

/// Why a URL cannot be opened as a WebSocket.
public enum WebSocketEndpointError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAWebSocketURL(String)

    public var description: String {
        switch self {
        case .notAWebSocketURL(let url):
            "not a ws:// or wss:// URL with a host: \(url)"
        }
    }
}
