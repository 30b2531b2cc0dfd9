import LobbyClient
import Testing

@Suite("WebSocket endpoint")
struct WebSocketEndpointTests {
    @Test("a transport URL splits into host, port, request URI and Host header")
    func transportURL() throws {
        let endpoint = try WebSocketEndpoint(url: "ws://127.0.0.1:8080/connection/123/abc12345/websocket")
        #expect(endpoint.host == "127.0.0.1")
        #expect(endpoint.port == 8080)
        #expect(endpoint.requestURI == "/connection/123/abc12345/websocket")
        #expect(endpoint.hostHeader == "127.0.0.1:8080")
    }

    @Test("default port, IPv6 literal, user info, query and fragment")
    func variants() throws {
        let plain = try WebSocketEndpoint(url: "ws://chat.example/c/1/s/websocket")
        #expect(plain.port == 80)
        #expect(plain.hostHeader == "chat.example")

        let ipv6 = try WebSocketEndpoint(url: "ws://user@[::1]:9000/c/1/s/websocket?token=x#frag")
        #expect(ipv6.host == "::1")
        #expect(ipv6.port == 9000)
        #expect(ipv6.hostHeader == "[::1]:9000")
        #expect(ipv6.requestURI == "/c/1/s/websocket?token=x")

        let bare = try WebSocketEndpoint(url: "ws://host")
        #expect(bare.requestURI == "/")
    }

    @Test("wss is refused with a clear message; other schemes and bad ports are not WebSocket URLs")
    func refused() {
        #expect(throws: WebSocketEndpointError.tlsUnsupported("wss://host/c/1/s/websocket")) {
            try WebSocketEndpoint(url: "wss://host/c/1/s/websocket")
        }
        for url in ["http://host/x", "ws://", "ws://host:0/x", "ws://host:99999/x", "ws://[::1/x", "host/x"] {
            #expect(throws: WebSocketEndpointError.notAWebSocketURL(url)) { try WebSocketEndpoint(url: url) }
        }
    }

    @Test("server URLs: http and ws are accepted, https is refused before any connection")
    func serverURLValidation() throws {
        try LobbyConnection.validate(serverURL: "http://127.0.0.1:8080/connection")
        try LobbyConnection.validate(serverURL: "ws://127.0.0.1:8080/connection/")
        #expect(throws: WebSocketEndpointError.tlsUnsupported("https://x/connection")) {
            try LobbyConnection.validate(serverURL: "https://x/connection")
        }
        #expect(throws: WebSocketEndpointError.self) { try LobbyConnection.validate(serverURL: "ftp://x/connection") }
        #expect(throws: WebSocketEndpointError.self) { try LobbyConnection.validate(serverURL: "127.0.0.1:8080") }
    }
}
