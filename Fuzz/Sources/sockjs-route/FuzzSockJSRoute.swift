import FuzzSupport
import SockJS

// The request-target handling of SockJS: `Route(path:prefix:)`, which the server's
// `SockJSService.resolve` calls with the raw request URI for each mounted prefix, plus the
// transport URL helpers clients use and the callback-name check of jsonp/htmlfile.
//
// Input: a prefix selector (one of the prefixes the server mounts, or fuzzed bytes), then the
// request target. Checked: a query or fragment never changes the route; a session route names
// valid ids and is rebuilt from them; the client's transport URL for those ids routes to the same
// session and yields the same session id; iframe names look like iframe*.html; a fuzzed base URL
// that makeTransportURL accepts always yields a URL whose session id reads back.

private let mountedPrefixes = ["/connection", "", "/", "/echo", "/disabled_websocket_echo", "connection/", "/a/b/"]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSockJSRoute(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let selector = Int(input.byte())
    let prefix: String
    if selector < 0xF0 {
        prefix = mountedPrefixes[selector % mountedPrefixes.count]
    } else {
        prefix = String(decoding: input.bytes(Int(input.byte() % 16)), as: UTF8.self)
    }
    let target = String(decoding: input.rest(), as: UTF8.self)
    checkRoute(target, prefix: prefix)
    checkTransportURL(target)
    if isValidCallbackName(target) {
        let framed = Transport.jsonp.framed(.open, callback: target)
        require(framed.starts(with: Array("/**/\(target)(\"".utf8)), "jsonp framing with a valid callback")
        require(target.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 }, "a callback name with \(target)")
    }
    return 0
}

/// The prefix as the router reads it: one leading slash, no trailing slashes, empty for the root.
private func normalized(_ prefix: String) -> String {
    var bytes = Array(prefix.utf8)
    while bytes.last == UInt8(ascii: "/") {
        bytes.removeLast()
    }
    if !bytes.isEmpty && bytes.first != UInt8(ascii: "/") {
        bytes.insert(UInt8(ascii: "/"), at: 0)
    }
    return String(decoding: bytes, as: UTF8.self)
}

private func checkRoute(_ target: String, prefix: String) {
    let route = Route(path: target, prefix: prefix)
    require(Route(path: target + "?t=1", prefix: prefix) == route, "a query changed the route of \(target)")
    require(Route(path: target + "#f", prefix: prefix) == route, "a fragment changed the route of \(target)")
    let mount = normalized(prefix)
    switch route {
    case .session(let server, let session, let transport):
        for id in [server, session] {
            require(!id.isEmpty && !id.contains("/") && !id.contains("."), "session route with id \(id)")
        }
        let rebuilt = "\(mount)/\(server)/\(session)/\(transport.rawValue)"
        require(Route(path: rebuilt, prefix: prefix) == route, "\(rebuilt) routes elsewhere")
        require(Route(path: rebuilt + "/", prefix: prefix) == route, "\(rebuilt)/ routes elsewhere")
        // The URL a client builds for these ids reaches this route and reads back the session id.
        if let url = makeTransportURL(
            base: "http://127.0.0.1:8080\(mount)", server: server, session: session, transport: transport)
        {
            require(sessionID(fromTransportURL: url) == session, "\(url) does not read back \(session)")
            let path = pathOfURL(url)
            require(Route(path: path, prefix: prefix) == route, "\(url) does not route back")
        }
    case .iframe(let name):
        require(name.hasPrefix("iframe") && name.hasSuffix(".html"), "iframe route for \(name)")
        require(Route(path: "\(mount)/\(name)", prefix: prefix) == route, "iframe \(name) not rebuilt")
    case .greeting, .info, .rawWebSocket:
        let pathOnly = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
            .split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        require(pathOnly.hasPrefix(mount), "\(route) for \(target) outside \(mount)")
    case .notFound:
        break
    }
}

private func checkTransportURL(_ text: String) {
    if let session = sessionID(fromTransportURL: text) {
        require(!session.isEmpty && !session.contains("/") && !session.contains("."), "session id \(session)")
    }
    for transport in Transport.allCases {
        guard let url = makeTransportURL(base: text, server: "123", session: "abc12345", transport: transport) else {
            continue
        }
        require(sessionID(fromTransportURL: url) == "abc12345", "\(url) built from \(text) loses its session id")
        require(!url.contains("#"), "\(url) keeps a fragment")
    }
}

/// `/path?query` of `scheme://authority/path?query`.
private func pathOfURL(_ url: String) -> String {
    let bytes = Array(url.utf8)
    let slash = UInt8(ascii: "/")
    // The first slash that is not one of the two after the scheme's colon.
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon + 3 <= bytes.count else { return url }
    let start = bytes[(colon + 3)...].firstIndex(of: slash) ?? bytes.count
    return String(decoding: bytes[start...], as: UTF8.self)
}
