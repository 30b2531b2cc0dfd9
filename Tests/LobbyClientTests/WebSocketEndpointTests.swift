import Foundation
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

    @Test("wss is a TLS endpoint on port 443 by default; ws is not")
    func secure() throws {
        let secure = try WebSocketEndpoint(url: "wss://chat.example/c/1/s/websocket")
        #expect(secure.usesTLS)
        #expect(secure.port == 443)
        #expect(try WebSocketEndpoint(url: "WSS://127.0.0.1:8443/c").port == 8443)
        #expect(try !WebSocketEndpoint(url: "ws://chat.example/c").usesTLS)
    }

    @Test("other schemes and bad ports are not WebSocket URLs")
    func refused() {
        for url in ["http://host/x", "https://host/x", "ws://", "ws://host:0/x", "wss://host:99999/x", "ws://[::1/x"] {
            #expect(throws: WebSocketEndpointError.notAWebSocketURL(url)) { try WebSocketEndpoint(url: url) }
        }
        #expect(throws: WebSocketEndpointError.notAWebSocketURL("host/x")) { try WebSocketEndpoint(url: "host/x") }
    }

    @Test("server URLs: http, https, ws and wss are accepted; others are refused before any connection")
    func serverURLValidation() throws {
        try LobbyConnection.validate(serverURL: "http://127.0.0.1:8080/connection")
        try LobbyConnection.validate(serverURL: "ws://127.0.0.1:8080/connection/")
        try LobbyConnection.validate(serverURL: "https://chat.example/connection")
        try LobbyConnection.validate(serverURL: "wss://127.0.0.1:8443/connection")
        #expect(throws: WebSocketEndpointError.notAWebSocketURL("ftp://x/connection")) {
            try LobbyConnection.validate(serverURL: "ftp://x/connection")
        }
        #expect(throws: WebSocketEndpointError.self) { try LobbyConnection.validate(serverURL: "127.0.0.1:8080") }
    }

    @Test("a --ca-file that is missing or holds no certificate is named in the error")
    func unreadableCAFile() throws {
        #expect(throws: ClientTLSError.unreadableCAFile("/nonexistent/ca.pem")) {
            try ClientTLS(caFile: "/nonexistent/ca.pem")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID()).pem").path
        try "no certificate here\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: ClientTLSError.unreadableCAFile(path)) { try ClientTLS(caFile: path) }
        #expect(ClientTLSError.unreadableCAFile(path).description.hasPrefix("--ca-file \(path): "))
    }
}
