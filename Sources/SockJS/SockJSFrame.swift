/// One SockJS frame from the server to the client.
///
/// | frame | encoded |
/// | --- | --- |
/// | `.open` | `o` |
/// | `.heartbeat` | `h` |
/// | `.messages(["a", "b"])` | `a["a","b"]` |
/// | `.close(code: 3000, reason: "Go away!")` | `c[3000,"Go away!"]` |
///
/// Strings are escaped with `SockJSJSON.escape(_:)`. HTTP transports add their own framing
/// around `encoded` (see `Transport.framed(_:callback:)`); WebSocket sends it as one text message.
public enum SockJSFrame: Sendable, Equatable {
    case open
    case heartbeat
    case messages([String])
    case close(code: Int, reason: String)

    /// `3000 "Go away!"`: a session the server closed (the `/close` test service's answer, also as
    /// a WebSocket close status).
    public static let goAwayStatus: (code: Int, reason: String) = (3000, "Go away!")

    /// `c[3000,"Go away!"]`: the close frame of a session the server closed.
    public static let goAway = SockJSFrame.close(code: goAwayStatus.code, reason: goAwayStatus.reason)

    /// `2010 "Another connection still open"`: the session id already has a receiver.
    public static let anotherConnectionStillOpenStatus: (code: Int, reason: String) = (
        2010, "Another connection still open"
    )

    /// `c[2010,"Another connection still open"]`: the answer to a second concurrent receiving request.
    public static let anotherConnectionStillOpen = SockJSFrame.close(
        code: anotherConnectionStillOpenStatus.code, reason: anotherConnectionStillOpenStatus.reason)

    /// `c[1002,"Connection interrupted"]`: what a session answers after a receiving request was
    /// cut off mid-response (the client aborted it, or its connection failed).
    public static let connectionInterrupted = SockJSFrame.close(code: 1002, reason: "Connection interrupted")

    /// The frame as text: `o`, `h`, `a[…]` or `c[code,"reason"]`.
    public var encoded: String {
        String(decoding: encodedBytes, as: UTF8.self)
    }

    /// The frame as UTF-8 bytes.
    public var encodedBytes: [UInt8] {
        switch self {
        case .open:
            return [0x6F]  // o
        case .heartbeat:
            return [0x68]  // h
        case .messages(let messages):
            var bytes: [UInt8] = [0x61]  // a
            SockJSJSON.appendArray(messages, to: &bytes)
            return bytes
        case .close(let code, let reason):
            var bytes: [UInt8] = [0x63, ASCII.leftBracket]  // c[
            bytes += Array(String(code).utf8)
            bytes += [ASCII.comma, ASCII.quote]
            SockJSJSON.appendEscaped(reason, to: &bytes)
            bytes += [ASCII.quote, ASCII.rightBracket]
            return bytes
        }
    }

    /// Parses a frame the server sent, for clients.
    ///
    /// One trailing newline (as the `xhr` transports add) is ignored. `a` frames must carry
    /// an array of strings; `c` frames an integer code and a string reason.
    ///
    /// ```swift
    /// try SockJSFrame(parsing: #"a["CONNECTED\n\n\u0000"]"#)  // .messages(["CONNECTED\n\n\0"])
    /// ```
    ///
    /// - Throws: `SockJSError.invalidFrame` for an empty or unknown frame;
    ///   `SockJSError.brokenJSON` or `.invalidUTF8` for a malformed `a` or `c` body.
    public init(parsing text: String) throws(SockJSError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses a frame the server sent, from UTF-8 bytes. See `init(parsing:)`.
    public init(parsing bytes: some Collection<UInt8>) throws(SockJSError) {
        var frame = Array(bytes)
        if frame.last == ASCII.newline {
            frame.removeLast()
        }
        switch frame.first {
        case 0x6F where frame.count == 1:  // o
            self = .open
        case 0x68 where frame.count == 1:  // h
            self = .heartbeat
        case 0x61:  // a
            var reader = try JSONReader(validating: frame, from: 1)
            guard reader.peek() == ASCII.leftBracket else { throw .invalidFrame }
            let messages = try reader.readStringArray()
            try reader.expectEnd()
            self = .messages(messages)
        case 0x63:  // c
            var reader = try JSONReader(validating: frame, from: 1)
            guard reader.peek() == ASCII.leftBracket else { throw .invalidFrame }
            try reader.expect(ASCII.leftBracket)
            let code = try reader.readInteger()
            try reader.expect(ASCII.comma)
            let reason = try reader.readString()
            try reader.expect(ASCII.rightBracket)
            try reader.expectEnd()
            self = .close(code: code, reason: reason)
        default:
            throw .invalidFrame
        }
    }
}
