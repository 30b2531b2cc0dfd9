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
