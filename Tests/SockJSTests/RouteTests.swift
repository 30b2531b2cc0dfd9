import SockJS
import Testing

@Suite("Route")
struct RouteTests {
    @Test(
        "valid paths under /connection",
        arguments: [
            ("/connection", Route.greeting),
            ("/connection/", .greeting),
            ("/connection?cb=1", .greeting),
            ("/connection/info", .info),
            ("/connection/info/", .info),
            ("/connection/info?t=1700000000", .info),
            ("/connection/iframe.html", .iframe("iframe.html")),
            ("/connection/iframe-1.6.1.html", .iframe("iframe-1.6.1.html")),
            ("/connection/iframe-dev_2.html?x=y", .iframe("iframe-dev_2.html")),
            ("/connection/websocket", .rawWebSocket),
            ("/connection/websocket/", .rawWebSocket),
            (
                "/connection/123/abc12345/websocket",
                .session(server: "123", session: "abc12345", transport: .websocket)
            ),
            ("/connection/000/a/xhr", .session(server: "000", session: "a", transport: .xhr)),
            ("/connection/1/s/xhr_send", .session(server: "1", session: "s", transport: .xhrSend)),
            ("/connection/1/s/xhr_streaming", .session(server: "1", session: "s", transport: .xhrStreaming)),
            ("/connection/1/s/eventsource", .session(server: "1", session: "s", transport: .eventsource)),
            ("/connection/1/s/htmlfile?c=cb", .session(server: "1", session: "s", transport: .htmlfile)),
            ("/connection/1/s/jsonp?c=cb", .session(server: "1", session: "s", transport: .jsonp)),
            ("/connection/1/s/jsonp_send", .session(server: "1", session: "s", transport: .jsonpSend)),
            ("/connection/1/s/websocket/", .session(server: "1", session: "s", transport: .websocket)),
            (
                "/connection/any-thing_X/Ünïcode~id/xhr",
                .session(server: "any-thing_X", session: "Ünïcode~id", transport: .xhr)
            ),
        ]
    )
    func validPaths(path: String, expected: Route) {
        #expect(Route(path: path, prefix: "/connection") == expected)
    }

    @Test func idsLongerThan64BytesAreNotRoutes() {
        let longest = String(repeating: "a", count: maximumSockJSIDLength)
        let tooLong = longest + "b"
        #expect(
            Route(path: "/connection/1/\(longest)/xhr", prefix: "/connection")
                == .session(server: "1", session: longest, transport: .xhr))
        #expect(Route(path: "/connection/1/\(tooLong)/xhr", prefix: "/connection") == .notFound)
        #expect(Route(path: "/connection/\(tooLong)/s/xhr", prefix: "/connection") == .notFound)
        #expect(
            Route(path: "/connection/1/\(String(repeating: "x", count: 7_000))/websocket", prefix: "/connection")
                == .notFound)
    }

    @Test(
        "paths that are not found",
        arguments: [
            "/",
            "/other",
            "/connectionX",
            "/connectionX/info",
            "/conn",
            "/connection/infoo",
            "/connection/Info",
            "/connection//",
            "/connection/info//",
            "/connection/iframe",
            "/connection/iframe.htm",
            "/connection/iframe-ABC.html",
            "/connection/iframe-a/b.html",
            "/connection/123/abc12345/unknown",
            "/connection/123/abc12345/WebSocket",
            "/connection/123/abc12345",
            "/connection/123/abc12345/websocket/extra",
            "/connection/123//websocket",
            "//abc12345/websocket",
            "/connection//abc12345/websocket",
            "/connection/1.2/abc/websocket",
            "/connection/123/abc.def/websocket",
            "/connection/123/abc/websocket//",
            "/connection/a/b/c/xhr",
        ]
    )
    func notFound(path: String) {
        #expect(Route(path: path, prefix: "/connection") == .notFound)
    }

    @Test("prefix spellings are normalized", arguments: ["/connection", "/connection/", "connection", "connection//"])
    func prefixSpellings(prefix: String) {
        #expect(Route(path: "/connection", prefix: prefix) == .greeting)
        #expect(Route(path: "/connection/info", prefix: prefix) == .info)
        #expect(
            Route(path: "/connection/1/s/xhr", prefix: prefix) == .session(server: "1", session: "s", transport: .xhr)
        )
    }

    @Test("root prefix", arguments: ["", "/"])
    func rootPrefix(prefix: String) {
        #expect(Route(path: "/", prefix: prefix) == .greeting)
        #expect(Route(path: "", prefix: prefix) == .greeting)
        #expect(Route(path: "/info", prefix: prefix) == .info)
        #expect(Route(path: "/websocket", prefix: prefix) == .rawWebSocket)
        #expect(
            Route(path: "/123/abc/websocket", prefix: prefix)
                == .session(server: "123", session: "abc", transport: .websocket)
        )
        #expect(Route(path: "/connection/123/abc/websocket", prefix: prefix) == .notFound)
    }

    @Test("deep prefix")
    func deepPrefix() {
        #expect(Route(path: "/a/b/sock/info", prefix: "/a/b/sock") == .info)
        #expect(Route(path: "/a/b/info", prefix: "/a/b/sock") == .notFound)
    }

    @Test("every transport name routes to its transport")
    func everyTransport() {
        for transport in Transport.allCases {
            #expect(
                Route(path: "/connection/9/x/\(transport.rawValue)", prefix: "/connection")
                    == .session(server: "9", session: "x", transport: transport)
            )
        }
    }

    @Test("receiving and sending transports")
    func transportKinds() {
        let receiving = Transport.allCases.filter(\.isReceiving)
        #expect(receiving == [.websocket, .xhr, .xhrStreaming, .eventsource, .htmlfile, .jsonp])
        #expect(Transport.allCases.filter(\.isSending) == [.xhrSend, .jsonpSend])
        #expect(Transport.allCases.filter(\.isStreaming) == [.xhrStreaming, .eventsource, .htmlfile])
        #expect(Transport.allCases.filter(\.isPolling) == [.xhr, .jsonp])
    }
}
