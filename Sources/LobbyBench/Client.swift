import NIOCore
import NIOPosix
import NIOWebSocket
import STOMP

/// How each benchmark session talks to the server.
public struct ClientOptions: Sendable {
    public var endpoint: Endpoint
    /// STOMP `host` header (RabbitMQ: the virtual host).
    public var vhost: String = "/"
    public var login: String?
    public var passcode: String?
    /// The client's heart-beat offer (`cx,cy` in ms).
    public var heartBeat: HeartBeat = .off
    /// Destinations subscribed after `CONNECTED`, with ids `sub-0`, `sub-1`, … unless `subscriptionIDs` names them.
    public var subscriptions: [String] = []
    /// The id of each subscription, in the order of `subscriptions` (`chat`, `presence`, `reply`, as the
    /// real client does); empty: `sub-0`, `sub-1`, …
    public var subscriptionIDs: [String] = []
    /// Where the identity message goes; nil for peers without identity (RabbitMQ).
    public var identityDestination: String?
    /// Local address to bind (a 127.x.y.z address to get more ephemeral ports), or nil.
    public var sourceAddress: String?
    /// How long the TCP connect, the upgrade and the STOMP handshake may take together.
    public var handshakeTimeoutMilliseconds: Int64 = 30_000

    public init(endpoint: Endpoint) {
        self.endpoint = endpoint
    }
}

/// When a session became usable.
public struct ReadyInfo: Sendable {
    /// The server's session id (SockJS: from the URL; raw: `CONNECTED`'s `session` header).
    public var sessionID: String?
    public var version: Version
    public var startedAt: UInt64
    public var readyAt: UInt64
}

/// Receives what sessions see. Called on the session's event loop thread: keep it short.
public protocol ClientObserver: Sendable {
    func message(client: Int, frame: Frame, at: UInt64)
    func closed(client: Int, at: UInt64)
}

/// An observer that takes `MESSAGE` frames unparsed, for the scenarios where clients receive
/// millions of them (real-client storms, bursts). Raw STOMP only; everything else still arrives as
/// a `Frame` through `message(client:frame:at:)`.
public protocol RawMessageObserver: ClientObserver {
    /// `subscription`: the header's value as sent (empty if absent); `body`: the frame's body.
    func rawMessage(
        client: Int, subscription: UnsafeBufferPointer<UInt8>, body: UnsafeBufferPointer<UInt8>, at: UInt64)
}

public struct HandshakeError: Error, CustomStringConvertible {
    public var description: String
}

/// One benchmark session: a WebSocket carrying STOMP, set up until its `ready` receipt.
public final class BenchClient: Sendable {
    public let index: Int
    public let channel: any Channel
    public let framing: Framing
    public let info: ReadyInfo

    init(index: Int, channel: any Channel, framing: Framing, info: ReadyInfo) {
        self.index = index
        self.channel = channel
        self.framing = framing
        self.info = info
    }

    public var localPort: Int? { channel.localAddress?.port }

