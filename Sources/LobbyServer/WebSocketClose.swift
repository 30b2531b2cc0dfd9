import NIOCore
import NIOWebSocket

/// The one way every WebSocket endpoint closes a connection (the STOMP session handler, the
/// message reader on a rule violation, the SockJS test services): our close frame with its
/// code and reason, then the TCP connection closed once the frame is written. The server
/// closes first (RFC 6455 §7.1.1), so the peer's answering close frame is never awaited.
///
/// Each handler keeps its own "closing" state (what it still answers after this); the frame and
/// the order of the two steps are written here only.
enum WebSocketClose {
    static func send(_ code: WebSocketErrorCode, reason: String = "", on context: ChannelHandlerContext) {
        var payload = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        payload.write(webSocketErrorCode: code)
        payload.writeString(reason)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: payload)
        let channel = context.channel
        context.writeAndFlush(NIOAny(frame)).whenComplete { _ in channel.close(promise: nil) }
    }
}
