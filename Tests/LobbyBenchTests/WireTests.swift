import STOMP
import SockJS
import Testing

@testable import LobbyBench

@Suite("Endpoints and framing")
struct WireTests {
    @Test("an http:// URL is a SockJS base: raw STOMP opens its /websocket")
    func rawFromHTTP() throws {
        let endpoint = try Endpoint(url: "http://127.0.0.1:8080/connection/", sockJS: false)
        #expect(endpoint.host == "127.0.0.1")
        #expect(endpoint.port == 8080)
        #expect(endpoint.path == "/connection/websocket")
        #expect(endpoint.hostHeader == "127.0.0.1:8080")
        var generator = SystemRandomNumberGenerator()
        let session = endpoint.sessionPath(using: &generator)
        #expect(session.path == "/connection/websocket")
        #expect(session.sessionID == nil)
    }

    @Test("a ws:// URL is opened as given")
    func rawFromWS() throws {
        let endpoint = try Endpoint(url: "ws://localhost:15674/ws", sockJS: false)
        #expect(endpoint.path == "/ws")
        #expect(endpoint.host == "localhost")
        let noPath = try Endpoint(url: "ws://localhost", sockJS: false)
        #expect(noPath.port == 80)
        #expect(noPath.path == "/")
        #expect(noPath.hostHeader == "localhost")
    }

    @Test("SockJS: every session opens {base}/{3 digits}/{8 chars}/websocket and knows its id")
    func sockJSPath() throws {
        let endpoint = try Endpoint(url: "http://127.0.0.1:8080/connection", sockJS: true)
        var generator = SystemRandomNumberGenerator()
        let (path, sessionID) = endpoint.sessionPath(using: &generator)
        let segments = path.split(separator: "/")
        #expect(segments.count == 4)
        #expect(segments[0] == "connection")
        #expect(segments[1].count == 3 && segments[1].allSatisfy(\.isNumber))
        #expect(segments[2].count == 8)
        #expect(segments[3] == "websocket")
        #expect(sessionID == String(segments[2]))
    }

    @Test("URLs that are not http:// or ws:// with a host are refused")
    func badURLs() {
        for url in ["127.0.0.1:8080", "https://h/x", "http:///x", "http://h:0/x", "http://h:99999/x", "http://h:ab/x"] {
            #expect(throws: Endpoint.ParseError.self) { try Endpoint(url: url, sockJS: false) }
        }
    }

    @Test("raw payloads are the STOMP frames back to back")
    func rawPayload() {
        let frames = [
            Outbound.subscribe(destination: "/topic/chat", id: "sub-0"),
            Outbound.send(destination: "/app/chat", body: Array(#"{"text":"hi"}"#.utf8), receipt: "r1"),
        ]
        let expected = frames.flatMap { FrameEncoder.encode($0, version: .v1_2) }
        #expect(Outbound.payload(frames, version: .v1_2, framing: .raw) == expected)
        #expect(Outbound.heartBeat(framing: .raw) == [0x0A])
    }

    @Test("SockJS payloads are a JSON array of STOMP frames")
    func sockJSPayload() throws {
        let frame = Outbound.connect(
            host: "/", login: "guest", passcode: "guest", heartBeat: HeartBeat(sendEvery: 1000, expectEvery: 0))
        let payload = Outbound.payload([frame], version: .v1_2, framing: .sockJS)
        let decoded = try SockJSJSON.decodeMessages(payload)
        #expect(decoded == [String(decoding: FrameEncoder.encode(frame, version: .v1_2), as: UTF8.self)])
        #expect(decoded[0].hasPrefix("CONNECT\naccept-version:1.0,1.1,1.2\nhost:/\nheart-beat:1000,0\nlogin:guest\n"))
        #expect(try SockJSJSON.decodeMessages(Outbound.heartBeat(framing: .sockJS)) == ["\n"])
    }

    @Test("identity and chat bodies are JSON, escaped")
    func bodies() {
        #expect(
            String(decoding: Outbound.identityBody(sessionID: "abc", name: #"a"b\c"#), as: UTF8.self)
                == #"{"sessionId":"abc","clientData":"a\"b\\c"}"#)
        let stamp = Stamp(sentAt: 123, sequence: 4, publisher: 5)
        #expect(String(decoding: Outbound.chatBody(stamp), as: UTF8.self) == #"{"text":"t=123 s=4 p=5"}"#)
    }

    @Test("raw messages: several frames and heart-beats in one, a frame split across two")
    func rawInbound() throws {
        var decoder = InboundDecoder(framing: .raw)
        let connected = Array("CONNECTED\nversion:1.2\nsession:s1\n\n\0\n".utf8)
        let message = Array("MESSAGE\ndestination:/topic/chat\ncontent-length:2\n\nhi\0".utf8)
        let events = try decoder.decode(connected + message.prefix(10))
        #expect(events.count == 2)
        guard case .frame(let first) = events[0] else {
            Issue.record("expected CONNECTED, got \(events[0])")
            return
        }
        #expect(first.command == .connected)
        #expect(first.headers["session"] == "s1")
        #expect(events[1] == .heartBeat)
        let rest = try decoder.decode(message.dropFirst(10))
        guard case .frame(let second) = rest.first else {
            Issue.record("expected MESSAGE, got \(rest)")
            return
        }
        #expect(second.command == .message)
        #expect(second.bodyText == "hi")
    }

    @Test("SockJS messages: o, h, a[…] with STOMP inside, c[…]")
    func sockJSInbound() throws {
        var decoder = InboundDecoder(framing: .sockJS)
        #expect(try decoder.decode(Array("o".utf8)) == [.open])
        #expect(try decoder.decode(Array("h".utf8)) == [.heartBeat])
        let events = try decoder.decode(Array(#"a["RECEIPT\nreceipt-id:ready\n\n\u0000","\n"]"#.utf8))
        #expect(events == [.frame(Frame(.receipt, headers: ["receipt-id": "ready"])), .heartBeat])
        #expect(try decoder.decode(Array(#"c[3000,"Go away!"]"#.utf8)) == [.closed(code: 3000, reason: "Go away!")])
        #expect(throws: (any Error).self) { try decoder.decode(Array("x".utf8)) }
    }

    @Test("the client's heart-beat interval follows STOMP's negotiation")
    func heartBeatInterval() {
        let offer = HeartBeat(sendEvery: 1000, expectEvery: 1000)
        #expect(clientSendInterval(offer: offer, connectedHeader: "10000,10000") == 10_000)
        #expect(clientSendInterval(offer: offer, connectedHeader: "0,500") == 1000)
        #expect(clientSendInterval(offer: offer, connectedHeader: "500,0") == 0)
        #expect(clientSendInterval(offer: .off, connectedHeader: "1000,1000") == 0)
        #expect(clientSendInterval(offer: offer, connectedHeader: nil) == 0)
        #expect(clientSendInterval(offer: offer, connectedHeader: "bogus") == 0)
    }
}
