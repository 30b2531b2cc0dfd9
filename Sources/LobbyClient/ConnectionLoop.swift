import LobbyCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import SockJS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The part of ``LobbyConnection`` that lives on its event loop: carries out the
/// ``ReconnectStateMachine``'s actions with real sockets and timers.
final class ConnectionLoop {
    private let configuration: LobbyConnection.Configuration
    private let eventLoop: any EventLoop
    private let onEvent: @Sendable (ConnectionEvent) -> Void

    private var reconnector: ReconnectStateMachine
    private var generator = SystemRandomNumberGenerator()
    private var tick: Scheduled<Void>?

    /// The attempt whose callbacks still count; callbacks of older attempts are ignored.
    private var currentAttempt = 0
    private var attemptIsLive = false
    private var channel: (any Channel)?
    /// Set once the WebSocket upgrade succeeded and the session runs.
    private var driver: SessionDriver?
    private var handshakeTimeout: Scheduled<Void>?
    /// The name the next connection identifies as: the configured one, or the last one a welcome
    /// confirmed after a `/nick`.
    private var displayName: String
    /// The name's claim secret: the configured one, or the one a welcome handed out since.
    private var nameToken: String?
    /// A `/nick` sent on the current session and not yet answered: it becomes `displayName`
    /// with the welcome; a refusal leaves the session (and the next ones) with the old name.
    private var pendingRename: (name: String, token: String?)?
    /// Whether the current attempt's session got a welcome.
    private var attemptWasWelcomed = false
    /// Made at the first `https://` attempt and kept: every attempt verifies the same way.
    private var sharedTLS: ClientTLS?
    /// Chat and private messages, paced to the server's chat rate.
    private var sendQueue = SendQueue(now: SessionDriver.now())
    private var sendTimer: Scheduled<Void>?
    /// The user quit while lines were still queued: the goodbye waits until they went out (or
    /// until this deadline: a server that stays refusing must not keep the client from leaving).
    private var quitAfterQueueBy: UInt64?
    /// The name the current session was welcomed as: its own messages coming back confirm sends.
    private var welcomedUser: String?

