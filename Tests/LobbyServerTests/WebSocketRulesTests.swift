import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import LobbyServer

/// RFC 6455's rules on what a peer sends (close codes, close payloads, reserved bits and
/// opcodes, fragment order), and the frame guard that fails a connection on them.
@Suite struct WebSocketRulesTests {
    private func closePayload(_ code: UInt16?, reason: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        if let code { buffer.writeInteger(code) }
        buffer.writeBytes(reason)
        return buffer
    }

    @Test(arguments: [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999])
    func aCodeAPeerMaySendIsValid(code: UInt16) {
        #expect(WebSocketRules.isValidCloseCode(code))
    }

    @Test(arguments: [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535])
    func aReservedOrUndefinedCodeIsNot(code: UInt16) {
        #expect(!WebSocketRules.isValidCloseCode(code))
    }

    @Test func aValidCloseIsEchoedWithItsCode() {
        #expect(WebSocketRules.closeReply(toPayload: closePayload(1000)) == .normalClosure)
        #expect(
            WebSocketRules.closeReply(toPayload: closePayload(4999, reason: Array("bye ✓".utf8)))
                == WebSocketErrorCode(codeNumber: 4999))
    }

    @Test func anEmptyCloseIsANormalClosure() {
        #expect(WebSocketRules.closeReply(toPayload: ByteBuffer()) == .normalClosure)
    }

    @Test func aOneBytePayloadOrABadCodeIsAProtocolError() {
        #expect(WebSocketRules.closeReply(toPayload: ByteBuffer(bytes: [0x03])) == .protocolError)
        #expect(WebSocketRules.closeReply(toPayload: closePayload(1005)) == .protocolError)
        #expect(WebSocketRules.closeReply(toPayload: closePayload(5000)) == .protocolError)
    }

    @Test func aReasonThatIsNotUTF8Is1007() {
        let reply = WebSocketRules.closeReply(toPayload: closePayload(1000, reason: [0xCE, 0xBA, 0xED, 0xA0, 0x80]))
        #expect(reply == .dataInconsistentWithMessage)
    }

    @Test func textMustBeUTF8IncludingNoncharactersAndAstralPlanes() {
        #expect(WebSocketRules.isValidText(ByteBuffer(string: "\u{FFFF} \u{10FFFF} 👩‍👩‍👧")))
        #expect(WebSocketRules.isValidText(ByteBuffer()))
        // A surrogate (U+D800) encoded in UTF-8, an overlong slash, a truncated sequence.
        #expect(!WebSocketRules.isValidText(ByteBuffer(bytes: [0xED, 0xA0, 0x80])))
        #expect(!WebSocketRules.isValidText(ByteBuffer(bytes: [0xC0, 0xAF])))
        #expect(!WebSocketRules.isValidText(ByteBuffer(bytes: [0xE2, 0x82])))
    }

    @Test func reservedBitsAndOpcodesAreProtocolErrors() {
        var frame = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer())
        #expect(WebSocketRules.headerViolation(of: frame) == nil)
        frame.rsv2 = true
        #expect(WebSocketRules.headerViolation(of: frame) == .protocolError)
        for raw: UInt8 in [0x3, 0x7, 0xB, 0xF] {
            let opcode = WebSocketOpcode(encodedWebSocketOpcode: raw)!
            let reserved = WebSocketFrame(fin: true, opcode: opcode, data: ByteBuffer())
            #expect(WebSocketRules.headerViolation(of: reserved) == .protocolError, "opcode \(raw)")
        }
    }

    @Test func continuationsMustContinueAMessage() {
        var sequence = WebSocketRules.FragmentSequence()
        let frames: [(WebSocketOpcode, fin: Bool)] = [
            (.continuation, true), (.text, false), (.ping, true), (.binary, true), (.continuation, false),
            (.continuation, true), (.binary, true),
        ]
        let accepted = frames.map { sequence.accept($0.0, fin: $0.fin) }
        #expect(accepted == [false, true, true, false, true, true, true])
        #expect(!sequence.inFragmentedMessage)
    }

    @Test func theGuardFailsTheConnectionWith1002AndPassesNothingOn() throws {
        let channel = EmbeddedChannel(handler: WebSocketMessageReader())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let good = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer(string: "hi"))
        try channel.writeInbound(good)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == good)

        var bad = WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer())
        bad.rsv1 = true
        try channel.writeInbound(bad)
        try channel.writeInbound(good)
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        let close = try #require(try channel.readOutbound(as: WebSocketFrame.self))
        #expect(close.opcode == .connectionClose)
        var payload = close.unmaskedData
        #expect(payload.readWebSocketErrorCode() == .protocolError)
        #expect(!channel.isActive)
    }
}

/// The fragment-by-fragment UTF-8 check must agree with the standard library's on whole texts,
/// wherever the text is cut.
@Suite struct UTF8StreamValidatorTests {
    private func validates(_ pieces: [[UInt8]]) -> Bool {
        var validator = UTF8StreamValidator()
        for piece in pieces {
            for byte in piece where !validator.consume(byte) { return false }
        }
        return validator.isAtCharacterBoundary
    }

