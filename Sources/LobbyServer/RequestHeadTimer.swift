import NIOCore
import NIOHTTP1

/// Closes an HTTP connection that is idle for the request timeout: it sends no request head (or
/// only half of one) after it was accepted, or after its last response ended on a keep-alive
/// connection.
///
/// A connection with a response in progress is busy, not idle: a streaming or polling SockJS
/// receiver, or an `xhr_send` waiting for its session to have room. The handler sits just after
/// NIO's pipelining handler, so it sees every request head (upgrades included) and every
/// response end, one request at a time. Time comes from the event loop, so tests drive it with
/// an `EmbeddedEventLoop`.
final class RequestHeadTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "lobby-request-head-timer"

    private let timeout: TimeAmount
    /// Request heads read whose response has not ended yet.
    private var unanswered = 0
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            unanswered += 1
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // A response NIO's error handler writes for an unparsable request had no head here.
            unanswered = max(0, unanswered - 1)
            if unanswered == 0 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