    init(
        configuration: LobbyConnection.Configuration, eventLoop: any EventLoop,
        onEvent: @escaping @Sendable (ConnectionEvent) -> Void
    ) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.onEvent = onEvent
        self.reconnector = ReconnectStateMachine(backoff: configuration.backoff)
        self.displayName = configuration.displayName
        self.nameToken = configuration.nameToken
    }

    func start() {
        run(reconnector.start())
    }

    func send(_ request: ClientRequest) {
        guard let driver else { return onEvent(.session(.notSent(request.unsentText))) }
        guard SendQueue.isPaced(request) else { return driver.send(request) }
        sendQueue.enqueue(request)
        sendQueued()
    }

    func quit() {
        if driver != nil, !sendQueue.isEmpty, quitAfterQueueBy == nil {
            quitAfterQueueBy = SessionDriver.now() + Self.queueDrainLimit
            return sendQueued()
        }
        quitAfterQueueBy = nil
        run(reconnector.quit())
    }

    /// How long a quit waits for queued lines to go out.
    static let queueDrainLimit: UInt64 = 8_000

    /// Sends what the queue lets through now, and arms its timer for the rest.
    private func sendQueued() {
        sendTimer?.cancel()
        sendTimer = nil
        let now = SessionDriver.now()
        if let driver, welcomedUser != nil {
            for request in sendQueue.take(now: now) { driver.send(request) }
        }
        if let deadline = quitAfterQueueBy, sendQueue.isEmpty || now >= deadline {
            return quit()
        }
        // Until the welcome nothing goes out, but a quit's deadline still holds.
        let next = driver != nil && welcomedUser != nil ? sendQueue.nextDeadline : nil
        guard let wake = [next, quitAfterQueueBy].compactMap({ $0 }).min() else { return }
        sendTimer = eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(wake * 1_000_000)) {
            self.sendTimer = nil
            self.sendQueued()
        }
    }

    /// Whether the queue takes care of `event` (a refusal it will resend); notes confirmations.
    private func queueHandled(_ event: SessionEvent) -> Bool {
        switch event {
        case .message(let message) where message.user == welcomedUser:
            sendQueue.confirmed(.chat(message.text))
        case .direct(let direct) where direct.from == welcomedUser:
            sendQueue.confirmed(.direct(to: direct.to, text: direct.text))
        case .serverError(let error) where error.code == ErrorCode.rateLimited:
            // Renames and away changes have buckets of their own ("you are changing your …"):
            // those refusals are the user's to read.
            guard !error.message.contains("changing your"), sendQueue.refused(now: SessionDriver.now()) else {
                return false
            }
            sendQueued()
            return true
        default:
            break
        }
        return false
    }

    func reconnect() {
        run(reconnector.reconnect())
    }

    func rename(to name: String) {
        let token = configuration.savedNameToken?(name)
        guard let driver else {
            // Between connections: the next one identifies as the new name.
            displayName = name
            nameToken = token
            return
        }
        pendingRename = (name, token)
        driver.identify(as: name, token: token)
    }

    private func run(_ actions: [ReconnectStateMachine.Action]) {
        for action in actions {
            switch action {
            case .emit(let event):
                onEvent(event)
            case .openConnection:
                openConnection()
            case .scheduleTick(let deadline):
                tick?.cancel()
                tick = eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(deadline * 1_000_000)) {
                    self.tick = nil
                    self.run(self.reconnector.tick(now: SessionDriver.now()))
                }
            case .quitConnection:
                if let driver {
                    driver.quit()
                } else {
                    // Still connecting or upgrading: nothing to say goodbye on. When the TCP connect
                    // is still in flight, its completion sees `isClosingConnection` and closes.
                    channel?.close(promise: nil)
                }
            }
        }
    }

    // MARK: - One connection attempt

    private func openConnection() {
        currentAttempt += 1
        attemptIsLive = true
        attemptWasWelcomed = false
        let attempt = currentAttempt
        let server = randomServerID(using: &generator)
        let session = randomSessionID(using: &generator)
        guard let url = makeTransportURL(base: configuration.serverURL, server: server, session: session) else {
            return attemptEnded(attempt, .failed("invalid server URL \(configuration.serverURL)"))
        }
        let endpoint: WebSocketEndpoint
        do {
            endpoint = try WebSocketEndpoint(url: url)
        } catch {
            return attemptEnded(attempt, .failed(error.description))
        }
        let tls: ClientTLS?
        do {
            tls = endpoint.usesTLS ? try clientTLS() : nil
        } catch {
            return attemptEnded(attempt, .untrusted(error.description))
        }
        var sessionConfiguration = configuration.session
        sessionConfiguration.host = sessionConfiguration.host ?? endpoint.host
        let driver = SessionDriver(
            transportURL: url, displayName: displayName, nameToken: nameToken,
            configuration: sessionConfiguration,
            // Weak: a channel outliving its connection (released while the socket closes) may
            // still report its end; nobody is left to tell.
            onEvent: { [weak self] event in self?.sessionEvent(event, attempt: attempt) },
            onEnd: { [weak self] end in self?.attemptEnded(attempt, end) })

        let boundDriver = NIOLoopBound(driver, eventLoop: eventLoop)
        let upgrade = NIOLoopBoundBox<EventLoopFuture<Bool>?>(nil, eventLoop: eventLoop)
        let tlsRecorder = NIOLoopBoundBox<TLSFailureRecorder?>(nil, eventLoop: eventLoop)
        let maximumMessageSize = configuration.maximumMessageSize
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeout)))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let recorder = TLSFailureRecorder()
                        try channel.pipeline.syncOperations.addHandlers(tls.makeHandler(for: endpoint), recorder)
                        tlsRecorder.value = recorder
                    }
                    upgrade.value = try Self.configureUpgrade(
                        channel, endpoint: endpoint, maximumMessageSize: maximumMessageSize
                    ) { channel in
                        try channel.pipeline.syncOperations.addHandlers(
                            WebSocketMessageHandler(maximumMessageSize: maximumMessageSize), boundDriver.value)
                    }
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .failure(let error):
                    let reason = Self.describe(connectError: error)
                    self.attemptEnded(attempt, .lost("cannot connect to \(endpoint.hostHeader): \(reason)"))
                case .success(let channel):
                    self.connected(
                        channel, attempt: attempt, driver: driver, upgrade: upgrade.value,
                        tlsFailure: { Self.tlsEnd(tlsRecorder.value, host: endpoint.host) })
                }
            }
    }

    /// TCP is up; the upgrade request is on its way.
    ///
    /// - Parameter tlsFailure: how the attempt ends if its TLS handshake failed (that, not the
    ///   close which follows it, is what the user must see).
    private func connected(
        _ channel: any Channel, attempt: Int, driver: SessionDriver, upgrade: EventLoopFuture<Bool>?,
        tlsFailure: @escaping () -> SessionEnd?
    ) {
        guard attempt == currentAttempt, attemptIsLive else {
            channel.close(promise: nil)
            return
        }
        guard let upgrade else {
            channel.close(promise: nil)
            return attemptEnded(attempt, .failed("the WebSocket handshake could not be set up"))
        }
        self.channel = channel
        if reconnector.isClosingConnection {
            channel.close(promise: nil)
        }
        let timeout = configuration.connectTimeout
        handshakeTimeout = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(timeout))) {
            // Ended first, so the upgrade failing because of the close below is not reported again.
            self.attemptEnded(
                attempt, .lost("the server did not answer the WebSocket upgrade within \(timeout / 1000) s"))
            channel.close(promise: nil)
        }
        upgrade.assumeIsolated().whenComplete { result in
            guard attempt == self.currentAttempt, self.attemptIsLive else { return }
            self.handshakeTimeout?.cancel()
            self.handshakeTimeout = nil
            if case .failure = result, let end = tlsFailure() {
                channel.close(promise: nil)
                return self.attemptEnded(attempt, end)
            }
            switch result {
            case .success(true):
                // From here on the driver reports the end of the connection.
                self.driver = driver
                if self.reconnector.isClosingConnection {
                    driver.quit()
                }
            case .success(false):
                channel.close(promise: nil)
                // A wrong path is the usual cause (a proxy's prefix, a missing /connection):
                // retrying cannot help, but the user can fix it, so the failure says where to look.
                let server = self.configuration.serverURL
                self.attemptEnded(
                    attempt,
                    .failed(
                        "the server did not accept a WebSocket under \(server): is that its SockJS endpoint (by default /connection)?"
                    ))
            case .failure(ChannelError.inappropriateOperationForState):
                // What the upgrade handler reports when it is removed by the channel closing.
                self.attemptEnded(attempt, .lost("the connection closed during the WebSocket handshake"))
            case .failure(let error):
                channel.close(promise: nil)
                self.attemptEnded(attempt, .lost("the WebSocket handshake failed: \(error)"))
            }
        }
    }

    private func sessionEvent(_ event: SessionEvent, attempt: Int) {
        guard attempt == currentAttempt, attemptIsLive else { return }
        if queueHandled(event) { return }
        onEvent(.session(event))
        // After the welcome itself, so "connected" follows the history it brought.
        if case .welcome(let welcome) = event {
            attemptWasWelcomed = true
            let isNewSession = welcomedUser == nil
            welcomedUser = welcome.user
            if isNewSession {
                // A rename's welcome keeps the session, and with it the server's bucket.
                sendQueue.sessionStarted(rate: welcome.chatRate ?? .serverDefault, now: SessionDriver.now())
            }
            defer { sendQueued() }
            if let rename = pendingRename {
                displayName = rename.name
                nameToken = rename.token
                pendingRename = nil
            }
            if let token = welcome.token {
                // Only what a Lobby server makes is kept and written to the token file: a token
                // holding a line break or a tab could forge another server's line there.
                if NameTokens.isWellFormed(token) {
                    nameToken = token
                    configuration.nameTokenIssued?(token, displayName)
                } else {
                    onEvent(.session(.protocolError("the server's name token is malformed; it was not saved")))
                }
            }
            run(reconnector.sessionWelcomed(user: welcome.user, sessionID: welcome.sessionId))
        }
    }

    private func attemptEnded(_ attempt: Int, _ end: SessionEnd) {
        guard attempt == currentAttempt, attemptIsLive else { return }
        attemptIsLive = false
        channel = nil
        driver = nil
        welcomedUser = nil
        sendTimer?.cancel()
        sendTimer = nil
        sendQueue.connectionEnded()
        let wasQuitting = quitAfterQueueBy != nil
        if wasQuitting {
            // Nothing more can go out on this connection: the quit goes ahead.
            quitAfterQueueBy = nil
            _ = sendQueue.removeAll()
        }
        // A session refused its first name: the name asked for since is the one to try next.
        if let rename = pendingRename, !attemptWasWelcomed {
            displayName = rename.name
            nameToken = rename.token
        }
        pendingRename = nil
        handshakeTimeout?.cancel()
        handshakeTimeout = nil
        run(reconnector.connectionEnded(end, now: SessionDriver.now(), using: &generator))
        if wasQuitting { run(reconnector.quit()) }
    }

    private func clientTLS() throws(ClientTLSError) -> ClientTLS {
        if let sharedTLS { return sharedTLS }
        let made: ClientTLS
        if let configured = configuration.tls {
            made = configured
        } else {
            made = try ClientTLS()
        }
        sharedTLS = made
        return made
    }

    private static func tlsEnd(_ recorder: TLSFailureRecorder?, host: String) -> SessionEnd? {
        guard let failure = recorder?.failure else { return nil }
        let (reason, isUntrusted) = ClientTLS.describe(failure, host: host)
        return isUntrusted ? .untrusted(reason) : .lost(reason)
    }

    /// Adds the HTTP client handlers that send the upgrade request for `endpoint`; on a `101`
    /// they make way for the WebSocket codec and `addSessionHandlers`.
    ///
    /// - Returns: whether the server upgraded.
    private static func configureUpgrade(
        _ channel: any Channel, endpoint: WebSocketEndpoint, maximumMessageSize: Int,
        addSessionHandlers: @escaping @Sendable (any Channel) throws -> Void
    ) throws -> EventLoopFuture<Bool> {
        let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: maximumMessageSize) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try addSessionHandlers(channel)
                return true
            }
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        let request = HTTPRequestHead(version: .http1_1, method: .GET, uri: endpoint.requestURI, headers: headers)
        let upgradeConfiguration = NIOTypedHTTPClientUpgradeConfiguration<Bool>(
            upgradeRequestHead: request, upgraders: [upgrader],
            notUpgradingCompletionHandler: { $0.eventLoop.makeSucceededFuture(false) })
        var pipelineConfiguration = NIOUpgradableHTTPClientPipelineConfiguration(
            upgradeConfiguration: upgradeConfiguration)
        // A server may send its first WebSocket frame (SockJS `o`) in the same packet as the `101`:
        // those bytes belong to the WebSocket decoder, not the bin.
        pipelineConfiguration.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(
            configuration: pipelineConfiguration)
    }

    /// A connect failure in words: NIO's own descriptions list every address tried.
    static func describe(connectError error: any Error) -> String {
        var error = error
        if let failure = error as? NIOConnectionError, let first = failure.connectionErrors.first {
            error = first.error
        } else if let failure = error as? NIOConnectionError, let dnsError = failure.dnsAError ?? failure.dnsAAAAError {
            return "cannot resolve \(failure.host): \(dnsError)"
        }
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode)).lowercased()
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "timed out"
        }
        return "\(error)"
    }
}
