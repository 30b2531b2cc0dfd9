import NIOCore
import NIOWebSocket

/// The RFC 6455 rules every WebSocket endpoint of the server enforces on its peer, beyond those
/// NIO's `WebSocketFrameDecoder` already does (frames over the size limit, fragmented control
/// frames, control frames over 125 bytes). Pure answers: the handlers act on them.
enum WebSocketRules {
    /// The close code that fails the connection because of `frame`'s header, or nil. No
    /// extension is ever negotiated, so a reserved bit set is an error (§5.2), and so is a
    /// reserved opcode (0x3–0x7, 0xB–0xF).
    static func headerViolation(of frame: WebSocketFrame) -> WebSocketErrorCode? {
        if frame.rsv1 || frame.rsv2 || frame.rsv3 { return .protocolError }
        switch frame.opcode {
        case .continuation, .text, .binary, .connectionClose, .ping, .pong: return nil
        default: return .protocolError
        }
    }

    /// Whether a peer may put `code` in a close frame (§7.4). 1004 is reserved, and 1005, 1006
    /// and 1015 only ever describe a closure locally; 1012–1014 were registered with IANA after
    /// the RFC. 3000–4999 belong to libraries and applications. No range above 4999 is defined.
    static func isValidCloseCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// The code to answer a peer's close frame with: its own code when the payload is valid
    /// (normal closure for an empty one), 1002 for a 1-byte payload or a code a peer may not
    /// send, 1007 for a reason that is not UTF-8 (§5.5.1, §7.4).
    static func closeReply(toPayload payload: ByteBuffer) -> WebSocketErrorCode {
        var payload = payload
        guard payload.readableBytes > 0 else { return .normalClosure }
        guard let code = payload.readInteger(as: UInt16.self), isValidCloseCode(code) else {
            return .protocolError
        }
        guard isValidText(payload) else { return .dataInconsistentWithMessage }
        return WebSocketErrorCode(codeNumber: Int(code))
    }

    /// Text messages and close reasons must be UTF-8 (§8.1).
    static func isValidText(_ payload: ByteBuffer) -> Bool {
        String(validating: payload.readableBytesView, as: UTF8.self) != nil
    }

    /// The order of data frames (§5.4): a continuation only inside a fragmented message, a new
    /// text or binary message only outside one. Control frames may come in between.
    struct FragmentSequence: Equatable {
        private(set) var inFragmentedMessage = false

        /// Takes the next frame; false when it breaks the order (the connection fails with 1002).
        mutating func accept(_ opcode: WebSocketOpcode, fin: Bool) -> Bool {
            switch opcode {
            case .continuation:
                guard inFragmentedMessage else { return false }
                inFragmentedMessage = !fin
            case .text, .binary:
                guard !inFragmentedMessage else { return false }
                inFragmentedMessage = !fin
            default:
                break
            }
            return true
        }
    }
}
