import Foundation
import LobbyCore
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import SockJS
import Synchronization

/// What every HTTP connection's handler shares: the mounted services, the live HTTP-transport
/// sessions, the lobby, and the static files of the browser client.
struct HTTPEnvironment: Sendable {
    let services: [SockJSService]
    let registry: SockJSSessionRegistry
    let lobby: Lobby
    let configuration: ServerConfiguration
    let staticFiles: StaticFiles
    let logger: Logger
    /// What `/readyz` checks.
    let health: HealthCheck
    /// The Prometheus text of `/metrics`; nil when no metrics backend is set up.
    let metricsText: (@Sendable () -> [UInt8])?
    /// `configuration.hostPolicy`, worked out once.
    let hostPolicy: HostPolicy
}

/// Plain HTTP requests: the browser client's files, the SockJS greeting, info and iframe pages,
/// the SockJS HTTP fallback transports, and a proper 404 for everything else. WebSocket upgrades
/// never reach this handler (the upgrader takes them).
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    static let name = "lobby-http"
    private static let nextReceiverID = Atomic<UInt64>(1)

    let environment: HTTPEnvironment
    private var request: HTTPRequestHead?
    /// What the request in progress asked for, as `lobby_http_requests_total` labels it.
    private var requestKind = "other"
    private var body = ByteBuffer()
    private var bodyTooLarge = false
    /// The receiving response this connection is serving, if any, so a client that goes away
    /// detaches from its session at once.
    private var receiver: (entry: SockJSSessionRegistry.Entry, id: SessionStateMachine.ReceiverID)?

    init(environment: HTTPEnvironment) {
        self.environment = environment
    }

    private var maxBodyBytes: Int { environment.configuration.maxFrameBytes * 2 + 4096 }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
            body.clear()
            bodyTooLarge = false
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if body.readableBytes + chunk.readableBytes > maxBodyBytes {
                bodyTooLarge = true
                body.clear()
            } else {
                body.writeBuffer(&chunk)
            }
        case .end:
            guard let head = request else { return }
            request = nil
            guard !bodyTooLarge else {
                var headers = HTTPHeaders()
                headers.add(name: "Connection", value: "close")
                return respond(.payloadTooLarge, text: "Request body too large.\n", headers: headers, head, context)
            }
            route(head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let receiver {
            let id = receiver.id
            receiver.entry.withSession { $0.receiverLost(id) }
            self.receiver = nil
        }
        context.fireChannelInactive()
    }

    /// A request NIO could not parse was already answered with 400 by the protocol error
    /// handler; the connection is closed so garbage never holds a socket open.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            context.close(promise: nil)
        } else if error is NIOSSLError {
            // A failed handshake (plain HTTP or a scanner on the TLS port) or a peer gone without
            // close_notify: routine on an open port, so not worth more than a debug line.
            environment.logger.debug("TLS error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
        } else {
            context.fireErrorCaught(error)
        }
    }

    // MARK: Routing

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        requestKind = "other"
        // DNS rebinding: a name the server does not answer to is refused before anything else.
        guard environment.hostPolicy.allows(hostHeader: head.host) else {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
            return respond(
                .misdirectedRequest, text: "this server does not answer to host \(head.host ?? "")",
                headers: headers, head, context)
        }
        if path == "/" || path.hasPrefix("/static/"), let file = environment.staticFiles.file(forPath: path) {
            guard head.method == .GET || head.method == .HEAD else {
                return methodNotAllowed("GET, HEAD", head, context)
            }
            requestKind = "static"
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: file.contentType)
            headers.add(name: "Cache-Control", value: "no-cache")
            return respond(.ok, bytes: file.bytes, headers: headers, head, context)
        }
        if path == "/healthz" || path == "/readyz" {
            requestKind = "health"
            return health(path == "/readyz", head, context)
        }
        if path == "/metrics", environment.configuration.metricsPublic {
            requestKind = "metrics"
            return metrics(head, context)
        }
        let (service, route) = SockJSService.resolve(path: head.uri, in: environment.services)
        requestKind = Self.kind(of: route)
        guard let service else { return notFound(head, context) }
        guard
            environment.configuration.allowedOrigins.allows(
                origin: head.origin, host: environment.hostPolicy.selfHost(head.host))
        else {
            return refuseOrigin(head, context)
        }
        switch route {
        case .greeting:
            guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed("GET", head, context) }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
            respond(.ok, text: SockJSPages.greeting, headers: headers, head, context)
        case .info:
            info(service, head, context)
        case .iframe:
            iframe(head, context)
        case .rawWebSocket, .session(_, _, .websocket):
            // A websocket URL reached without an Upgrade: SockJS answers 400 (405 for non-GET).
            guard head.method == .GET else { return methodNotAllowed("GET", head, context) }
            respond(.badRequest, text: "Can \"Upgrade\" only to \"WebSocket\".", headers: [:], head, context)
        case .session(_, let session, let transport):
            sessionRequest(service, SessionID(session), transport, head, context)
        case .notFound:
            notFound(head, context)
        }
    }

    private func info(_ service: SockJSService, _ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        var headers = corsHeaders(head)
        switch head.method {
        case .GET:
            headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
            headers.add(name: "Cache-Control", value: Self.noStore)
            let info = InfoResponse(
                websocket: service.allowsWebSocket, cookieNeeded: service.cookieNeeded, origins: ["*:*"],
                entropy: UInt32.random(in: 0...UInt32.max))
            respond(.ok, text: info.json, headers: headers, head, context)
        case .OPTIONS:
            preflight("OPTIONS, GET", headers: headers, head, context)
        default:
            methodNotAllowed("OPTIONS, GET", head, context)
        }
    }

    private func iframe(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed("GET", head, context) }
        let page = environment.staticFiles.iframePage
        var headers = HTTPHeaders()
        headers.add(name: "ETag", value: page.etag)
        Self.addLongCaching(&headers)
        // If-None-Match is a list (RFC 9110 §13.1.2); any match, or "*", counts.
        let candidates = head.headers["if-none-match"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if candidates.contains(page.etag) || candidates.contains("*") {
            return respond(.notModified, bytes: [], headers: headers, head, context)
        }
        headers.add(name: "Content-Type", value: "text/html; charset=UTF-8")
        respond(.ok, bytes: page.bytes, headers: headers, head, context)
    }

    /// The `transport` label of a SockJS route.
    private static func kind(of route: Route) -> String {
        switch route {
        case .greeting: "greeting"
        case .info: "info"
        case .iframe: "iframe"
        case .rawWebSocket: "raw-websocket"
        case .session(_, _, let transport): transport.rawValue
        case .notFound: "not-found"
        }
    }

    // MARK: Operator

    /// `GET /metrics` on the public port, only with `--metrics-public` (otherwise metrics are on
    /// the admin listener alone, see ``AdminHTTPHandler``).
    private func metrics(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed("GET, HEAD", head, context) }
        guard let metricsText = environment.metricsText else { return notFound(head, context) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: LobbyMetrics.contentType)
        headers.add(name: "Cache-Control", value: Self.noStore)
        respond(.ok, bytes: metricsText(), headers: headers, head, context)
    }

    /// `/healthz`: 200 while the event loops run (this answer is the proof). `/readyz`: 200 when
    /// sessions are accepted and the store answers, else 503 with the reason on one line.
    private func health(_ readiness: Bool, _ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        guard head.method == .GET || head.method == .HEAD else { return methodNotAllowed("GET, HEAD", head, context) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        headers.add(name: "Cache-Control", value: Self.noStore)
        guard readiness else { return respond(.ok, text: "ok\n", headers: headers, head, context) }
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let check = environment.health
        let responseHeaders = headers
        Task {
            let problem = await check.readinessProblem()
            bound.eventLoop.execute {
                let (handler, context) = bound.value
                if let problem {
                    handler.respond(
                        .serviceUnavailable, text: "not ready: \(problem)\n", headers: responseHeaders, head, context)
                } else {
                    handler.respond(.ok, text: "ready\n", headers: responseHeaders, head, context)
                }
            }
        }
    }

    // MARK: SockJS HTTP transports

    private func sessionRequest(
        _ service: SockJSService, _ id: SessionID, _ transport: Transport, _ head: HTTPRequestHead,
        _ context: ChannelHandlerContext
    ) {
        let method = HTTPMethod(rawValue: transport.method.rawValue)
        var headers = corsHeaders(head)
        if service.cookieNeeded {
            headers.add(name: "Set-Cookie", value: "JSESSIONID=\(Self.sessionCookie(head)); path=/")
        }
        let allowed = "OPTIONS, \(transport.method.rawValue)"
        if head.method == .OPTIONS {
            // A CORS preflight is answered on every transport, as Spring does.
            return preflight(allowed, headers: headers, head, context)
        }
        guard head.method == method else {
            return methodNotAllowed(allowed, head, context)
        }
        if transport.isSending {
            receiveMessages(service, id, transport, headers: headers, head, context)
        } else {
            openReceiver(service, id, transport, headers: headers, head, context)
        }
    }

    /// `xhr_send` / `jsonp_send`: messages from the client, for an existing session only.
    private func receiveMessages(
        _ service: SockJSService, _ id: SessionID, _ transport: Transport, headers: HTTPHeaders,
        _ head: HTTPRequestHead, _ context: ChannelHandlerContext
    ) {
        guard let entry = environment.registry.find(id, in: service) else { return notFound(head, context) }
        var headers = headers
        headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        headers.add(name: "Cache-Control", value: Self.noStore)
        let messages: [String]
        do {
            let bytes = body.readableBytesView
            messages =
                transport == .jsonpSend
                ? try SockJSJSON.decodeJSONPSendBody(bytes, contentType: head.headers.first(name: "content-type"))
                : try SockJSJSON.decodeMessages(bytes)
        } catch {
            return respond(.internalServerError, text: error.description, headers: headers, head, context)
        }
        // Answered once the session has room for more input (backpressure): until then the
        // client's next xhr_send waits.
        let answer = context.eventLoop.makePromise(of: Void.self)
        entry.withSession { $0.received(messages, answer: answer) }
        answer.futureResult.assumeIsolated().whenComplete { [self] _ in
            if transport == .jsonpSend {
                respond(.ok, text: "ok", headers: headers, head, context)
            } else {
                respond(.noContent, bytes: [], headers: headers, head, context)
            }
        }
    }

    /// `xhr`, `xhr_streaming`, `eventsource`, `htmlfile`, `jsonp`: a response that receives frames.
    private func openReceiver(
        _ service: SockJSService, _ id: SessionID, _ transport: Transport, headers: HTTPHeaders,
        _ head: HTTPRequestHead, _ context: ChannelHandlerContext
    ) {
        var callback: String?
        if transport == .htmlfile || transport == .jsonp {
            guard let name = Self.queryParameter("c", in: head.uri) ?? Self.queryParameter("callback", in: head.uri)
            else {
                return respond(
                    .internalServerError, text: "\"callback\" parameter required", headers: headers, head, context)
            }
            guard isValidCallbackName(name) else {
                return respond(
                    .internalServerError, text: "invalid \"callback\" parameter", headers: headers, head, context)
            }
            callback = name
        }
        let environment = self.environment
        let remote = context.channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" }
        guard
            let (entry, isNew) = environment.registry.findOrCreate(
                id, in: service, on: context.eventLoop,
                address: ConnectionCounter.addressKey(context.channel.remoteAddress),
                make: {
                    HTTPSockJSSession(
                        id: id, eventLoop: context.eventLoop, service: service, registry: environment.registry,
                        configuration: environment.configuration, lobby: environment.lobby, logger: environment.logger)
                })
        else {
            return respond(
                .tooManyRequests,
                text: "too many SockJS sessions from your address (at most \(environment.registry.maxPerAddress))",
                headers: headers, head, context)
        }
        // An HTTP/1.0 response has no chunked framing: it can only end by closing the connection.
        let keepAlive = head.isKeepAlive && head.version != .http1_0 && head.version != .http0_9
        var headers = headers
        headers.add(name: "Content-Type", value: transport.contentType)
        headers.add(name: "Cache-Control", value: Self.noStore)
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        LobbyMetrics.httpRequest(kind: requestKind, status: 200)
        let response = HTTPResponseHead(version: head.version, status: .ok, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        let prelude = transport.prelude(callback: callback)
        if !prelude.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: prelude)))), promise: nil)
        }
        context.flush()
        let receiverID = SessionStateMachine.ReceiverID(
            Self.nextReceiverID.wrappingAdd(1, ordering: .relaxed).oldValue)
        receiver = (entry, receiverID)
        let attached = HTTPSockJSSession.Receiver(
            id: receiverID, channel: context.channel, transport: transport, callback: callback,
            keepAlive: keepAlive)
        entry.withSession { session in
            if isNew {
                session.start(transport: transport, remoteAddress: remote)
            }
            session.receiverAttached(attached)
        }
    }

    // MARK: Responses

    static let noStore = "no-store, no-cache, no-transform, must-revalidate, max-age=0"

    /// SockJS CORS: echo the Origin (a literal "null" stays "null"), credentials allowed, and
    /// echo the requested headers. Only requests whose origin `--allowed-origins` accepts get
    /// this far (see `route`), so a refused origin is never echoed.
    private func corsHeaders(_ head: HTTPRequestHead) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Access-Control-Allow-Origin", value: head.headers.first(name: "origin") ?? "*")
        headers.add(name: "Access-Control-Allow-Credentials", value: "true")
        if let requested = head.headers.first(name: "access-control-request-headers") {
            headers.add(name: "Access-Control-Allow-Headers", value: requested)
        }
        headers.add(name: "Vary", value: "Origin")
        return headers
    }

    private func preflight(
        _ methods: String, headers: HTTPHeaders, _ head: HTTPRequestHead, _ context: ChannelHandlerContext
    ) {
        var headers = headers
        headers.add(name: "Access-Control-Allow-Methods", value: methods)
        headers.add(name: "Access-Control-Max-Age", value: "31536000")
        Self.addLongCaching(&headers)
        respond(.noContent, bytes: [], headers: headers, head, context)
    }

    private static func addLongCaching(_ headers: inout HTTPHeaders) {
        headers.add(name: "Cache-Control", value: "public, max-age=31536000")
        headers.add(
            name: "Expires",
            value: HTTPDate.string(secondsSince1970: Timestamp.now().millisecondsSince1970 / 1000 + 31_536_000))
    }

    private static func sessionCookie(_ head: HTTPRequestHead) -> String {
        for cookie in head.headers["cookie"].flatMap({ $0.split(separator: ";") }) {
            let pair = cookie.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces) == "JSESSIONID" {
                return String(pair[1]).trimmingCharacters(in: .whitespaces)
            }
        }
        return "dummy"
    }

    static func queryParameter(_ name: String, in uri: String) -> String? {
        guard let query = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name {
                let value = parts.count > 1 ? String(parts[1]) : ""
                return value.removingPercentEncoding ?? value
            }
        }
        return nil
    }

    /// A page from an origin not in `--allowed-origins` (cross-site WebSocket hijacking): no
    /// session, no CORS headers.
    private func refuseOrigin(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        environment.logger.debug(
            "origin refused",
            metadata: ["origin": "\(head.origin ?? "")", "host": "\(head.host ?? "")", "uri": "\(head.uri)"])
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        respond(.forbidden, text: "Origin not allowed.\n", headers: headers, head, context)
    }

    private func notFound(_ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        respond(.notFound, text: "Not found\n", headers: headers, head, context)
    }

    private func methodNotAllowed(_ allow: String, _ head: HTTPRequestHead, _ context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Allow", value: allow)
        respond(.methodNotAllowed, bytes: [], headers: headers, head, context)
    }

    private func respond(
        _ status: HTTPResponseStatus, text: String, headers: HTTPHeaders, _ request: HTTPRequestHead,
        _ context: ChannelHandlerContext
    ) {
        respond(status, bytes: Array(text.utf8), headers: headers, request, context)
    }

    private func respond(
        _ status: HTTPResponseStatus, bytes: [UInt8], headers: HTTPHeaders, _ request: HTTPRequestHead,
        _ context: ChannelHandlerContext
    ) {
        LobbyMetrics.httpRequest(kind: requestKind, status: status.code)
        var headers = headers
        if status != .noContent && status != .notModified {
            headers.replaceOrAdd(name: "Content-Length", value: String(bytes.count))
        }
        let keepAlive = request.isKeepAlive && !headers["connection"].contains("close")
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            // HTTP/1.0 closes after every response unless the response says otherwise: a client
            // that asked for keep-alive learns from this header that the connection stays open.
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
            promise: nil)
        if !bytes.isEmpty && request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
