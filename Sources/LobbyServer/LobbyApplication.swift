import Foundation
import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import ServiceLifecycle
import SockJS

/// The running server: store, lobby and the listening socket, as one `Service`.
///
/// `run()` serves until graceful shutdown is requested (SIGINT/SIGTERM through
/// ServiceLifecycle, or cancellation), then ends every session with `shutdown`, drains the store
/// writer and closes the socket.
public final class LobbyApplication: Service, Sendable {
    public let configuration: ServerConfiguration
    let lobby: Lobby
    private let writer: StoreWriter
    private let group: MultiThreadedEventLoopGroup
    private let serverChannel: any Channel
    /// The admin listener (`--admin-listen`): metrics and kick, off the public port.
    private let adminChannel: (any Channel)?
    private let logger: Logger
    /// Several nodes: what follows the room log and keeps the lease while the server runs.
    private let cluster: Cluster?

    /// The parts of a node that shares its lobby with others.
    struct Cluster: Sendable {
        let follower: RoomLogFollower
        let lease: NodeLease
    }

    /// The port actually bound (useful with `--port 0`).
    public var port: Int { serverChannel.localAddress?.port ?? configuration.port }
    /// The admin listener's port, if it has one.
    public var adminPort: Int? { adminChannel?.localAddress?.port }

    init(
        configuration: ServerConfiguration, lobby: Lobby, writer: StoreWriter, group: MultiThreadedEventLoopGroup,
        serverChannel: any Channel, adminChannel: (any Channel)?, logger: Logger,
        cluster: Cluster? = nil
    ) {
        self.cluster = cluster
        self.adminChannel = adminChannel
        self.configuration = configuration
        self.lobby = lobby
        self.writer = writer
        self.group = group
        self.serverChannel = serverChannel
        self.logger = logger
    }

    public func run() async throws {
        // Printed, not logged, so scripts and tests find it whatever --log-level says.
        let listening =
            "listening on \(configuration.urlScheme)://\(configuration.host):\(port)\(configuration.normalizedPrefix)"
        let admin = adminChannel.map {
            "admin on http://\(configuration.adminListen?.host ?? ""):\($0.localAddress?.port ?? 0)"
        }
        for line in [listening, admin].compactMap({ $0 }) {
            if configuration.jsonLogs {
                JSONLogLine.write(level: "notice", message: line, fields: ["label": "lobby"])
            } else {
                print(line)
            }
        }
        fflush(nil)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.writer.run() }
            var backgroundTasks = self.cluster.map { cluster in
                [Task { await cluster.follower.run() }, Task { await cluster.lease.run() }]
            }
            if let retention = self.configuration.sessionRetentionMilliseconds {
                let pruning = SessionPruning(
                    store: self.writer.store, retentionMilliseconds: retention, logger: self.logger)
                backgroundTasks = (backgroundTasks ?? []) + [Task { await pruning.run() }]
            }
            await withGracefulShutdownHandler {
                try? await self.serverChannel.closeFuture.get()
            } onGracefulShutdown: {
                self.serverChannel.close(promise: nil)
            }
            await self.stop()
            await group.waitForAll()
            // After the writer drained, so the `shutdown` ends are stored while the lease holds.
            for task in backgroundTasks ?? [] {
                task.cancel()
                await task.value
            }
        }
        // After the writer drained: the store closes its connections (PostgreSQL).
        await writer.store.shutdown()
        try? await self.group.shutdownGracefully()
    }

    /// Ends every session (`shutdown`), stores it, and stops the writer.
    private func stop() async {
        logger.info("shutting down", metadata: ["sessions": "\(lobby.liveSessionCount)"])
        serverChannel.close(promise: nil)
        adminChannel?.close(promise: nil)
        lobby.shutdown()
        if let name = configuration.adminAccessName { AdminAccess.remove(forDatabase: name) }
        await writer.flush()
        writer.finish()
    }
}

/// The default `--node-id`: the host name and the port, unique among nodes on one machine.
public func defaultNodeID(port: Int) -> String {
    "\(ProcessInfo.processInfo.hostName):\(port)"
}

