import STOMP
import Testing

@Suite("FrameParser: limits")
struct FrameParserLimitTests {
    /// `SEND\n` + `count` headers `hN:v\n` + `\n` + body + NUL.
    static func frame(headerCount: Int = 0, body: String = "", contentLength: Bool = false) -> [UInt8] {
        var text = "SEND\n"
        for index in 0..<headerCount {
            text += "h\(index):v\n"
        }
        if contentLength {
            text += "content-length:\(body.utf8.count)\n"
        }
        return bytes(text + "\n" + body + "\0")
    }

    @Test("a frame of exactly maxFrameSize bytes passes; one more byte is too large", arguments: [false, true])
    func frameSizeBoundary(contentLength: Bool) {
        let exact = Self.frame(body: "0123456789", contentLength: contentLength)
        #expect(parseError(exact, limits: Limits(maxFrameSize: exact.count)) == nil)
        #expect(parseError(exact, limits: Limits(maxFrameSize: exact.count - 1))?.code == .frameTooLarge)
    }

    @Test("headers alone can make a frame too large, without any EOL in sight")
    func frameTooLargeInHeaders() {
        let limits = Limits(maxFrameSize: 100, maxHeaderLineLength: 1_000)
        #expect(
            parseError(bytes("SEND\nkey:" + String(repeating: "v", count: 200)), limits: limits)?.code == .frameTooLarge
        )
        #expect(parseError(Self.frame(headerCount: 30), limits: limits)?.code == .frameTooLarge)
    }

    @Test("a declared content-length beyond the frame limit is refused before the body arrives")
    func frameTooLargeByContentLength() {
        let limits = Limits(maxFrameSize: 1_000, maxBodySize: 100_000)
        #expect(parseError(bytes("SEND\ncontent-length:5000\n\n"), limits: limits)?.code == .frameTooLarge)
    }

    @Test("a declared content-length beyond the body limit is refused before the body arrives")
    func bodyTooLargeByContentLength() {
        let limits = Limits(maxFrameSize: 100_000, maxBodySize: 10)
        #expect(parseError(bytes("SEND\ncontent-length:11\n\n"), limits: limits)?.code == .bodyTooLarge)
        #expect(parseError(Self.frame(body: "0123456789", contentLength: true), limits: limits) == nil)
    }

    @Test("a body without content-length is refused once it outgrows the body limit", arguments: [1, 7, 1_000])
    func bodyTooLargeWithoutContentLength(chunkSize: Int) {
        let limits = Limits(maxFrameSize: 100_000, maxBodySize: 10)
        #expect(parseError(Self.frame(body: "0123456789"), chunkSize: chunkSize, limits: limits) == nil)
        let unterminated = bytes("SEND\n\n01234567890")
        #expect(parseError(unterminated, chunkSize: chunkSize, limits: limits)?.code == .bodyTooLarge)
    }

    @Test("a body without content-length is refused once the frame outgrows the frame limit")
    func frameTooLargeWithoutContentLength() {
        let header = bytes("SEND\n\n")
        let limits = Limits(maxFrameSize: header.count + 10, maxBodySize: 1_000)
        #expect(parseError(header + bytes("012345678\0"), limits: limits) == nil)
        #expect(parseError(header + bytes("0123456789"), limits: limits)?.code == .frameTooLarge)
    }

    @Test("a 10 MB body is refused on the first chunk, not after buffering it")
    func hugeBodyRefusedEarly() throws {
        var parser = FrameParser()
        parser.append(bytes("SEND\ndestination:/a\n\n"))
        #expect(try parser.next() == nil)
        parser.append([UInt8](repeating: 0x61, count: 1 << 20))
        let error = #expect(throws: STOMPError.self) { try parser.next() }
        #expect(error?.code == .frameTooLarge)
    }

    @Test("exactly maxHeaderCount headers pass; one more is too many")
    func headerCountBoundary() {
        let limits = Limits(maxHeaderCount: 5)
        #expect(parseError(Self.frame(headerCount: 5), limits: limits) == nil)
        #expect(parseError(Self.frame(headerCount: 6), limits: limits)?.code == .tooManyHeaders)
    }

    @Test("repeated names count towards maxHeaderCount each time")
    func repeatedHeadersCount() {
        let limits = Limits(maxHeaderCount: 2)
        #expect(parseError("SEND\na:1\na:2\na:3\n\n\0", limits: limits)?.code == .tooManyHeaders)
    }

    @Test("a header line of exactly maxHeaderLineLength passes, with LF or CR LF", arguments: ["\n", "\r\n"])
    func headerLineBoundary(eol: String) {
        let limits = Limits(maxHeaderLineLength: 10)
        let exact = "key:" + String(repeating: "v", count: 6)
        #expect(parseError("SEND\(eol)\(exact)\(eol)\(eol)\0", limits: limits) == nil)
        #expect(parseError("SEND\(eol)\(exact)v\(eol)\(eol)\0", limits: limits)?.code == .headerLineTooLong)
    }

    @Test("a header line too long is noticed before its EOL arrives", arguments: [1, 3, 100])
    func headerLineTooLongEarly(chunkSize: Int) {
        let limits = Limits(maxHeaderLineLength: 10)
        #expect(
            parseError(bytes("SEND\nkey:vvvvvvv"), chunkSize: chunkSize, limits: limits)?.code == .headerLineTooLong)
        // Ten bytes and a CR might still be a fitting line: wait for the LF.
        #expect(parseError(bytes("SEND\nkey:vvvvvv\r"), chunkSize: chunkSize, limits: limits) == nil)
    }

    @Test("the defaults are 64 KiB frames and bodies, 64 headers, 8 KiB header lines")
    func defaults() {
        #expect(
            Limits.default
                == Limits(maxFrameSize: 65_536, maxHeaderCount: 64, maxHeaderLineLength: 8_192, maxBodySize: 65_536))
    }
}
