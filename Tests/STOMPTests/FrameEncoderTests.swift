import STOMP
import Testing

@Suite("FrameEncoder")
struct FrameEncoderTests {
    private func wire(_ frame: Frame, _ version: Version = .v1_2) -> String {
        String(decoding: FrameEncoder.encode(frame, version: version), as: UTF8.self)
    }

    @Test("a frame is command, headers, content-length, blank line, body, NUL")
    func layout() {
        let frame = Frame(.send, headers: ["destination": "/app/chat"], text: "hi")
        #expect(wire(frame) == "SEND\ndestination:/app/chat\ncontent-length:2\n\nhi\0")
    }

    @Test("content-length is written for SEND, MESSAGE and ERROR even when the body is empty")
    func emptyBodies() {
        #expect(wire(Frame(.message)) == "MESSAGE\ncontent-length:0\n\n\0")
        #expect(wire(Frame(.send)) == "SEND\ncontent-length:0\n\n\0")
        #expect(wire(Frame(.error)) == "ERROR\ncontent-length:0\n\n\0")
        #expect(wire(Frame(.receipt, headers: ["receipt-id": "7"])) == "RECEIPT\nreceipt-id:7\n\n\0")
    }

    @Test("a content-length given by the caller is replaced by the real one")
    func callerContentLengthReplaced() {
        let frame = Frame(.message, headers: ["content-length": "999", "a": "b", "content-length": "1"], text: "abc")
        #expect(wire(frame) == "MESSAGE\na:b\ncontent-length:3\n\nabc\0")
    }

    @Test(
        "header escaping follows the version",
        arguments: [
            (Version.v1_0, "MESSAGE\nk:a b:c\\d e\ncontent-length:0\n\n\0"),
            (.v1_1, "MESSAGE\nk:a\\nb\\cc\\\\d e\ncontent-length:0\n\n\0"),
            (.v1_2, "MESSAGE\nk:a\\nb\\cc\\\\d\\re\ncontent-length:0\n\n\0"),
        ])
    func escapingPerVersion(version: Version, expected: String) {
        #expect(wire(Frame(.message, headers: ["k": "a\nb:c\\d\re"]), version) == expected)
    }

    @Test("CONNECT and CONNECTED headers are never escaped, and line breaks in them cannot inject headers")
    func connectFramesUnescaped() {
        let connected = Frame(.connected, headers: ["server": "lobby/1.0", "session": "a\nmessage:x"])
        #expect(wire(connected) == "CONNECTED\nserver:lobby/1.0\nsession:a message:x\n\n\0")
        #expect(wire(Frame(.connect, headers: ["login": "a\\b"])) == "CONNECT\nlogin:a\\b\n\n\0")
    }

    @Test("NUL in headers is replaced, names without escapes lose their colons, empty names are dropped")
    func unrepresentableHeaders() {
        #expect(wire(Frame(.receipt, headers: ["a\0b": "c\0d"])) == "RECEIPT\na b:c d\n\n\0")
        #expect(wire(Frame(.receipt, headers: ["a:b": "c"]), .v1_0) == "RECEIPT\na b:c\n\n\0")
        #expect(wire(Frame(.receipt, headers: ["": "x", "k": "v"])) == "RECEIPT\nk:v\n\n\0")
    }

    @Test("a body containing NUL is carried whole by its content-length")
    func bodyWithNull() throws {
        let frame = Frame(.message, headers: ["destination": "/topic/chat"], body: [1, 0, 2, 0])
        let parsed = try parseEvents(FrameEncoder.encode(frame, version: .v1_2))
        var expected = frame
        expected.headers.append("content-length", "4")
        #expect(parsed == [.frame(expected)])
    }

    @Test("a heart-beat is a single LF")
    func heartBeat() {
        #expect(FrameEncoder.heartBeat == [0x0A])
    }
}
