import STOMP
import Testing

@Suite("FrameParser: malformed input")
struct FrameParserErrorTests {
    @Test(
        "malformed frames are refused with their own code",
        arguments: [
            ("FOO\n\n\0", STOMPError.Code.unknownCommand),
            ("send\ndestination:/a\n\n\0", .unknownCommand),
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", .unknownCommand),
            ("SEND\nno colon here\n\n\0", .malformedHeader),
            ("SEND\n:value\n\n\0", .malformedHeader),
            ("SEND\ndestination:/a\0", .malformedFrame),
            ("SEND\0", .malformedFrame),
            ("\0", .malformedFrame),
            ("SEND\ncontent-length:2\n\nabc\0", .malformedFrame),
            ("SEND\ncontent-length:abc\n\n\0", .invalidContentLength),
            ("SEND\ncontent-length:-1\n\n\0", .invalidContentLength),
            ("SEND\ncontent-length:\n\n\0", .invalidContentLength),
            ("SEND\ncontent-length: 5\n\nhello\0", .invalidContentLength),
            ("SEND\ncontent-length:1.5\n\n\0", .invalidContentLength),
            ("SEND\ncontent-length:99999999999999999999999999\n\n\0", .bodyTooLarge),
        ])
    func malformed(wire: String, code: STOMPError.Code) {
        #expect(parseError(wire)?.code == code)
    }

    @Test("invalid UTF-8 in the command is refused")
    func invalidUTF8Command() {
        #expect(parseError([0x53, 0xC3, 0x28, 0x0A, 0x0A, 0x00])?.code == .invalidUTF8)
    }

    @Test(
        "invalid UTF-8 in a header name or value is refused", arguments: [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80]])
    func invalidUTF8Header(badBytes: [UInt8]) {
        #expect(parseError(bytes("SEND\nkey:") + badBytes + bytes("\n\n\0"))?.code == .invalidUTF8)
        #expect(parseError(bytes("SEND\n") + badBytes + bytes(":value\n\n\0"))?.code == .invalidUTF8)
    }

    @Test("the body is not checked for UTF-8: it is octets")
    func binaryBody() throws {
        let frames = try parseEvents(bytes("SEND\ncontent-length:2\n\n") + [0xFF, 0xFE, 0x00])
        #expect(frames == [.frame(Frame(.send, headers: ["content-length": "2"], body: [0xFF, 0xFE]))])
    }

    @Test("after an error the parser stays failed, even when valid data follows")
    func staysFailed() throws {
        var parser = FrameParser()
        parser.append(bytes("FOO\n\n\0"))
        #expect(throws: STOMPError.self) { try parser.next() }
        parser.append(bytes("SEND\ndestination:/a\n\n\0"))
        #expect(parser.bufferedByteCount == 0, "bytes after a failure are dropped, not buffered")
        let error = #expect(throws: STOMPError.self) { try parser.next() }
        #expect(error?.code == .unknownCommand)
    }

    @Test("frames before the error are still returned")
    func framesBeforeError() throws {
        var parser = FrameParser()
        parser.append(bytes("SEND\ndestination:/a\n\n\0BOGUS\n\n\0"))
        #expect(try parser.next() == .frame(Frame(.send, headers: ["destination": "/a"])))
        #expect(throws: STOMPError.self) { try parser.next() }
    }

    @Test("an unknown command is noticed before its line ends")
    func unknownCommandEarly() {
        // No EOL yet, but no command is this long.
        #expect(parseError("HELLOWORLDXYZ")?.code == .unknownCommand)
        #expect(parseError("DISCONNECT\r") == nil)
    }

    @Test("error messages carry nothing that header escaping would change")
    func messagesNeedNoEscaping() {
        let inputs = [
            "FOO\n\n\0", "SEND\nx\n\n\0", "SEND\nk:\\t\n\n\0", "SEND\ncontent-length:x\n\n\0", "SEND\0",
            String(repeating: "x", count: 100),
        ]
        for input in inputs {
            let message = parseError(input, limits: Limits(maxFrameSize: 50))?.message ?? ""
            #expect(!message.isEmpty)
            #expect(!message.contains(where: { ":\\\n\r".contains($0) }), "\(message)")
        }
    }
}