    @Test(arguments: [
        "", "plain ASCII", "héllo", "한국어", "\u{FFFF}", "\u{10FFFF}", "😀 astral", "\u{7F}\u{80}\u{7FF}\u{800}",
    ])
    func wellFormedTextIsAcceptedCutAnywhere(text: String) {
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            #expect(validates([Array(bytes[..<cut]), Array(bytes[cut...])]))
        }
    }

    @Test(
        arguments: [
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0x80], [0xFF], [0xCE, 0xBA, 0xE1],
        ] as [[UInt8]])
    func illFormedBytesAreRefused(bytes: [UInt8]) {
        #expect(!validates([bytes]))
        #expect(String(validating: bytes, as: UTF8.self) == nil)
    }

    @Test("property: the verdict matches String(validating:) on random bytes cut at random points")
    func matchesTheStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [
            0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5,
        ]
        for _ in 0..<5_000 {
            let count = Int.random(in: 0...8, using: &generator)
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            let cut = Int.random(in: 0...count, using: &generator)
            let expected = String(validating: bytes, as: UTF8.self) != nil
            #expect(validates([Array(bytes[..<cut]), Array(bytes[cut...])]) == expected, "\(bytes)")
        }
    }

    private static func closeCode(_ channel: EmbeddedChannel) throws -> WebSocketErrorCode? {
        guard let close = try channel.readOutbound(as: WebSocketFrame.self), close.opcode == .connectionClose else {
            return nil
        }
        var payload = close.unmaskedData
        return payload.readWebSocketErrorCode()
    }

    @Test("the reader fails a text message at its first bad fragment with 1007")
    func readerFailsFast() throws {
        let channel = EmbeddedChannel(handler: WebSocketMessageReader())
        var first = ByteBuffer(bytes: Array("ok ".utf8) + [0xCE])
        let key: WebSocketMaskingKey = [1, 2, 3, 4]
        first.webSocketMask(key)
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .text, maskKey: key, data: first))
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil, "a cut character may go on")
        // 0xCE needs a continuation byte; 0x41 is not one: fail now, not at the message's end.
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(bytes: [0x41])))
        #expect(try Self.closeCode(channel) == .dataInconsistentWithMessage)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer()))
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil, "nothing passes after the failure")
    }

    @Test("a text message that ends inside a character fails with 1007; binary is not checked")
    func readerChecksTheEnd() throws {
        let channel = EmbeddedChannel(handler: WebSocketMessageReader())
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: [0xFF, 0xCE])))
        #expect(try channel.readInbound(as: WebSocketFrame.self)?.data == ByteBuffer(bytes: [0xFF, 0xCE]))
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(bytes: [0xF0, 0x9F])))
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(bytes: [0x98])))
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer()))
        #expect(try channel.readInbound(as: WebSocketFrame.self) == nil)
        #expect(try Self.closeCode(channel) == .dataInconsistentWithMessage)
    }

    @Test("masked fragments become one unmasked message; a ping between them passes at once")
    func reassembly() throws {
        let channel = EmbeddedChannel(handler: WebSocketMessageReader(maxMessageBytes: 100, maxFragments: 4))
        let text = Array("fragmenté 😀".utf8)
        for (index, piece) in [Array(text[..<10]), Array(text[10...])].enumerated() {
            let key: WebSocketMaskingKey = [UInt8(index + 7), 9, 11, 13]
            var data = ByteBuffer(bytes: piece)
            data.webSocketMask(key)
            try channel.writeInbound(
                WebSocketFrame(fin: index == 1, opcode: index == 0 ? .text : .continuation, maskKey: key, data: data))
            if index == 0 {
                try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: ByteBuffer(bytes: [1])))
                #expect(try channel.readInbound(as: WebSocketFrame.self)?.opcode == .ping)
            }
        }
        let message = try #require(try channel.readInbound(as: WebSocketFrame.self))
        #expect(message.fin && message.opcode == .text && message.maskKey == nil)
        #expect(String(buffer: message.data) == "fragmenté 😀")
        #expect(try channel.readOutbound(as: WebSocketFrame.self) == nil)
    }

    @Test("a fragmented message over the byte or fragment limit fails with 1009")
    func limits() throws {
        let bytes = EmbeddedChannel(handler: WebSocketMessageReader(maxMessageBytes: 8, maxFragments: 64))
        try bytes.writeInbound(
            WebSocketFrame(fin: false, opcode: .binary, data: ByteBuffer(bytes: [UInt8](repeating: 1, count: 5))))
        try bytes.writeInbound(
            WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(bytes: [UInt8](repeating: 2, count: 4))))
        #expect(try bytes.readInbound(as: WebSocketFrame.self) == nil)
        #expect(try Self.closeCode(bytes) == .messageTooLarge)

        let count = EmbeddedChannel(handler: WebSocketMessageReader(maxMessageBytes: 100, maxFragments: 3))
        try count.writeInbound(WebSocketFrame(fin: false, opcode: .text, data: ByteBuffer(string: "a")))
        try count.writeInbound(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(string: "b")))
        try count.writeInbound(WebSocketFrame(fin: false, opcode: .continuation, data: ByteBuffer(string: "c")))
        #expect(try count.readOutbound(as: WebSocketFrame.self) == nil, "three fragments are allowed")
        try count.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: ByteBuffer(string: "d")))
        #expect(try count.readInbound(as: WebSocketFrame.self) == nil)
        #expect(try Self.closeCode(count) == .messageTooLarge)
    }
}
