import NIOCore
import NIOWebSocket
import SockJS

/// The SockJS test services over WebSocket: `/echo` sends every message back, `/close` closes
/// every session at once with `c[3000,"Go away!"]`. No STOMP, no lobby.
final class EchoWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let closesImmediately: Bool

    init(closesImmediately: Bool) {
        self.closesImmediately = closesImmediately
    }

    func handlerAdded(context: ChannelHandlerContext) {
        writeText(SockJSFrame.open.encoded, context: context)
        if closesImmediately {
            writeText(SockJSFrame.close(code: 3000, reason: "Go away!").encoded, context: context)
            close(context: context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            let payload = frame.unmaskedData
            guard payload.readableBytes > 0 else { return }
            guard let messages = try? SockJSJSON.decodeMessages(payload.readableBytesView) else {
                return close(context: context)
            }
            if !messages.isEmpty {
                writeText(SockJSFrame.messages(messages).encoded, context: context)
            }
        case .ping:
            context.writeAndFlush(
                wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            close(context: context)
        default:
            break
        }
    }

    private func writeText(_ text: String, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func close(context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)))
            .whenComplete { _ in channel.close(promise: nil) }
    }
}
