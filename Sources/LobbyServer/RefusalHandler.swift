import NIOCore
import NIOHTTP1

/// The whole pipeline behind a connection the server will not serve (over `--max-connections`
/// or `--max-connections-per-ip`): the first request head gets a short error response with
/// `Connection: close`, then the connection closes. A connection that sends no head is closed by
/// its ``RequestHeadTimer``.
final class RefusalHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let admission: ConnectionCounter.Admission
    private var answered = false

    init(admission: ConnectionCounter.Admission) {
        self.admission = admission
    }

    var status: HTTPResponseStatus {
        admission == .addressFull ? .tooManyRequests : .serviceUnavailable
    }

    var text: String {
        admission == .addressFull
            ? "Too many connections from your address; close some and try again.\n"
            : "The server is at its connection limit; try again later.\n"
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data), !answered else { return }
        answered = true
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        headers.add(name: "Content-Length", value: String(text.utf8.count))
        headers.add(name: "Connection", value: "close")
        if admission == .serverFull { headers.add(name: "Retry-After", value: "5") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Garbage was already answered 400 by NIO's error handler; nothing more to say.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
