import STOMP
import SockJS

/// How STOMP frames ride in WebSocket text messages.
public enum Framing: String, Sendable, Equatable {
    /// One or more STOMP frames per message (Lobby's `/connection/websocket`, RabbitMQ's `/ws`).
    case raw
    /// SockJS: `o`, `h`, `a["…"]`, `c[code,"reason"]` from the server; `["…"]` from the client.
    case sockJS
}

/// The frames the benchmark sends, and their WebSocket payloads.
public enum Outbound {
    /// `CONNECT` offering STOMP 1.0–1.2 and the client's heart-beat.
    public static func connect(host: String, login: String?, passcode: String?, heartBeat: HeartBeat) -> Frame {
        var headers = Headers([
            ("accept-version", "1.0,1.1,1.2"),
            ("host", host),
            ("heart-beat", heartBeat.headerValue),
        ])
        if let login { headers.append("login", login) }
        if let passcode { headers.append("passcode", passcode) }
        return Frame(.connect, headers: headers)
    }

    public static func subscribe(destination: String, id: String, receipt: String? = nil) -> Frame {
        var headers = Headers([("destination", destination), ("id", id), ("ack", "auto")])
        if let receipt { headers.append("receipt", receipt) }
        return Frame(.subscribe, headers: headers)
    }

    public static func send(destination: String, body: [UInt8], receipt: String? = nil) -> Frame {
        var headers = Headers([("destination", destination), ("content-type", "application/json")])
        if let receipt { headers.append("receipt", receipt) }
        return Frame(.send, headers: headers, body: body)
    }

