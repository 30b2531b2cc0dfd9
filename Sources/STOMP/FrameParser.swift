/// What the parser found next in the byte stream.
public enum FrameParserEvent: Sendable, Equatable {
    /// A complete frame.
    case frame(Frame)
    /// An end-of-line between frames: the peer's heart-beat.
    case heartBeat
}

/// An incremental STOMP frame parser: feed it chunks as they arrive, then drain it with `next()`.
///
/// The same events come out however the stream is split. End-of-lines are `\n` or `\r\n`
/// everywhere; a body runs to `content-length` octets when that header is present (so it may hold
/// NUL) and to the first NUL otherwise. Every EOL found where a command could start is reported as
/// a ``FrameParserEvent/heartBeat``, including those trailing a frame's NUL.
///
/// ```swift
/// var parser = FrameParser()
/// parser.append(chunk)
/// while let event = try parser.next() { … }
/// ```
///
/// Once `next()` throws, the stream is unusable (the parser cannot know where the next frame
/// starts), so every later call throws the same error.
public struct FrameParser: Sendable {
    /// The limits checked while parsing.
    public var limits: Limits
    /// The version whose header escaping applies; set it to the negotiated one after `CONNECT`.
    public var version: Version

    private var buffer: [UInt8] = []
    /// The first byte not yet consumed: the start of the current line or body.
    private var readIndex = 0
    /// How many bytes past `readIndex` are known not to hold the delimiter being looked for, so
    /// that a stream fed one byte at a time is not rescanned from the start of the line each time.
    private var scannedCount = 0
    private var state: State = .betweenFrames

    private enum State: Sendable {
        /// Expecting heart-beat EOLs or a command line.
        case betweenFrames
        case headers(PartialFrame)
        case body(PartialFrame, contentLength: Int?)
        case failed(STOMPError)
    }

    private struct PartialFrame: Sendable {
        var command: Command
        var headers = Headers()
        /// Bytes of this frame consumed so far, counted against ``Limits/maxFrameSize``.
        var byteCount: Int
    }

    public init(limits: Limits = .default, version: Version = .v1_2) {
        self.limits = limits
        self.version = version
    }

