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

    init(stompBytes: [UInt8]) {
        self.stomp = ByteBuffer(bytes: stompBytes)
        let text = String(decoding: stompBytes, as: UTF8.self)
        self.sockJS = ByteBuffer(string: SockJSFrame.messages([text]).encoded)
    }

    convenience init(_ frame: Frame, version: Version) {
        self.init(stompBytes: FrameEncoder.encode(frame, version: version))
    }

    /// A STOMP heart-beat: one end-of-line.
    static let heartBeat = EncodedFrame(stompBytes: [0x0A])

    func bytes(for framing: Framing) -> ByteBuffer {
        switch framing {
        case .raw: stomp
        case .sockJS: sockJS
        }
    }
}

/// How a transport wraps STOMP frames on the wire.
enum Framing: Sendable {
    /// `{prefix}/websocket`: STOMP text frames directly in WebSocket messages.
    case raw
    /// SockJS transports: `o`, `h`, `a[...]`, `c[...]`.
    case sockJS
}
