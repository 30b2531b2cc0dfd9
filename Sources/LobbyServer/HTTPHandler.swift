import NIOCore
import NIOHTTP1
import SockJS

/// Plain HTTP requests on the server: the SockJS greeting and info endpoints, and a proper 404
/// for everything else. WebSocket upgrades never reach this handler (the upgrader takes them).
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "lobby-http"

    private let services: [SockJSService]
    private var request: HTTPRequestHead?

    init(services: [SockJSService]) {
        self.services = services
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            // Bodies are ignored: no endpoint served here takes one.
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    /// A request NIO could not parse was already answered with 400 by the protocol error
    /// handler; the connection is closed so garbage never holds a socket open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            context.close(promise: nil)
        } else {
            context.fireErrorCaught(error)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let (service, route) = SockJSService.resolve(path: head.uri, in: services)
        var headers = HTTPHeaders()
        let origin = head.headers.first(name: "origin")
        guard let service else {
            return send(
                .notFound, body: "Not found\n", contentType: "text/plain; charset=UTF-8", headers, head, context)
        }
        switch route {
        case .greeting:
            guard head.method == .GET else { return methodNotAllowed("GET", head, context) }
            headers.add(name: "Cache-Control", value: "public, max-age=31536000")
            send(.ok, body: "Welcome to SockJS!\n", contentType: "text/plain; charset=UTF-8", headers, head, context)
        case .info:
            Self.addCORS(
                &headers, origin: origin, requestHeaders: head.headers.first(name: "access-control-request-headers"))
            switch head.method {
            case .GET:
                headers.add(
                    name: "Cache-Control", value: "no-store, no-cache, no-transform, must-revalidate, max-age=0")
                let info = InfoResponse(
                    websocket: service.allowsWebSocket, cookieNeeded: service.cookieNeeded, origins: ["*:*"],
                    entropy: UInt32.random(in: 0...UInt32.max))
                send(.ok, body: info.json, contentType: "application/json; charset=UTF-8", headers, head, context)
            case .OPTIONS:
                headers.add(name: "Access-Control-Allow-Methods", value: "OPTIONS, GET")
                headers.add(name: "Cache-Control", value: "public, max-age=31536000")
                headers.add(name: "Access-Control-Max-Age", value: "31536000")
                send(.noContent, body: "", contentType: nil, headers, head, context)
            default:
                methodNotAllowed("OPTIONS, GET", head, context)
            }
        case .rawWebSocket, .session(_, _, .websocket):
            // A websocket URL reached without an Upgrade: SockJS answers 400 (405 for non-GET).
            guard head.method == .GET else { return methodNotAllowed("GET", head, context) }
            send(
                .badRequest, body: "Can \"Upgrade\" only to \"WebSocket\".", contentType: "text/plain; charset=UTF-8",
                headers, head, context)
        default:
            send(.notFound, body: "Not found\n", contentType: "text/plain; charset=UTF-8", headers, head, context)
        }
    }

    static func addCORS(_ headers: inout HTTPHeaders, origin: String?, requestHeaders: String?) {
        // SockJS: echo the Origin (a literal "null" stays "null"), with credentials allowed.
        headers.add(name: "Access-Control-Allow-Origin", value: origin ?? "*")
        headers.add(name: "Access-Control-Allow-Credentials", value: "true")
        if let requestHeaders {
            headers.add(name: "Access-Control-Allow-Headers", value: requestHeaders)
        }
        headers.add(name: "Vary", value: "Origin")
    }

    private func methodNotAllowed(_ allow: String, _ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Allow", value: allow)
        send(.methodNotAllowed, body: "", contentType: nil, headers, head, context)
    }

    private func send(
        _ status: HTTPResponseStatus, body: String, contentType: String?, _ extraHeaders: HTTPHeaders,
        _ request: HTTPRequestHead, _ context: ChannelHandlerContext
    ) {
        var headers = extraHeaders
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        let bytes = context.channel.allocator.buffer(string: request.method == .HEAD ? "" : body)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if bytes.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
