import SockJS

/// One SockJS endpoint the server mounts: the lobby itself, or one of the echo/close services
/// that SockJS protocol test suites expect (`--sockjs-test-services`).
struct SockJSService: Sendable {
    enum Kind: Sendable, Equatable {
        /// STOMP sessions in the lobby.
        case lobby
        /// Echoes every message back (no STOMP); a plain WebSocket echo at `{prefix}/websocket`.
        case echo
        /// Closes every new session at once with `c[3000,"Go away!"]`; a WebSocket at
        /// `{prefix}/websocket` gets close code 3000 `Go away!`.
        case close
    }

    let prefix: String
    let kind: Kind
    let allowsWebSocket: Bool
    let cookieNeeded: Bool
    /// Bytes after which a streaming response is ended (SockJS `response_limit`).
    var responseLimit: Int = 128 * 1024

    static func services(for configuration: ServerConfiguration) -> [SockJSService] {
        var services = [
            SockJSService(
                prefix: configuration.normalizedPrefix, kind: .lobby, allowsWebSocket: true, cookieNeeded: false)
        ]
        if configuration.sockJSTestServices {
            services += [
                // The SockJS protocol tests expect /echo's streaming responses cut at 4096 bytes.
                SockJSService(
                    prefix: "/echo", kind: .echo, allowsWebSocket: true, cookieNeeded: false, responseLimit: 4096),
                SockJSService(prefix: "/close", kind: .close, allowsWebSocket: true, cookieNeeded: false),
                SockJSService(
                    prefix: "/disabled_websocket_echo", kind: .echo, allowsWebSocket: false, cookieNeeded: false),
                SockJSService(prefix: "/cookie_needed_echo", kind: .echo, allowsWebSocket: true, cookieNeeded: true),
            ]
        }
        return services
    }

    /// The service whose prefix owns `path`, and the route within it. Longest prefix wins, so a
    /// lobby prefix of `/` does not swallow `/echo`.
    static func resolve(path: String, in services: [SockJSService]) -> (SockJSService?, Route) {
        let pathOnly =
            path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? path
        for service in services.sorted(by: { $0.prefix.count > $1.prefix.count }) {
            let prefix = service.prefix == "/" ? "" : service.prefix
            guard pathOnly == prefix || pathOnly.hasPrefix(prefix + "/") || (prefix.isEmpty && pathOnly.hasPrefix("/"))
            else { continue }
            let route = Route(path: path, prefix: prefix)
            if case .notFound = route { continue }
            if case .rawWebSocket = route, !service.allowsWebSocket { return (service, .notFound) }
            if case .session(_, _, .websocket) = route, !service.allowsWebSocket { return (service, .notFound) }
            return (service, route)
        }
        return (nil, .notFound)
    }
}
