import NIOCore
import NIOWebSocket

/// Sits between NIO's frame decoder and `NIOWebSocketFrameAggregator` on every WebSocket
/// connection and fails the connection with 1002 on a frame that breaks `WebSocketRules`: a
/// reserved bit or opcode, or a continuation out of order. It has to see the frames before the
/// aggregator: aggregated messages no longer carry each fragment's reserved bits, and the
/// aggregator's own order errors would only reach the handlers as errors, with no close code.
final class WebSocketFrameGuard: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var sequence = WebSocketRules.FragmentSequence()
    /// The UTF-8 check of the text message being received, fragment by fragment; nil outside
    /// a text message.
    private var text: UTF8StreamValidator?
    /// Set once the connection is failed: nothing more from the peer is passed on.
    private var failed = false

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
        context.fireChannelRead(data)
    }

    /// Fails a text message at the first fragment that cannot be UTF-8 (RFC 6455 §8.1), before
    /// the aggregator waits for the rest. The handlers still check whole messages.
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
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: code)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
    }
}
