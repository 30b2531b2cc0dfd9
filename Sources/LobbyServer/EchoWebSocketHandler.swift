import NIOCore
import NIOWebSocket
import SockJS

/// The SockJS test services over WebSocket (`--sockjs-test-services`); no STOMP, no lobby.
///
/// On the raw route (`/echo/websocket`, `/close/websocket`) they are plain WebSocket peers, as
/// the SockJS protocol tests and Autobahn|Testsuite expect: `/echo` sends every message back as
/// it came (text as text, binary as binary), `/close` closes at once with 3000 `Go away!`. On the
/// SockJS transport (`/echo/{server}/{session}/websocket`) they speak SockJS: `o`, `a[…]`, and
/// `c[3000,"Go away!"]` from `/close`.
final class EchoWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum Service {
        /// Sends every message back.
        case echo
        /// Closes every connection at once.
        case close
    }

    private let service: Service
    private let framing: Framing
    /// Our close frame is sent: the peer's frames are no longer answered.
    private var closing = false

    init(service: Service, framing: Framing) {
        self.service = service
        self.framing = framing
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if framing == .sockJS {
            writeText(SockJSFrame.open.encoded, context: context)
        }
        guard service == .close else { return }
        switch framing {
        case .raw:
            let (code, reason) = SockJSFrame.goAwayStatus
            sendCloseAndShutdown(code: WebSocketErrorCode(codeNumber: code), reason: reason, context: context)
        case .sockJS:
            writeText(SockJSFrame.goAway.encoded, context: context)
            sendCloseAndShutdown(code: .normalClosure, context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard !closing else {
            // The peer's answer to our close frame completes the closing handshake.
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        switch frame.opcode {
        case .text:
            let payload = frame.unmaskedData
            guard WebSocketRules.isValidText(payload) else {
                return sendCloseAndShutdown(code: .dataInconsistentWithMessage, context: context)
            }
            echo(payload, context: context)
        case .binary:
            guard framing == .raw else {
                return sendCloseAndShutdown(code: .unacceptableData, context: context)
            }
            write(.binary, frame.unmaskedData, context: context)
        case .ping:
            write(.pong, frame.unmaskedData, context: context)
        case .connectionClose:
            sendCloseAndShutdown(code: WebSocketRules.closeReply(toPayload: frame.unmaskedData), context: context)
        default:
            break
        }
    }

    private func echo(_ payload: ByteBuffer, context: ChannelHandlerContext) {
        switch framing {
        case .raw:
            write(.text, payload, context: context)
        case .sockJS:
            // An empty message is allowed and means nothing (sockjs-client never sends one).
            guard payload.readableBytes > 0 else { return }
            guard let messages = try? SockJSJSON.decodeMessages(payload.readableBytesView) else {
                // SockJS: broken JSON from the client ends the session.
                return sendCloseAndShutdown(code: .normalClosure, context: context)
            }
            if !messages.isEmpty {
                writeText(SockJSFrame.messages(messages).encoded, context: context)
            }
        }
    }

    private func writeText(_ text: String, context: ChannelHandlerContext) {
        write(.text, context.channel.allocator.buffer(string: text), context: context)
    }

    private func write(_ opcode: WebSocketOpcode, _ payload: ByteBuffer, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: payload)), promise: nil)
    }

    /// Sends our close frame and closes the TCP connection once it is written: the server closes
    /// first (RFC 6455 §7.1.1), so the peer need not wait for a reply of ours to its close.
    private func sendCloseAndShutdown(code: WebSocketErrorCode, reason: String = "", context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.write(webSocketErrorCode: code)
        payload.writeString(reason)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)))
            .whenComplete { _ in channel.close(promise: nil) }
    }
}
