import NIOCore
import STOMP
import SockJS

/// One outbound STOMP frame, encoded once into the bytes each transport framing writes.
///
/// The broker builds one of these per (message, subscription id, STOMP version) and hands the same
/// instance to every matching subscriber, so a fan-out to thousands of sessions encodes and escapes
/// once. `ByteBuffer` is copy-on-write: writing it to many channels copies nothing.
final class EncodedFrame: Sendable {
    /// The STOMP frame as written on the raw WebSocket endpoint.
    let stomp: ByteBuffer
    /// The same frame inside a SockJS `a[...]` message.
    let sockJS: ByteBuffer
    /// `stomp` and `sockJS` as complete WebSocket text messages (header + payload). Server frames
    /// are unmasked, so the header is the same for every subscriber: fan-out writes one
    /// prepared buffer per connection instead of building a header each time.
    private let webSocketRaw: ByteBuffer
    private let webSocketSockJS: ByteBuffer

    /// - Parameter framing: The one framing the frame is for (a private frame to one session),
    ///   or nil for both (a fan-out). A welcome to a raw session then skips the SockJS escaping of
    ///   its member list, and one to a SockJS session skips the raw WebSocket copy. Asking a
    ///   single-framing frame for the other framing's bytes is a programming error.
    init(stompBytes: [UInt8], framing: Framing? = nil) {
        self.stomp = ByteBuffer(bytes: stompBytes)
        if framing != .raw {
            let text = String(decoding: stompBytes, as: UTF8.self)
            self.sockJS = ByteBuffer(bytes: SockJSFrame.messages([text]).encodedBytes)
            self.webSocketSockJS = Self.webSocketTextMessage(sockJS)
        } else {
            self.sockJS = ByteBuffer()
            self.webSocketSockJS = ByteBuffer()
        }
        self.webSocketRaw = framing != .sockJS ? Self.webSocketTextMessage(stomp) : ByteBuffer()
        self.framing = framing
    }

    convenience init(_ frame: Frame, version: Version, framing: Framing? = nil) {
        self.init(stompBytes: FrameEncoder.encode(frame, version: version), framing: framing)
    }

    /// The framing this frame was encoded for; nil: both.
    private let framing: Framing?

    /// A STOMP heart-beat: one end-of-line.
    static let heartBeat = EncodedFrame(stompBytes: [0x0A])

    /// Bytes the frame adds to a connection's outbound queue with `framing`.
    func byteCount(for framing: Framing) -> Int {
        webSocketMessage(for: framing).readableBytes
    }

    func bytes(for framing: Framing) -> ByteBuffer {
        assert(self.framing == nil || self.framing == framing, "frame encoded for \(String(describing: self.framing))")
        return switch framing {
        case .raw: stomp
        case .sockJS: sockJS
        }
    }

    func webSocketMessage(for framing: Framing) -> ByteBuffer {
        assert(self.framing == nil || self.framing == framing, "frame encoded for \(String(describing: self.framing))")
        return switch framing {
        case .raw: webSocketRaw
        case .sockJS: webSocketSockJS
        }
    }

    /// RFC 6455 §5.2: FIN + text opcode, then the payload length in 7, 7+16 or 7+64 bits; no mask.
    static func webSocketTextMessage(_ payload: ByteBuffer) -> ByteBuffer {
        var message = ByteBuffer()
        message.reserveCapacity(payload.readableBytes + 10)
        message.writeInteger(UInt8(0x81))
        switch payload.readableBytes {
        case ..<126:
            message.writeInteger(UInt8(payload.readableBytes))
        case ..<65_536:
            message.writeInteger(UInt8(126))
            message.writeInteger(UInt16(payload.readableBytes))
        default:
            message.writeInteger(UInt8(127))
            message.writeInteger(UInt64(payload.readableBytes))
        }
        var payload = payload
        message.writeBuffer(&payload)
        return message
    }
}

/// How a transport wraps STOMP frames on the wire.
enum Framing: Sendable {
    /// `{prefix}/websocket`: STOMP text frames directly in WebSocket messages.
    case raw
    /// SockJS transports: `o`, `h`, `a[...]`, `c[...]`.
    case sockJS
}
