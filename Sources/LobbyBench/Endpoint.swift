import SockJS

/// Where the benchmark connects: host, port and the path of the WebSocket to open.
///
/// `--url` is read two ways:
/// - raw STOMP over WebSocket: a `ws://` URL is opened as given (RabbitMQ: `ws://127.0.0.1:15674/ws`);
///   an `http://` URL is a SockJS base (what `lobby-server` prints) and gets `/websocket` appended,
///   Lobby's raw endpoint.
/// - `--sockjs`: the URL is the SockJS base; every session opens `{base}/{server}/{session}/websocket`
///   with random ids, as sockjs-client does, and knows its session id from that URL.
public struct Endpoint: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The base path (`/connection`) for SockJS, or the full WebSocket path for raw STOMP.
    public var path: String
    public var sockJS: Bool

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notAURL(String)

        public var description: String {
            switch self {
            case .notAURL(let url):
                return
                    "\(url) is not an absolute http:// or ws:// URL with a host (e.g. http://127.0.0.1:8080/connection)"
            }
        }
    }

    public init(url: String, sockJS: Bool) throws(ParseError) {
        guard let schemeEnd = url.range(of: "://") else { throw .notAURL(url) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "ws" || scheme == "http" else { throw .notAURL(url) }
        var rest = url[schemeEnd.upperBound...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authority: Substring
        var path: String
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = String(rest[slash...])
        } else {
            authority = rest
            path = "/"
        }
        let host: Substring
        var port = 80
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            guard let parsed = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(parsed) else {
                throw .notAURL(url)
            }
            port = parsed
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .notAURL(url) }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if !sockJS && scheme == "http" {
            path = (path == "/" ? "" : path) + "/websocket"
        }
        self.host = String(host)
        self.port = port
        self.path = path
        self.sockJS = sockJS
    }

    /// The `Host` header.
    public var hostHeader: String { port == 80 ? host : "\(host):\(port)" }

    /// The request path for one new session, and the session id the client knows up front
    /// (SockJS only: for raw STOMP the server names the session in `CONNECTED`).
    public func sessionPath<G: RandomNumberGenerator>(using generator: inout G) -> (path: String, sessionID: String?) {
        guard sockJS else { return (path, nil) }
        let server = randomServerID(using: &generator)
        let session = randomSessionID(length: 8, using: &generator)
        let base = "ws://\(hostHeader)\(path == "/" ? "" : path)"
        guard let url = makeTransportURL(base: base, server: server, session: session),
            let parsed = sessionID(fromTransportURL: url)
        else {
            let prefix = path == "/" ? "" : path
            return ("\(prefix)/\(server)/\(session)/websocket", session)
        }
        let pathStart = url.range(of: hostHeader)!.upperBound
        return (String(url[pathStart...]), parsed)
    }
}
