import NIOCore
import NIOWebSocket

/// Turns the peer's WebSocket frames into whole messages for the session handlers, holding the
/// peer to `WebSocketRules` on the way: it sits right after NIO's frame decoder on every
/// WebSocket connection, in place of `NIOWebSocketFrameAggregator`.
///
/// - A reserved bit or opcode, or a continuation out of order, fails the connection with 1002.
/// - Text is checked for UTF-8 fragment by fragment, so a bad fragment fails with 1007 at once
///   rather than when the message is whole (RFC 6455 §8.1).
/// - A fragmented message over `maxMessageBytes` or `maxFragments` fails with 1009.
/// - Control frames pass through at once, also between the fragments of a message.
///
/// One handler does both jobs because every open connection pays for each handler in its
/// pipeline (see the RSS per session in docs/performance.md).
final class WebSocketMessageReader: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// A fragmented message being received, unmasked so far.
    private struct PartialMessage {
        var opcode: WebSocketOpcode
        var data: ByteBuffer
        var fragments: Int
    }

    private let maxMessageBytes: Int
    private let maxFragments: Int
    private var sequence = WebSocketRules.FragmentSequence()
    /// The UTF-8 check of the text message being received; nil outside a text message.
    private var text: UTF8StreamValidator?
    private var partial: PartialMessage?
    /// Set once the connection is failed: nothing more from the peer is passed on.
    private var failed = false

    init(maxMessageBytes: Int = .max, maxFragments: Int = .max) {
        self.maxMessageBytes = maxMessageBytes
        self.maxFragments = maxFragments
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = unwrapInboundIn(data)
        if let code = WebSocketRules.headerViolation(of: frame) {
            return fail(code, context: context)
        }
        guard sequence.accept(frame.opcode, fin: frame.fin) else {
            return fail(.protocolError, context: context)
        }
        guard checkText(frame) else {
            return fail(.dataInconsistentWithMessage, context: context)
        }
        switch frame.opcode {
        case .text where !frame.fin, .binary where !frame.fin:
            guard frame.data.readableBytes <= maxMessageBytes else { return fail(.messageTooLarge, context: context) }
            partial = PartialMessage(opcode: frame.opcode, data: frame.unmaskedData, fragments: 1)
        case .continuation:
            // `sequence` accepted it, so a message is in progress.
            guard var message = partial else { return }
            partial = nil  // the buffer grows in place, not as a copy
            message.fragments += 1
            guard message.data.readableBytes + frame.data.readableBytes <= maxMessageBytes,
                message.fragments <= maxFragments
            else { return fail(.messageTooLarge, context: context) }
            var piece = frame.unmaskedData
            message.data.writeBuffer(&piece)
            if frame.fin {
                let whole = WebSocketFrame(fin: true, opcode: message.opcode, data: message.data)
                context.fireChannelRead(wrapInboundOut(whole))
            } else {
                partial = message
            }
        default:
            // A whole message in one frame, or a control frame.
            context.fireChannelRead(data)
        }
    }

    /// Fails a text message at the first fragment that cannot be UTF-8: the one UTF-8 check of
    /// the peer's text (the handlers behind it rely on it).
    private func checkText(_ frame: WebSocketFrame) -> Bool {
        switch frame.opcode {
        case .text:
            text = UTF8StreamValidator()
        case .continuation where text != nil:
            break
        default:
            return true
        }
        guard var validator = text else { return true }
        defer { text = frame.fin ? nil : validator }
        // Client frames are masked; unmasking byte by byte here avoids copying the payload.
        let mask = frame.maskKey
        var index = 0
        for byte in frame.data.readableBytesView {
            let unmasked = mask.map { byte ^ $0[index & 3] } ?? byte
            index += 1
            guard validator.consume(unmasked) else { return false }
        }
        return !frame.fin || validator.isAtCharacterBoundary
    }

    private func fail(_ code: WebSocketErrorCode, context: ChannelHandlerContext) {
        failed = true
        partial = nil
        WebSocketClose.send(code, on: context)
    }
}
