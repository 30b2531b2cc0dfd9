import LobbyCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import STOMP
import SockJS

/// Builds each accepted connection's pipeline: TLS first when configured, then HTTP, with
/// WebSocket upgrade for the `websocket` routes, unless the connection is over a limit, when it
/// only gets its refusal.
struct PipelineFactory: Sendable {
    let environment: HTTPEnvironment
    let connections: ConnectionCounter
    /// Loaded once at start-up and shared by every connection; nil serves plain HTTP.
    var tlsContext: NIOSSLContext?
    /// One info line now and then about refused connections (each one is logged at debug).
    let refusals = RateLimitedLog()
    var configuration: ServerConfiguration { environment.configuration }
    var lobby: Lobby { environment.lobby }
    var services: [SockJSService] { environment.services }
    var logger: Logger { environment.logger }

    func configure(_ channel: any Channel) -> EventLoopFuture<Void> {
        let ticket = connections.open(address: ConnectionCounter.addressKey(channel.remoteAddress))
        channel.closeFuture.whenComplete { _ in ticket.release() }
        if let tlsContext {
            // A refusal goes over TLS too: a client of an HTTPS port speaks nothing else.
            do {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tlsContext))
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        guard ticket.admission == .admitted else {
            return configureRefusal(channel, ticket: ticket)
        }
        let maxMessage = configuration.maxFrameBytes * 2 + 4096
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: maxMessage,
            automaticErrorHandling: true,
            shouldUpgrade: { [services, configuration, hosts = environment.hostPolicy] channel, head in
                // A refused host or origin is not upgraded: HTTPHandler then answers it 421 / 403.
                guard hosts.allows(hostHeader: head.host),
                    configuration.allowedOrigins.allows(origin: head.origin, host: hosts.selfHost(head.host))
                else {
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                let (service, route) = SockJSService.resolve(path: head.uri, in: services)
                switch (service, route) {
                case (.some(let service), .rawWebSocket), (.some(let service), .session(_, _, .websocket)):
                    return channel.eventLoop.makeSucceededFuture(Self.upgradeHeaders(service: service, head: head))
                default:
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
            },
            upgradePipelineHandler: { [self] channel, head in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketMessageReader(maxMessageBytes: maxMessage, maxFragments: 64))
                    try channel.pipeline.syncOperations.addHandler(sessionHandler(for: head, channel: channel))
                }
            })
        return channel.pipeline.configureHTTPServerPipeline(
            withServerUpgrade: (
                upgraders: [upgrader],
                completionHandler: { context in
                    context.pipeline.removeHandler(name: HTTPHandler.name, promise: nil)
                    context.pipeline.removeHandler(name: RequestHeadTimer.name, promise: nil)
                }
            )
        ).flatMapThrowing { [environment] in
            try addHeadTimer(to: channel, timeout: configuration.requestTimeoutMilliseconds)
            try channel.pipeline.syncOperations.addHandler(
                HTTPHandler(environment: environment), name: HTTPHandler.name)
        }
    }

    /// The 101's extra headers. A STOMP endpoint selects the highest STOMP subprotocol the
    /// client offered (`v12.stomp`…): browsers and strict clients abort a handshake that offered
    /// subprotocols and got none back.
    static func upgradeHeaders(service: SockJSService, head: HTTPRequestHead) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if service.kind == .lobby,
            let version = STOMP.Version.negotiatedWebSocketSubprotocol(offered: head.headers["sec-websocket-protocol"])
        {
            headers.add(name: "Sec-WebSocket-Protocol", value: version.webSocketSubprotocol)
        }
        return headers
    }

    /// A connection over a limit: its first request head is answered 429 or 503 and the
    /// connection closed. Over the total limit, file descriptors are what is scarce, so a silent
    /// one gets at most a second.
    private func configureRefusal(_ channel: any Channel, ticket: ConnectionCounter.Ticket) -> EventLoopFuture<Void> {
        let configured =
            configuration.requestTimeoutMilliseconds > 0 ? configuration.requestTimeoutMilliseconds : 10_000
        let timeout = ticket.admission == .serverFull ? min(configured, 1_000) : configured
        logRefusal(ticket)
        return channel.pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false).flatMapThrowing {
            try addHeadTimer(to: channel, timeout: timeout)
            try channel.pipeline.syncOperations.addHandler(RefusalHandler(admission: ticket.admission))
        }
    }

    /// Puts the idle timer right after NIO's pipelining handler (or the decoder when there is
    /// none), before the upgrade handler, so it sees every request head.
    private func addHeadTimer(to channel: any Channel, timeout milliseconds: Int) throws {
        guard milliseconds > 0 else { return }
        let operations = channel.pipeline.syncOperations
        let timer = RequestHeadTimer(timeout: .milliseconds(Int64(milliseconds)))
        if let pipelining = try? operations.handler(type: HTTPServerPipelineHandler.self) {
            try operations.addHandler(timer, name: RequestHeadTimer.name, position: .after(pipelining))
        } else {
            try operations.addHandler(timer, name: RequestHeadTimer.name)
        }
    }

    private func logRefusal(_ ticket: ConnectionCounter.Ticket) {
        let reason = ticket.admission == .serverFull ? "max-connections" : "max-connections-per-ip"
        logger.debug("connection refused", metadata: ["address": "\(ticket.address)", "limit": "\(reason)"])
        if let count = refusals.record() {
            logger.info(
                "refusing connections over a limit",
                metadata: [
                    "refused": "\(count)", "latest": "\(ticket.address)", "limit": "\(reason)",
                    "open": "\(connections.total)",
                ])
        }
    }

    private func sessionHandler(for head: HTTPRequestHead, channel: any Channel) -> any ChannelHandler {
        let (service, route) = SockJSService.resolve(path: head.uri, in: services)
        let remote = channel.remoteAddress.map { "\($0.ipAddress ?? "?"):\($0.port ?? 0)" }
        switch (service?.kind, route) {
        case (.echo, .rawWebSocket):
            return EchoWebSocketHandler(service: .echo, framing: .raw)
        case (.echo, _):
            return EchoWebSocketHandler(service: .echo, framing: .sockJS)
        case (.close, .rawWebSocket):
            return EchoWebSocketHandler(service: .close, framing: .raw)
        case (.close, _):
            return EchoWebSocketHandler(service: .close, framing: .sockJS)
        case (_, .session(_, let session, _)):
            return WebSocketSessionHandler(
                sessionID: SessionID(session), framing: .sockJS, lobby: lobby, configuration: configuration,
                remoteAddress: remote, logger: logger)
        default:
            var generator = SystemRandomNumberGenerator()
            return WebSocketSessionHandler(
                sessionID: SessionID(randomSessionID(length: 12, using: &generator)), framing: .raw, lobby: lobby,
                configuration: configuration, remoteAddress: remote, logger: logger)
        }
    }
}

extension HTTPRequestHead {
    /// The `Origin` header, if the request came from a web page.
    var origin: String? { headers.first(name: "origin") }
    /// The `Host` header: the address the client used to reach this server.
    var host: String? { headers.first(name: "host") }
}

/// Accept errors (EMFILE, ENFILE, ENOBUFS…) leave the listening socket readable; without a pause
/// the loop would retry `accept` at once, for ever. NIO's `AcceptBackoffHandler` waits before
/// the next accept; ServerBootstrap's future-based `bind` does not add one by itself.
func acceptBackoffHandler(logger: Logger) -> AcceptBackoffHandler {
    let errors = RateLimitedLog()
    return AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
        if let count = errors.record() {
            logger.warning("accept failed; pausing accepts", metadata: ["error": "\(error)", "count": "\(count)"])
        }
        return .milliseconds(250)
    }
}