    /// Adds bytes received from the peer; they are parsed by the following `next()` calls.
    /// Once the parser has failed, bytes are dropped: they will never be parsed.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if case .failed = state {
            buffer = []
            readIndex = 0
            return
        }
        discardConsumedBytes()
        buffer.append(contentsOf: bytes)
    }

    /// The next frame or heart-beat, or nil when more bytes are needed.
    public mutating func next() throws(STOMPError) -> FrameParserEvent? {
        do throws(STOMPError) {
            return try parseNext()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    /// The number of bytes received but not yet returned as part of an event.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    private mutating func parseNext() throws(STOMPError) -> FrameParserEvent? {
        while true {
            switch state {
            case .failed(let error):
                throw error
            case .betweenFrames:
                switch try parseCommandLine() {
                case .needMoreData: return nil
                case .heartBeat: return .heartBeat
                case .command(let frame): state = .headers(frame)
                }
            case .headers(let frame):
                switch try parseHeaderLine(of: frame) {
                case .needMoreData: return nil
                case .header(let frame): state = .headers(frame)
                case .endOfHeaders(let frame, let contentLength): state = .body(frame, contentLength: contentLength)
                }
            case .body(let frame, let contentLength):
                guard let body = try parseBody(of: frame, contentLength: contentLength) else { return nil }
                state = .betweenFrames
                return .frame(Frame(frame.command, headers: frame.headers, body: body))
            }
        }
    }

    private enum CommandLineStep {
        case needMoreData
        case heartBeat
        case command(PartialFrame)
    }

    private mutating func parseCommandLine() throws(STOMPError) -> CommandLineStep {
        switch scanLine(maxLength: Command.longestCommandLength) {
        case .needMoreData:
            return .needMoreData
        case .tooLong:
            throw STOMPError(.unknownCommand, message: "unknown command")
        case .endedByNull:
            throw STOMPError(.malformedFrame, message: "frame ended before its headers")
        case .line(let content, let length):
            consume(length)
            if content.isEmpty {
                return .heartBeat
            }
            guard let text = String(validating: buffer[content], as: UTF8.self) else {
                throw STOMPError(.invalidUTF8, message: "command is not valid UTF-8")
            }
            guard let command = Command(rawValue: text) else {
                throw STOMPError(.unknownCommand, message: "unknown command")
            }
            return .command(PartialFrame(command: command, byteCount: length))
        }
    }

    private enum HeaderLineStep {
        case needMoreData
        case header(PartialFrame)
        case endOfHeaders(PartialFrame, contentLength: Int?)
    }

    /// Reads one header line, or the blank line ending the headers.
    ///
    /// The line may only be as long as both the line limit and the frame limit allow, so a long
    /// line is refused after a bounded look and the same error comes out however the stream is split.
    private mutating func parseHeaderLine(of frame: PartialFrame) throws(STOMPError) -> HeaderLineStep {
        // After this line's content: its LF, the blank line's LF and the NUL.
        let frameAllowance = limits.maxFrameSize - frame.byteCount - 3
        switch scanLine(maxLength: min(limits.maxHeaderLineLength, max(0, frameAllowance))) {
        case .needMoreData:
            return .needMoreData
        case .tooLong where limits.maxHeaderLineLength <= frameAllowance:
            throw STOMPError(
                .headerLineTooLong, message: "header line exceeds \(limits.maxHeaderLineLength) bytes")
        case .tooLong:
            throw Self.frameTooLarge(limits)
        case .endedByNull:
            throw STOMPError(.malformedFrame, message: "frame ended before the blank line after its headers")
        case .line(let content, let length):
            var frame = frame
            frame.byteCount += length
            if content.isEmpty {
                consume(length)
                return .endOfHeaders(frame, contentLength: try contentLength(of: frame))
            }
            // A CR before the LF may have used up the room for the blank line and the NUL.
            if frame.byteCount + 2 > limits.maxFrameSize {
                throw Self.frameTooLarge(limits)
            }
            guard frame.headers.count < limits.maxHeaderCount else {
                throw STOMPError(.tooManyHeaders, message: "frame has more than \(limits.maxHeaderCount) headers")
            }
            let (name, value) = try parseHeader(buffer[content], command: frame.command)
            consume(length)
            frame.headers.append(name, value)
            return .header(frame)
        }
    }

    private func parseHeader(
        _ line: ArraySlice<UInt8>, command: Command
    ) throws(STOMPError) -> (String, String) {
        guard String(validating: line, as: UTF8.self) != nil else {
            throw STOMPError(.invalidUTF8, message: "header is not valid UTF-8")
        }
        guard let colon = line.firstIndex(of: ASCII.colon), colon > line.startIndex else {
            throw STOMPError(.malformedHeader, message: "header line is not name and value")
        }
        let escaping = HeaderEscaping(version: version, command: command)
        let name = try escaping.unescape(line[..<colon])
        let value = try escaping.unescape(line[line.index(after: colon)...])
        // Unescaping only replaces ASCII escapes with ASCII bytes, so valid UTF-8 stays valid.
        return (String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }

    /// The body length announced by the frame's first `content-length` header, checked against the
    /// limits now, before any of the body is buffered.
    private func contentLength(of frame: PartialFrame) throws(STOMPError) -> Int? {
        if frame.byteCount + 1 > limits.maxFrameSize {
            throw Self.frameTooLarge(limits)
        }
        guard let text = frame.headers["content-length"] else { return nil }
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ (ASCII.zero...ASCII.nine).contains($0) }) else {
            throw STOMPError(.invalidContentLength, message: "content-length is not a number of octets")
        }
        // A number too long for Int is certainly beyond any body limit.
        guard let length = Int(text), length <= limits.maxBodySize else {
            throw Self.bodyTooLarge(limits)
        }
        if length > limits.maxFrameSize - frame.byteCount - 1 {
            throw Self.frameTooLarge(limits)
        }
        return length
    }

    /// Reads the body and its closing NUL; nil when more bytes are needed.
    private mutating func parseBody(of frame: PartialFrame, contentLength: Int?) throws(STOMPError) -> [UInt8]? {
        let available = buffer.count - readIndex
        if let contentLength {
            guard available > contentLength else { return nil }
            guard buffer[readIndex + contentLength] == ASCII.null else {
                throw STOMPError(.malformedFrame, message: "body is not followed by NUL")
            }
            let body = Array(buffer[readIndex..<readIndex + contentLength])
            consume(contentLength + 1)
            return body
        }
        // No length: the body runs to the first NUL, which must come within both limits.
        let frameBudget = limits.maxFrameSize - frame.byteCount - 1
        let allowedLength = min(limits.maxBodySize, frameBudget)
        let searchEnd = readIndex + min(available, allowedLength + 1)
        if let null = buffer[(readIndex + scannedCount)..<searchEnd].firstIndex(of: ASCII.null) {
            let body = Array(buffer[readIndex..<null])
            consume(null + 1 - readIndex)
            return body
        }
        scannedCount = searchEnd - readIndex
        guard available <= allowedLength else {
            throw allowedLength == limits.maxBodySize ? Self.bodyTooLarge(limits) : Self.frameTooLarge(limits)
        }
        return nil
    }

    private enum LineScan {
        case needMoreData
        /// No EOL within `maxLength` bytes of content.
        case tooLong
        /// A NUL came before the EOL.
        case endedByNull
        /// `content` excludes the EOL; `length` includes it.
        case line(content: Range<Int>, length: Int)
    }

    /// Looks for the EOL ending the line at `readIndex`, examining at most `maxLength` + 2 bytes.
    ///
    /// The answer depends only on the bytes, never on how they were split: a line is too long only
    /// once more than `maxLength` content bytes are certain.
    private mutating func scanLine(maxLength: Int) -> LineScan {
        let available = buffer.count - readIndex
        // Content, then CR, then LF: anything further cannot end a line that fits.
        let window = available - maxLength >= 2 ? maxLength + 2 : available
        let searchEnd = readIndex + window
        var index = readIndex + scannedCount
        while index < searchEnd {
            let byte = buffer[index]
            if byte == ASCII.lineFeed {
                var contentEnd = index
                if contentEnd > readIndex && buffer[contentEnd - 1] == ASCII.carriageReturn {
                    contentEnd -= 1
                }
                guard contentEnd - readIndex <= maxLength else { return .tooLong }
                return .line(content: readIndex..<contentEnd, length: index + 1 - readIndex)
            }
            if byte == ASCII.null {
                // Past the longest content that fits (and not right after a CR, which may start
                // the EOL), the line is too long whatever follows: a split stream says so before
                // the NUL arrives, so the whole one must too (found by the stomp-parser fuzzer).
                if index - readIndex > maxLength && buffer[index - 1] != ASCII.carriageReturn {
                    return .tooLong
                }
                return .endedByNull
            }
            index += 1
        }
        scannedCount = index - readIndex
        if available - maxLength > 1 || (available - maxLength == 1 && buffer[searchEnd - 1] != ASCII.carriageReturn) {
            return .tooLong
        }
        return .needMoreData
    }

    private mutating func consume(_ count: Int) {
        readIndex += count
        scannedCount = 0
    }

    /// Drops consumed bytes once they are worth the copy, keeping appends amortised O(1).
    private mutating func discardConsumedBytes() {
        guard readIndex > 0 else { return }
        if readIndex == buffer.count {
            // Everything parsed: release the storage, so an idle connection holds no buffer.
            buffer = []
            readIndex = 0
        } else if readIndex >= 4_096 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }

    private static func frameTooLarge(_ limits: Limits) -> STOMPError {
        STOMPError(.frameTooLarge, message: "frame exceeds \(limits.maxFrameSize) bytes")
    }

    private static func bodyTooLarge(_ limits: Limits) -> STOMPError {
        STOMPError(.bodyTooLarge, message: "body exceeds \(limits.maxBodySize) bytes")
    }
}
