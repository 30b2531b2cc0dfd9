import Foundation
import LobbyCore
import NIOCore
import NIOHTTP1

/// The admin listener's requests (`--admin-listen`, default 127.0.0.1 on a free port):
/// `GET /metrics` and `POST /admin/kick`, and nothing else. They live on a socket of their own,
/// off the public port, so no proxy in front of the public port can expose them: behind nginx
/// every public request comes from loopback, and a loopback rule on the public port let anyone
/// read the metrics.
///
/// `/admin/kick` also needs the bearer token the server wrote beside its database
/// (``AdminAccess``); `/metrics` is served to whoever can reach the admin address.
final class AdminHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// What an admin request may send: a kick is a few dozen bytes of JSON.
    static let maxBodyBytes = 4096

    struct Environment: Sendable {
        let lobby: Lobby
        let adminToken: String
        let metricsText: (@Sendable () -> [UInt8])?
    }

    private let environment: Environment
    private var request: HTTPRequestHead?
    private var body = ByteBuffer()

    init(environment: Environment) {
        self.environment = environment
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            body.clear()
        case .body(var chunk):
            if body.readableBytes + chunk.readableBytes <= Self.maxBodyBytes {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head = request else { return }
            request = nil
            route(head, context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func route(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (path, head.method) {
        case ("/metrics", .GET), ("/metrics", .HEAD):
            guard let metricsText = environment.metricsText else {
                return respond(.notFound, text: "metrics are off (--no-metrics)\n", head, context)
            }
            respond(.ok, bytes: metricsText(), contentType: LobbyMetrics.contentType, head, context)
        case ("/admin/kick", .POST):
            kick(head, context)
        case ("/metrics", _), ("/admin/kick", _):
            respond(.methodNotAllowed, text: "", head, context)
        default:
            respond(.notFound, text: "Not found\n", head, context)
        }
    }

    /// `POST /admin/kick` with `Authorization: Bearer <token>`.
    private func kick(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        guard head.headers.first(name: "authorization") == "Bearer \(environment.adminToken)" else {
            return respond(.forbidden, text: "Forbidden\n", head, context)
        }
        guard let request = try? JSONDecoder().decode(KickRequest.self, from: Data(body.readableBytesView)),
            request.user != nil || request.session != nil
        else {
            return respond(.badRequest, text: #"expected {"user":"…"} or {"session":"…"}"#, head, context)
        }
        let kicked = environment.lobby.kick(request).map(\.rawValue)
        environment.lobby.logger.notice("operator kick", metadata: ["request": "\(request)", "sessions": "\(kicked)"])
        respond(
            .ok, bytes: PayloadCoding.encode(KickResult(kicked: kicked)), contentType: "application/json", head, context
        )
    }

    private func respond(
        _ status: HTTPResponseStatus, text: String, _ head: HTTPRequestHead, _ context: ChannelHandlerContext
    ) {
        respond(status, bytes: Array(text.utf8), contentType: "text/plain; charset=UTF-8", head, context)
    }

    private func respond(
        _ status: HTTPResponseStatus, bytes: [UInt8], contentType: String, _ head: HTTPRequestHead,
        _ context: ChannelHandlerContext
    ) {
        LobbyMetrics.httpRequest(kind: "admin", status: status.code)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(bytes.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
            promise: nil)
        if !bytes.isEmpty, head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