    /// Sends frames in one WebSocket message (from any thread).
    public func send(_ frames: [Frame], flush: Bool = true) {
        let payload = Outbound.payload(frames, version: info.version, framing: framing)
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(bytes: payload))
        if flush {
            channel.writeAndFlush(frame, promise: nil)
        } else {
            channel.write(frame, promise: nil)
        }
    }

    public func flush() { channel.flush() }

    /// Closes the TCP connection with no `DISCONNECT` and no WebSocket close frame.
    public func closeAbruptly() {
        channel.close(promise: nil)
    }

    /// Opens a session and waits until it is ready (subscribed and, where the peer has it, identified).
    public static func open(
        index: Int, name: String?, options: ClientOptions, group: any EventLoopGroup, observer: any ClientObserver
    ) async throws -> BenchClient {
        var generator = SystemRandomNumberGenerator()
        let (path, urlSessionID) = options.endpoint.sessionPath(using: &generator)
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: ReadyInfo.self)
        let startedAt = monotonicNanoseconds()
        let framing: Framing = options.endpoint.sockJS ? .sockJS : .raw
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(options.handshakeTimeoutMilliseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handshake = WebSocketHandshakeHandler(
                        path: path, host: options.endpoint.hostHeader, maxFrameSize: 64 << 20
                    ) { error in
                        promise.fail(error)
                    }
                    let handler = StompClientHandler(
                        index: index, name: name, options: options, framing: framing,
                        urlSessionID: urlSessionID, startedAt: startedAt, observer: observer, ready: promise)
                    try channel.pipeline.syncOperations.addHandlers([handshake, handler])
                }
            }
        if let source = options.sourceAddress {
            bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0))
        }
        let channel: any Channel
        do {
            // An IP literal (the tool's loopback URLs) is connected to directly: connecting by
            // host name runs getaddrinfo on a thread pool and Happy Eyeballs for every session,
            // which a profile put at a quarter of the tool's CPU in the connect scenario.
            if let address = try? SocketAddress(ipAddress: options.endpoint.host, port: options.endpoint.port) {
                channel = try await bootstrap.connect(to: address).get()
            } else {
                channel = try await bootstrap.connect(host: options.endpoint.host, port: options.endpoint.port).get()
            }
        } catch {
            promise.fail(error)
            throw error
        }
        let timeout = eventLoop.scheduleTask(in: .milliseconds(options.handshakeTimeoutMilliseconds)) {
            promise.fail(
                HandshakeError(description: "no ready receipt within \(options.handshakeTimeoutMilliseconds) ms"))
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in
            promise.fail(HandshakeError(description: "the connection closed during the handshake"))
        }
        do {
            let info = try await promise.futureResult.get()
            timeout.cancel()
            return BenchClient(index: index, channel: channel, framing: framing, info: info)
        } catch {
            timeout.cancel()
            channel.close(promise: nil)
            throw error
        }
    }
}

/// Fired through the pipeline once the WebSocket upgrade is complete.
struct WebSocketUpgraded: Sendable {}

