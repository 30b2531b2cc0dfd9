/// What a request path means to a SockJS endpoint mounted at a prefix.
///
/// The HTTP method is the server's business: a route only names the resource.
///
/// ```swift
/// Route(path: "/connection/123/abc12345/websocket", prefix: "/connection")
/// // .session(server: "123", session: "abc12345", transport: .websocket)
/// Route(path: "/connection/info?t=1", prefix: "/connection")  // .info
/// ```
public enum Route: Sendable, Equatable {
    /// `{prefix}` or `{prefix}/`: the "Welcome to SockJS!" greeting.
    case greeting
    /// `{prefix}/info`: the info JSON (`InfoResponse`).
    case info
    /// `{prefix}/iframe.html` or `{prefix}/iframe-<version>.html`; carries the file name.
    case iframe(String)
    /// `{prefix}/websocket`: a raw WebSocket without SockJS framing.
    case rawWebSocket
    /// `{prefix}/{server}/{session}/{transport}`.
    case session(server: String, session: String, transport: Transport)
    /// Anything else, including unknown transport names.
    case notFound

    /// Parses a request target.
    ///
    /// - Parameters:
    ///   - path: the request path; a query string (`?…`) or fragment (`#…`) is ignored.
    ///   - prefix: where the endpoint is mounted, like `/connection`. Trailing slashes are
    ///     ignored and a missing leading slash is implied, so `""` and `"/"` both mean the root.
    ///
    /// Like the reference SockJS server, every route also matches with one trailing slash.
    /// Server and session ids are any non-empty segment without `/` or `.`.
    public init(path: String, prefix: String) {
        var target = Array(path.utf8)
        if let end = target.firstIndex(where: { $0 == ASCII.questionMark || $0 == ASCII.hash }) {
            target.removeSubrange(end...)
        }
        let mount = Route.normalizedPrefix(prefix)
        guard target.starts(with: mount) else {
            self = .notFound
            return
        }
        var rest = target[mount.count...]
        if rest.isEmpty || rest.elementsEqual([ASCII.slash]) {
            self = .greeting
            return
        }
        guard rest.first == ASCII.slash else {
            self = .notFound  // "/connectionX" is not under "/connection"
            return
        }
        rest = rest.dropFirst()
        if rest.last == ASCII.slash {
            rest = rest.dropLast()
        }
        let name = String(decoding: rest, as: UTF8.self)
        switch name {
        case "info":
            self = .info
        case "websocket":
            self = .rawWebSocket
        default:
            if Route.isIframeFileName(name) {
                self = .iframe(name)
                return
            }
            let segments = rest.split(separator: ASCII.slash, omittingEmptySubsequences: false)
            guard segments.count == 3,
                let transport = Transport(rawValue: String(decoding: segments[2], as: UTF8.self)),
                isValidSockJSID(segments[0]), isValidSockJSID(segments[1])
            else {
                self = .notFound
                return
            }
            self = .session(
                server: String(decoding: segments[0], as: UTF8.self),
                session: String(decoding: segments[1], as: UTF8.self),
                transport: transport
            )
        }
    }

    /// The prefix as bytes, with one leading slash and no trailing slash (empty for the root).
    private static func normalizedPrefix(_ prefix: String) -> [UInt8] {
        var bytes = Array(prefix.utf8)
        while bytes.last == ASCII.slash {
            bytes.removeLast()
        }
        if !bytes.isEmpty && bytes.first != ASCII.slash {
            bytes.insert(ASCII.slash, at: 0)
        }
        return bytes
    }

    /// `iframe.html`, `iframe-1.6.1.html`, `iframe-dev_2.html`: the file names sockjs-client asks for.
    /// Spring and sockjs-node accept `iframe[0-9a-z._-]*.html`.
    private static func isIframeFileName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        let head = Array("iframe".utf8)
        let tail = Array(".html".utf8)
        guard bytes.count >= head.count + tail.count, bytes.starts(with: head),
            bytes.suffix(tail.count).elementsEqual(tail)
        else { return false }
        return bytes[head.count..<(bytes.count - tail.count)].allSatisfy { byte in
            (ASCII.zero...ASCII.nine).contains(byte) || (ASCII.lowercaseA...ASCII.lowercaseZ).contains(byte)
                || byte == ASCII.period || byte == ASCII.hyphen || byte == ASCII.underscore
        }
    }
}

/// The longest server or session id accepted. SockJS sets no bound; sockjs-client sends 8
/// characters. Every id is kept in memory and in the store's session rows, so a peer must not
/// choose ids of kilobytes (7 000-byte ids grew a database by megabytes a second).
public let maximumSockJSIDLength = 64

/// A server or session id as SockJS accepts it: a non-empty path segment without `/` or `.`,
/// at most ``maximumSockJSIDLength`` bytes.
func isValidSockJSID(_ bytes: some Collection<UInt8>) -> Bool {
    !bytes.isEmpty && bytes.count <= maximumSockJSIDLength && !bytes.contains(ASCII.slash)
        && !bytes.contains(ASCII.period)
}
