import Foundation
import Testing

@testable import LobbyBench

@Suite("The tool's WebSocket handshake")
struct WebSocketHandshakeTests {
    @Test func theRequestIsAnRFC6455Upgrade() {
        let request = WebSocketHandshake.request(path: "/connection/websocket", host: "127.0.0.1:8080", key: "k==")
        #expect(
            request
                == "GET /connection/websocket HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: k==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    }

    @Test func theKeyIsSixteenRandomBytesInBase64() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            let key = WebSocketHandshake.randomKey(using: &generator)
            #expect(key.count == 24)
            #expect(Data(base64Encoded: key)?.count == 16)
        }
    }

    @Test func theHeadEndsAtTheFirstBlankLine() {
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
        #expect(WebSocketHandshake.responseHeadLength(Array((head + "o").utf8)) == head.utf8.count)
        #expect(WebSocketHandshake.responseHeadLength(Array(head.utf8.dropLast())) == nil)
        // A lone CR inside a line does not confuse the search.
        let odd = "HTTP/1.1 101 X\r\nA: b\r\r\n\r\n"
        #expect(WebSocketHandshake.responseHeadLength(Array(odd.utf8)) == odd.utf8.count)
    }

    @Test func only101WithUpgradeWebsocketIsAccepted() {
        let accepted = "HTTP/1.1 101 Switching Protocols\r\nupgrade:  WebSocket \r\nConnection: Upgrade\r\n\r\n"
        #expect(WebSocketHandshake.problem(inResponseHead: accepted) == nil)
        let refused = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
        #expect(WebSocketHandshake.problem(inResponseHead: refused)?.contains("refused") == true)
        let noUpgrade = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n"
        #expect(WebSocketHandshake.problem(inResponseHead: noUpgrade)?.contains("Upgrade: websocket") == true)
        #expect(WebSocketHandshake.problem(inResponseHead: "SSH-2.0-OpenSSH\r\n\r\n")?.contains("not HTTP") == true)
        #expect(WebSocketHandshake.problem(inResponseHead: "\r\n\r\n") != nil)
    }
}