    /// The identity message Lobby expects: `{"sessionId":"…","clientData":"…"}`.
    public static func identityBody(sessionID: String, name: String) -> [UInt8] {
        Array(#"{"sessionId":"\#(jsonEscaped(sessionID))","clientData":"\#(jsonEscaped(name))"}"#.utf8)
    }

    /// A chat body carrying its send time and sequence number: `{"text":"t=<ns> s=<seq> p=<publisher>"}`.
    public static func chatBody(_ stamp: Stamp) -> [UInt8] {
        Array(#"{"text":"\#(stamp.text)"}"#.utf8)
    }

    /// One WebSocket text payload carrying `frames`.
    public static func payload(_ frames: [Frame], version: Version, framing: Framing) -> [UInt8] {
        switch framing {
        case .raw:
            var bytes: [UInt8] = []
            for frame in frames { bytes += FrameEncoder.encode(frame, version: version) }
            return bytes
        case .sockJS:
            let strings = frames.map { String(decoding: FrameEncoder.encode($0, version: version), as: UTF8.self) }
            return Array(SockJSJSON.encodeArray(strings).utf8)
        }
    }

    /// A client heart-beat (one EOL) in the session's framing.
    public static func heartBeat(framing: Framing) -> [UInt8] {
        switch framing {
        case .raw: return [0x0A]
        case .sockJS: return Array(#"["\n"]"#.utf8)
        }
    }

    static func jsonEscaped(_ string: String) -> String {
        var out = ""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + hex4(scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// What one WebSocket text message from the server held.
public enum InboundEvent: Sendable, Equatable {
    /// SockJS `o`.
    case open
    /// A STOMP heart-beat EOL, or SockJS `h`.
    case heartBeat
    case frame(Frame)
    /// SockJS `c[code,"reason"]`.
    case closed(code: Int, reason: String)
}

/// Decodes server messages into STOMP frames, across message boundaries.
public struct InboundDecoder: Sendable {
    public let framing: Framing
    private var parser: FrameParser

    public init(framing: Framing) {
        self.framing = framing
        // Generous: a welcome carries the member list, which grows with the sessions.
        self.parser = FrameParser(
            limits: Limits(
                maxFrameSize: 64 << 20, maxHeaderCount: 256, maxHeaderLineLength: 1 << 20, maxBodySize: 64 << 20))
    }

    /// Decodes one WebSocket text message.
    public mutating func decode(_ payload: some Collection<UInt8>) throws -> [InboundEvent] {
        var events: [InboundEvent] = []
        switch framing {
        case .raw:
            parser.append(payload)
            try drain(into: &events)
        case .sockJS:
            switch try SockJSFrame(parsing: payload) {
            case .open:
                events.append(.open)
            case .heartbeat:
                events.append(.heartBeat)
            case .close(let code, let reason):
                events.append(.closed(code: code, reason: reason))
            case .messages(let messages):
                for message in messages {
                    parser.append(message.utf8)
                    try drain(into: &events)
                }
            }
        }
        return events
    }

    /// Whether no partial frame is buffered, so the next message starts at a frame boundary.
    public var isIdle: Bool { parser.bufferedByteCount == 0 }

    private mutating func drain(into events: inout [InboundEvent]) throws {
        while let event = try parser.next() {
            switch event {
            case .frame(let frame): events.append(.frame(frame))
            case .heartBeat: events.append(.heartBeat)
            }
        }
    }
}

/// The heart-beat interval the client must send at, in ms, from its offer and the server's
/// `CONNECTED` header (STOMP 1.1 §heart-beating): 0 when either side turned it off.
public func clientSendInterval(offer: HeartBeat, connectedHeader: String?) -> Int {
    guard let header = connectedHeader, let server = try? HeartBeat(header: header) else { return 0 }
    guard offer.sendEvery > 0, server.expectEvery > 0 else { return 0 }
    return max(offer.sendEvery, server.expectEvery)
}

/// A `MESSAGE` frame found in place in a raw STOMP payload: where its `subscription` header value
/// and its body are.
public struct RawMessage: Sendable, Equatable {
    public var subscription: Range<Int>?
    public var body: Range<Int>
}

/// The fast path for what a benchmark client receives most: WebSocket messages holding nothing but
/// complete `MESSAGE` frames (and heart-beat EOLs). They are split in place, with no `Frame`, no
/// header strings and no body copy; anything else (another command, a frame cut across messages,
/// a malformed one) gives nil, and the message goes through the full STOMP parser instead.
public enum RawFrames {
    static let command = Array("MESSAGE".utf8)
    static let subscription = Array("subscription".utf8)
    static let contentLength = Array("content-length".utf8)

    public static func messages(in bytes: UnsafeBufferPointer<UInt8>) -> [RawMessage]? {
        var messages: [RawMessage] = []
        var index = 0
        let count = bytes.count
        while index < count {
            // EOLs between frames are heart-beats.
            if bytes[index] == 0x0A || bytes[index] == 0x0D {
                index += 1
                continue
            }
            guard let commandEnd = lineEnd(bytes, from: index),
                matches(bytes, index..<trimmed(bytes, index, commandEnd), command)
            else { return nil }
            index = commandEnd + 1
            var subscriptionValue: Range<Int>?
            var length: Int?
            var sawLength = false
            while true {
                guard let end = lineEnd(bytes, from: index) else { return nil }
                let line = index..<trimmed(bytes, index, end)
                index = end + 1
                if line.isEmpty { break }
                guard let colon = firstColon(bytes, in: line) else { return nil }
                let name = line.lowerBound..<colon
                let value = (colon + 1)..<line.upperBound
                // The first occurrence of a repeated header wins (STOMP 1.2).
                if subscriptionValue == nil, matches(bytes, name, subscription) {
                    subscriptionValue = value
                } else if !sawLength, matches(bytes, name, contentLength) {
                    sawLength = true
                    guard let parsed = number(bytes, value) else { return nil }
                    length = parsed
                }
            }
            let bodyEnd: Int
            if let length {
                guard length <= count - index - 1, bytes[index + length] == 0 else { return nil }
                bodyEnd = index + length
            } else {
                var cursor = index
                while cursor < count && bytes[cursor] != 0 { cursor += 1 }
                guard cursor < count else { return nil }
                bodyEnd = cursor
            }
            messages.append(RawMessage(subscription: subscriptionValue, body: index..<bodyEnd))
            index = bodyEnd + 1
        }
        return messages
    }

    /// The index of the LF ending the line that starts at `start`; nil if none, or a NUL comes first.
    private static func lineEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var cursor = start
        while cursor < bytes.count {
            switch bytes[cursor] {
            case 0x0A: return cursor
            case 0: return nil
            default: cursor += 1
            }
        }
        return nil
    }

    /// `end` without the CR of a CRLF.
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        end > start && bytes[end - 1] == 0x0D ? end - 1 : end
    }

    private static func firstColon(_ bytes: UnsafeBufferPointer<UInt8>, in range: Range<Int>) -> Int? {
        for cursor in range where bytes[cursor] == UInt8(ascii: ":") { return cursor }
        return nil
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ word: [UInt8]) -> Bool {
        guard range.count == word.count else { return false }
        var offset = 0
        while offset < word.count {
            if bytes[range.lowerBound + offset] != word[offset] { return false }
            offset += 1
        }
        return true
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 12 else { return nil }
        var value = 0
        for cursor in range {
            let digit = Int(bytes[cursor]) - 0x30
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