/// - Parameters:
///   - sharedRoom: The store's shared parts when several nodes serve one lobby (PostgreSQL):
///     the lobby then follows the room log and keeps a lease. Nil: one node, ordered by its
///     own commits.
public func buildApplication(
    configuration: ServerConfiguration, store: any LobbyStore, sharedRoom: (any SharedRoom)? = nil,
    logger: Logger, metricsText: (@Sendable () -> [UInt8])? = nil
) async throws -> LobbyApplication {
    // First: a bad certificate or key stops the start with its reason, before the store is touched.
    let tlsContext = try configuration.tls?.makeServerContext()
    let writer = StoreWriter(store: store)
    let nameClaims = configuration.nameClaimMilliseconds.map {
        NameClaims(
            store: store, lifetimeMilliseconds: $0, claimsPerAddressPerHour: configuration.claimsPerAddressPerHour)
    }
    let lobby: Lobby
    var cluster: LobbyApplication.Cluster?
    if let sharedRoom {
        // This node's leftovers end with `restart`, lapsed nodes' with `node-lost`; then the
        // room as the log has it, and the log from there on.
        let closed = try await sharedRoom.joinCluster(at: .now(), leftoversReason: .restart)
        logClosedLeftovers(closed, logger: logger)
        _ = try await sharedRoom.reapLostNodes(at: .now())
        let snapshot = try await sharedRoom.snapshot(historyLimit: configuration.historyLimit)
        lobby = Lobby(
            writer: writer, history: snapshot.history, historyLimit: configuration.historyLimit, logger: logger,
            order: .sharedLog,
            present: snapshot.sessions.compactMap { session, user in
                UserName(stored: user).map { (session: session, user: $0) }
            }, away: snapshot.away, nameClaims: nameClaims, chatRate: configuration.chatRate)
        cluster = LobbyApplication.Cluster(
            follower: RoomLogFollower(room: sharedRoom, lobby: lobby, after: snapshot.sequence, logger: logger),
            lease: NodeLease(
                room: sharedRoom, lobby: lobby, leaseMilliseconds: configuration.nodeLeaseMilliseconds, logger: logger))
    } else {
        logClosedLeftovers(try await store.closeOpenSessions(reason: .restart, at: .now()), logger: logger)
        let history = try await store.recentMessages(limit: configuration.historyLimit)
        lobby = Lobby(
            writer: writer, history: history, historyLimit: configuration.historyLimit, logger: logger,
            away: try await store.awayStatuses(), nameClaims: nameClaims, chatRate: configuration.chatRate)
    }
    let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
    let services = SockJSService.services(for: configuration)
    let adminToken = AdminAccess.makeToken()
    let environment = HTTPEnvironment(
        services: services, registry: SockJSSessionRegistry(maxPerAddress: configuration.maxConnectionsPerAddress),
        lobby: lobby, configuration: configuration,
        staticFiles: StaticFiles(configuration: configuration), logger: logger,
        health: HealthCheck(lobby: lobby, store: store), metricsText: metricsText,
        hostPolicy: configuration.hostPolicy)
    let connections = ConnectionCounter(
        maxConnections: configuration.maxConnections
            ?? ConnectionCounter.defaultMaxConnections(openFileLimit: ConnectionCounter.openFileSoftLimit()),
        maxConnectionsPerAddress: configuration.maxConnectionsPerAddress)
    logger.debug(
        "connection limits",
        metadata: [
            "max-connections": "\(connections.maxConnections)",
            "max-connections-per-ip": "\(connections.maxConnectionsPerAddress)",
        ])
    let pipeline = PipelineFactory(environment: environment, connections: connections, tlsContext: tlsContext)
    do {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(acceptBackoffHandler(logger: logger))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // Small first reads: chat frames are small, and the decoder may keep its last read
            // buffer while a connection idles. The allocator still grows for bigger messages.
            .childChannelOption(
                .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)
            )
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: configuration.maxQueuedBytes / 2, high: configuration.maxQueuedBytes)
            )
            .childChannelInitializer { channel in pipeline.configure(channel) }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        let adminChannel = try await configuration.adminListen.asyncMap { listen in
            try await bindAdminListener(
                host: listen.host, port: listen.port, group: group,
                environment: AdminHTTPHandler.Environment(
                    lobby: lobby, adminToken: adminToken, metricsText: metricsText))
        }
        if let adminChannel, let listen = configuration.adminListen {
            let adminURL =
                "http://\(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(adminChannel.localAddress?.port ?? listen.port)"
            if let name = configuration.adminAccessName {
                try AdminAccess(url: adminURL, token: adminToken, pid: getpid()).write(forDatabase: name)
            }
            try await sharedRoom?.advertiseAdmin(url: adminURL, token: adminToken)
        }
        return LobbyApplication(
            configuration: configuration, lobby: lobby, writer: writer, group: group, serverChannel: channel,
            adminChannel: adminChannel, logger: logger, cluster: cluster)
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

/// The admin listener: plain HTTP, one request per connection, ``AdminHTTPHandler``.
private func bindAdminListener(
    host: String, port: Int, group: MultiThreadedEventLoopGroup, environment: AdminHTTPHandler.Environment
) async throws -> any Channel {
    try await ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                try channel.pipeline.syncOperations.addHandler(AdminHTTPHandler(environment: environment))
            }
        }
        .bind(host: host, port: port)
        .get()
}

extension Optional {
    fileprivate func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async throws -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}

private func logClosedLeftovers(_ closed: Int, logger: Logger) {
    guard closed > 0 else { return }
    logger.notice("closed sessions left open by an earlier run", metadata: ["count": "\(closed)", "reason": "restart"])
}
