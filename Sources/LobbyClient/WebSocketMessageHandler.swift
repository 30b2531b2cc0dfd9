import NIOCore
import NIOWebSocket

/// Turns WebSocket frames into whole text messages and back, the client's side of RFC 6455.
///
/// Inbound, it reassembles fragmented messages, answers pings and returns the server's close
/// frame. Outbound, it sends each string as one text frame, masked as RFC 6455 §5.3 requires of
/// every client frame. Closing the channel sends a close frame first, so a server sees a clean
/// WebSocket close rather than a bare TCP FIN.
final class WebSocketMessageHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = String
    typealias OutboundIn = String
    typealias OutboundOut = WebSocketFrame

    /// The largest message accepted after reassembly, in bytes.
    private let maximumMessageSize: Int
    /// The fragments of a text message whose final frame has not arrived yet.
    private var partialMessage: ByteBuffer?
    /// Whether the fragments being collected belong to a binary message, which SockJS never sends.
    private var isCollectingBinary = false
    private var sentCloseFrame = false

    init(maximumMessageSize: Int) {
        self.maximumMessageSize = maximumMessageSize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard partialMessage == nil else {
                return failProtocol(context: context, "a new message started inside a fragmented one")
            }
            isCollectingBinary = frame.opcode == .binary
            partialMessage = frame.unmaskedData
            finishMessageIfComplete(context: context, fin: frame.fin)
        case .continuation:
            guard var message = partialMessage else {
                return failProtocol(context: context, "a continuation frame arrived with no message to continue")
            }
            var fragment = frame.unmaskedData
            message.writeBuffer(&fragment)
            partialMessage = message
            finishMessageIfComplete(context: context, fin: frame.fin)
        case .ping:
            // RFC 6455 §5.5.3: answer with a pong carrying the ping's application data.
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            // RFC 6455 §5.5.1: answer the close frame, then the connection is done.
            sendCloseFrame(context: context, status: .normalClosure)
            context.close(promise: nil)
        default:
            failProtocol(context: context, "the server sent an unknown opcode")
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let text = unwrapOutboundIn(data)
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(string: text))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode == .all, context.channel.isActive {
            sendCloseFrame(context: context, status: .normalClosure)
        }
        context.close(mode: mode, promise: promise)
    }

    private func finishMessageIfComplete(context: ChannelHandlerContext, fin: Bool) {
        guard let message = partialMessage else { return }
        guard message.readableBytes <= maximumMessageSize else {
            return failProtocol(context: context, "the server sent a message larger than \(maximumMessageSize) bytes")
        }
        guard fin else { return }
        partialMessage = nil
        guard !isCollectingBinary else { return }  // SockJS frames are text; nothing to do with bytes.
        guard let text = String(validating: message.readableBytesView, as: UTF8.self) else {
            return failProtocol(context: context, "the server sent a text message that is not UTF-8")
        }
        context.fireChannelRead(wrapInboundOut(text))
    }

    private func sendCloseFrame(context: ChannelHandlerContext, status: WebSocketErrorCode) {
        guard !sentCloseFrame else { return }
        sentCloseFrame = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: status)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }

    private func failProtocol(context: ChannelHandlerContext, _ reason: String) {
        partialMessage = nil
        sendCloseFrame(context: context, status: .protocolError)
        context.fireErrorCaught(WebSocketProtocolViolation(reason: reason))
        context.close(promise: nil)
    }
}

/// The server broke RFC 6455 (or sent more than the client accepts).
struct WebSocketProtocolViolation: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
