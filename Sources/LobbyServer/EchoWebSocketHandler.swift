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
            // UTF-8 was checked by `WebSocketMessageReader`, fragment by fragment.
            echo(frame.unmaskedData, context: context)
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

    private func sendCloseAndShutdown(code: WebSocketErrorCode, reason: String = "", context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        WebSocketClose.send(code, reason: reason, on: context)
    }
}