/// The STOMP side of one benchmark session. Event-loop bound.
final class StompClientHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let index: Int
    private let name: String?
    private let options: ClientOptions
    private let framing: Framing
    private let urlSessionID: String?
    private let startedAt: UInt64
    private let observer: any ClientObserver
    /// The observer again when it takes raw MESSAGE frames (raw STOMP only).
    private let rawObserver: (any RawMessageObserver)?
    private let ready: EventLoopPromise<ReadyInfo>
    private var decoder: InboundDecoder
    private var version: Version = .v1_0
    private var sessionID: String?
    private var isReady = false
    private var heartBeatTask: RepeatedTask?
    private var fragments: ByteBuffer?

    init(
        index: Int, name: String?, options: ClientOptions, framing: Framing, urlSessionID: String?, startedAt: UInt64,
        observer: any ClientObserver, ready: EventLoopPromise<ReadyInfo>
    ) {
        self.index = index
        self.name = name
        self.options = options
        self.framing = framing
        self.urlSessionID = urlSessionID
        self.startedAt = startedAt
        self.observer = observer
        self.rawObserver = framing == .raw ? observer as? any RawMessageObserver : nil
        self.ready = ready
        self.decoder = InboundDecoder(framing: framing)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Raw STOMP speaks first; over SockJS the client waits for `o`.
        if event is WebSocketUpgraded {
            if framing == .raw { sendConnect(context: context) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        heartBeatTask?.cancel()
        heartBeatTask = nil
        if !isReady {
            ready.fail(HandshakeError(description: "the connection closed during the STOMP handshake"))
        }
        observer.closed(client: index, at: monotonicNanoseconds())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !isReady {
            ready.fail(error)
        }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        case .text, .binary:
            if frame.fin {
                process(frame.unmaskedData, context: context)
            } else {
                fragments = frame.unmaskedData
            }
        case .continuation:
            var data = frame.unmaskedData
            fragments?.writeBuffer(&data)
            if frame.fin, let whole = fragments {
                fragments = nil
                process(whole, context: context)
            }
        default:
            break
        }
    }

    private func process(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        if let rawObserver, decoder.isIdle,
            buffer.readableBytesView.withContiguousStorageIfAvailable({ deliverRaw($0, to: rawObserver) }) == true
        {
            return
        }
        let events: [InboundEvent]
        do {
            events =
                try buffer.readableBytesView.withContiguousStorageIfAvailable { try decoder.decode($0) }
                ?? decoder.decode(Array(buffer.readableBytesView))
        } catch {
            errorCaught(
                context: context, error: HandshakeError(description: "undecodable message from the server: \(error)"))
            return
        }
        let now = monotonicNanoseconds()
        for event in events {
            switch event {
            case .open:
                sendConnect(context: context)
            case .heartBeat:
                break
            case .closed:
                context.close(promise: nil)
            case .frame(let frame):
                handle(frame, at: now, context: context)
            }
        }
    }

    /// Hands a message of nothing but complete MESSAGE frames to the raw observer; false (nothing
    /// delivered) for anything else.
    private func deliverRaw(_ bytes: UnsafeBufferPointer<UInt8>, to rawObserver: any RawMessageObserver) -> Bool {
        guard let messages = RawFrames.messages(in: bytes) else { return false }
        let now = monotonicNanoseconds()
        for message in messages {
            let subscription = message.subscription.map { UnsafeBufferPointer(rebasing: bytes[$0]) }
            rawObserver.rawMessage(
                client: index, subscription: subscription ?? UnsafeBufferPointer(start: nil, count: 0),
                body: UnsafeBufferPointer(rebasing: bytes[message.body]), at: now)
        }
        return true
    }

    private func handle(_ frame: Frame, at now: UInt64, context: ChannelHandlerContext) {
        switch frame.command {
        case .connected:
            connected(frame, context: context)
        case .receipt where frame.headers["receipt-id"] == "ready" && !isReady:
            becomeReady(at: now)
        case .error where !isReady:
            let message = frame.headers["message"] ?? frame.bodyText ?? "ERROR"
            ready.fail(HandshakeError(description: "the server answered ERROR: \(message)"))
            context.close(promise: nil)
        default:
            observer.message(client: index, frame: frame, at: now)
        }
    }

    private func connected(_ frame: Frame, context: ChannelHandlerContext) {
        version = frame.headers["version"].flatMap(Version.init(rawValue:)) ?? .v1_0
        sessionID = urlSessionID ?? frame.headers["session"]
        let interval = clientSendInterval(offer: options.heartBeat, connectedHeader: frame.headers["heart-beat"])
        if interval > 0 {
            let beat = Outbound.heartBeat(framing: framing)
            let channel = context.channel
            heartBeatTask = context.eventLoop.scheduleRepeatedTask(
                initialDelay: .milliseconds(Int64(interval)), delay: .milliseconds(Int64(interval))
            ) { _ in
                let frame = WebSocketFrame(
                    fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(bytes: beat))
                channel.writeAndFlush(frame, promise: nil)
            }
        }
        var frames: [Frame] = []
        let identity = options.identityDestination.flatMap { destination in
            name.map { (destination, $0) }
        }
        for (position, destination) in options.subscriptions.enumerated() {
            let isLast = position == options.subscriptions.count - 1
            let id =
                position < options.subscriptionIDs.count ? options.subscriptionIDs[position] : "sub-\(position)"
            frames.append(
                Outbound.subscribe(
                    destination: destination, id: id, receipt: isLast && identity == nil ? "ready" : nil))
        }
        if let (destination, name) = identity {
            guard let sessionID else {
                ready.fail(HandshakeError(description: "CONNECTED named no session; cannot send the identity"))
                context.close(promise: nil)
                return
            }
            frames.append(
                Outbound.send(
                    destination: destination, body: Outbound.identityBody(sessionID: sessionID, name: name),
                    receipt: "ready"))
        }
        if frames.isEmpty {
            becomeReady(at: monotonicNanoseconds())
        } else {
            write(frames, context: context)
        }
    }

    private func becomeReady(at now: UInt64) {
        isReady = true
        ready.succeed(ReadyInfo(sessionID: sessionID, version: version, startedAt: startedAt, readyAt: now))
    }

    private func sendConnect(context: ChannelHandlerContext) {
        let connect = Outbound.connect(
            host: options.vhost, login: options.login, passcode: options.passcode, heartBeat: options.heartBeat)
        write([connect], context: context)
    }

    private func write(_ frames: [Frame], context: ChannelHandlerContext) {
        let payload = Outbound.payload(frames, version: version, framing: framing)
        let frame = WebSocketFrame(
            fin: true, opcode: .text, maskKey: .random(), data: context.channel.allocator.buffer(bytes: payload))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
