/// The session id in a SockJS transport URL, as the client that opened the URL learns it.
///
/// The URL is `{scheme}://{host}[:{port}]{prefix}/{server}/{session}/{transport}` with a
/// scheme of `ws`, `wss`, `http` or `https`, any prefix depth, and optionally a trailing slash,
/// a query string or a fragment.
///
/// ```swift
/// sessionID(fromTransportURL: "ws://127.0.0.1:8080/connection/123/abc12345/websocket")  // "abc12345"
/// sessionID(fromTransportURL: "/connection/123/abc12345/websocket")                    // nil: no scheme
/// ```
///
/// Returns `nil` when the URL is malformed: no or another scheme, no host, fewer than
/// three path segments, an unknown transport, or an empty server or session id or one
/// containing `.`. The prefix is not known here, so `…/connection/abc/websocket` reads
/// `connection` as the server id.
public func sessionID(fromTransportURL url: String) -> String? {
    guard let parts = TransportURLParts(url) else { return nil }
    var path = parts.path[...]
    if path.last == ASCII.slash {
        path = path.dropLast()
    }
    let segments = path.split(separator: ASCII.slash, omittingEmptySubsequences: false)
    guard segments.count >= 4,  // the empty segment before the leading slash, then server, session, transport
        Transport(rawValue: String(decoding: segments[segments.count - 1], as: UTF8.self)) != nil,
        isValidSockJSID(segments[segments.count - 2]),
        isValidSockJSID(segments[segments.count - 3])
    else { return nil }
    return String(decoding: segments[segments.count - 2], as: UTF8.self)
}

/// The URL a client opens for one SockJS session, built from the endpoint's base URL.
///
/// For `.websocket` the scheme becomes `ws`/`wss` (from `http`/`https`); for the HTTP
/// transports it becomes `http`/`https` (from `ws`/`wss`). A trailing slash on the base is
/// dropped, a query string is kept after the new path (as sockjs-client does), a fragment is
/// dropped.
///
/// ```swift
/// makeTransportURL(base: "http://127.0.0.1:8080/connection", server: "123", session: "abc12345")
/// // "ws://127.0.0.1:8080/connection/123/abc12345/websocket"
/// ```
///
/// Returns `nil` when the base is not an absolute `http`, `https`, `ws` or `wss` URL with a
/// host, or when an id is empty or contains `/`, `.`, `?`, `#`, `%`, a space or a control character.
public func makeTransportURL(
    base: String,
    server: String,
    session: String,
    transport: Transport = .websocket
) -> String? {
    guard var parts = TransportURLParts(base), isSafeURLID(server), isSafeURLID(session) else { return nil }
    switch (transport, parts.scheme) {
    case (.websocket, "http"): parts.scheme = "ws"
    case (.websocket, "https"): parts.scheme = "wss"
    case (.websocket, _): break
    case (_, "ws"): parts.scheme = "http"
    case (_, "wss"): parts.scheme = "https"
    case (_, _): break
    }
    while parts.path.last == ASCII.slash {
        parts.path.removeLast()
    }
    let path = String(decoding: parts.path, as: UTF8.self)
    let query = String(decoding: parts.query, as: UTF8.self)
    return "\(parts.scheme)://\(parts.authority)\(path)/\(server)/\(session)/\(transport.rawValue)\(query)"
}

private func isSafeURLID(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    return isValidSockJSID(bytes)
        && !bytes.contains { byte in
            byte <= ASCII.space || byte == 0x7F || byte == ASCII.questionMark || byte == ASCII.hash
                || byte == ASCII.percent
        }
}

/// An absolute `ws`, `wss`, `http` or `https` URL split into the parts this module needs.
struct TransportURLParts {
    /// Lowercased.
    var scheme: String
    var authority: String
    /// Empty or starting with `/`.
    var path: [UInt8]
    /// Empty or starting with `?`.
    var query: [UInt8]

    init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard let colon = bytes.firstIndex(of: ASCII.colon),
            bytes[colon...].starts(with: Array("://".utf8))
        else { return nil }
        scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        guard ["ws", "wss", "http", "https"].contains(scheme) else { return nil }
        let rest = bytes[(colon + 3)...]
        let fragmentStart = rest.firstIndex(of: ASCII.hash) ?? rest.endIndex
        let queryStart = rest[..<fragmentStart].firstIndex(of: ASCII.questionMark) ?? fragmentStart
        let pathStart = rest[..<queryStart].firstIndex(of: ASCII.slash) ?? queryStart
        guard TransportURLParts.isValidAuthority(rest[..<pathStart]) else { return nil }
        authority = String(decoding: rest[..<pathStart], as: UTF8.self)
        path = Array(rest[pathStart..<queryStart])
        query = Array(rest[queryStart..<fragmentStart])
    }

    /// `[userinfo@]host[:port]` with a non-empty host (a name, an IPv4 address or a bracketed
    /// IPv6 address) and, when a colon is present, a port of 1 to 5 digits up to 65535.
    private static func isValidAuthority(_ authority: ArraySlice<UInt8>) -> Bool {
        guard !authority.contains(where: { $0 <= ASCII.space || $0 == 0x7F }) else { return false }
        var hostAndPort = authority
        if let at = authority.lastIndex(of: ASCII.at) {
            hostAndPort = authority[(at + 1)...]
        }
        let portColon: Int?
        if hostAndPort.first == ASCII.leftBracket {
            guard let close = hostAndPort.firstIndex(of: ASCII.rightBracket), close > hostAndPort.startIndex + 1
            else { return false }
            let afterHost = hostAndPort[(close + 1)...]
            guard afterHost.isEmpty || afterHost.first == ASCII.colon else { return false }
            portColon = afterHost.isEmpty ? nil : afterHost.startIndex
        } else {
            portColon = hostAndPort.firstIndex(of: ASCII.colon)
            let host = hostAndPort[..<(portColon ?? hostAndPort.endIndex)]
            guard !host.isEmpty, !host.contains(ASCII.leftBracket), !host.contains(ASCII.rightBracket) else {
                return false
            }
        }
        guard let portColon else { return true }
        let port = hostAndPort[(portColon + 1)...]
        guard (1...5).contains(port.count), port.allSatisfy({ (ASCII.zero...ASCII.nine).contains($0) }) else {
            return false
        }
        return Int(String(decoding: port, as: UTF8.self)).map { $0 <= 65_535 } ?? false
    }
}
