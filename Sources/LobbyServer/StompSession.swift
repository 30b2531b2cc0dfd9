import LobbyCore
import Logging
import NIOCore
import STOMP

/// What a STOMP session needs from the transport carrying it. Implemented by the WebSocket
/// transports and the SockJS HTTP transports; the session never knows which it has.
/// All methods are called on the transport's event loop.
protocol StompTransport: AnyObject {
    var framing: Framing { get }
    /// Whether the transport's outbound queue, with `bytes` more, stays within its bound
    /// (`--max-queued-bytes`). The frame about to be queued counts: one frame of any size
    /// must not carry a queue past the bound.
    func canAcceptWrite(ofBytes bytes: Int) -> Bool
    /// Writes a frame; with `flush: false` it waits for the next `flush()` (fan-out batches).
    func write(_ frame: EncodedFrame, flush: Bool)
    /// Writes several frames, in order, without flushing: the frames a fan-out burst held for
    /// this connection. A transport that can send them as one buffer does.
    func write(_ frames: [EncodedFrame])
    func flush()
    /// Closes the connection. `reason` says why the session ended (for the close code).
    func close(reason: LeaveReason)
    /// Stops taking input from the client (a WebSocket stops reading its socket; an HTTP
    /// transport holds its `xhr_send` answer) until `resumeReading()`: the session has as many
    /// frames waiting as it may hold, and the client is slowed instead of cut off.
    func pauseReading()
    func resumeReading()
}

extension StompTransport {
    func write(_ frames: [EncodedFrame]) {
        for frame in frames {
            write(frame, flush: false)
        }
    }
}

/// One STOMP session on one connection: drives the pure `ServerConnectionStateMachine`, routes
/// application frames to the lobby, and keeps the heart-beat timer. Event-loop bound.
final class StompSession {
    static let knownSubscriptions: Set<String> = [
        Destination.chatTopic, Destination.presenceTopic, Destination.reply, Destination.directQueue,
    ]
    /// SENDs answered once the store has them (stored or read): frames behind them wait.
    static let storedDestinations: Set<String> = [
        Destination.identity, Destination.chat, Destination.direct, Destination.status, Destination.history,
        Destination.search,
    ]

    let id: SessionID
    let eventLoop: any EventLoop
    private let lobby: Lobby
    private let configuration: ServerConfiguration
    private let logger: Logger
    /// The transport owns the session, and the session refers back to it strongly until
    /// `transportReleased()`: a weak reference would move the transport's reference counts to a
    /// side table, which makes every retain and release on the delivery path a slow one.
    private var transport: (any StompTransport)?
    private var machine: ServerConnectionStateMachine
    private var chatBucket: TokenBucket
    private var frameBucket: TokenBucket
    /// Away changes and identities after the first (renames): each is broadcast to everyone,
    /// and a rename may claim a name for weeks, so both have limits of their own.
    private var statusBucket: TokenBucket
    private var renameBucket: TokenBucket
    /// Subscriptions this session holds (at most ``ServerConfiguration/maxSubscriptionsPerSession``).
    private var subscriptionCount = 0
    /// The peer's address, for per-address limits.
    private var remoteAddress: String?
    private var timer: Scheduled<Void>?
    private var timerDeadline: UInt64?
    /// Set once the session left the lobby; no inbound frame is processed after that.
    private(set) var isEnded = false
    /// Set once the transport was told to close; nothing is written after that.
    private var isTransportClosed = false
    /// Inbound actions not handled yet (see `processInbound`).
    private var inbound: [ServerConnectionStateMachine.Action] = []
    /// Identity and chat SENDs handed to the lobby whose store and answer have not finished.
    private var pendingStoredSends = 0
    /// Identity SENDs among them. Nothing overtakes an identity, not even a chat SEND: its
    /// answer (a name check in the store) decides who the session is.
    private var pendingIdentities = 0
    /// Whether the transport was told to stop reading (see `applyBackpressure`).
    private var isReadingPaused = false
    /// Fan-out frames held until the fan-out flushes this session (`hold(_:)`): a burst then
    /// reaches the transport as one write per connection instead of one per message. The first
    /// is kept apart so that the common case, one message between flushes, allocates nothing.
    private var firstHeldFrame: EncodedFrame?
    private var moreHeldFrames: [EncodedFrame] = []
    private(set) var handle: ChannelSessionHandle!

    init(
        id: SessionID, eventLoop: any EventLoop, lobby: Lobby, configuration: ServerConfiguration,
        transport: any StompTransport, logger: Logger
    ) {
        self.id = id
        self.eventLoop = eventLoop
        self.lobby = lobby
        self.configuration = configuration
        self.transport = transport
        var logger = logger
        logger[metadataKey: "session"] = "\(id)"
        self.logger = logger
        let now = eventLoop.now.millisecondsOfUptime
        var limits = Limits.default
        limits.maxFrameSize = configuration.maxFrameBytes
        limits.maxBodySize = configuration.maxFrameBytes
        self.machine = ServerConnectionStateMachine(
            configuration: .init(
                sessionID: id.rawValue, serverName: "lobby/\(LobbyVersion.current)",
                heartBeat: HeartBeat(
                    sendEvery: configuration.heartbeatMilliseconds, expectEvery: configuration.heartbeatMilliseconds),
                limits: limits, supportedVersions: Version.allCases,
                connectTimeout: configuration.requestTimeoutMilliseconds > 0
                    ? UInt64(configuration.requestTimeoutMilliseconds) : nil),
            now: now)
        self.chatBucket = TokenBucket(rate: configuration.chatRatePerSecond, burst: configuration.chatBurst, now: now)
        self.frameBucket = TokenBucket(
            rate: configuration.frameRatePerSecond, burst: configuration.frameBurst, now: now)
        self.statusBucket = TokenBucket(
            rate: configuration.statusRatePerSecond, burst: configuration.statusBurst, now: now)
        self.renameBucket = TokenBucket(
            rate: configuration.renameRatePerSecond, burst: configuration.renameBurst, now: now)
        self.handle = ChannelSessionHandle(session: self, framing: transport.framing)
    }

    /// The event loop's clock, in the milliseconds the STOMP machine and token buckets count:
    /// real time on a server loop, the test's time on an `EmbeddedEventLoop`.
    private var now: UInt64 { eventLoop.now.millisecondsOfUptime }

    /// Why ``start(transportName:remoteAddress:)`` was refused.
    private(set) var refusal: LobbyState.OpenRefusal?

    /// Joins the lobby. False: the id is taken by a live session, the server is stopping, or
    /// the node is rejoining its cluster (``refusal`` says which).
    func start(transportName: String, remoteAddress: String?) -> Bool {
        self.remoteAddress = remoteAddress
        refusal = lobby.admit(handle, transport: transportName, remoteAddress: remoteAddress)
        guard refusal == nil else {
            isEnded = true
            return false
        }
        rescheduleTimer()
        return true
    }

    // MARK: Inbound

    func received(_ bytes: some Collection<UInt8>) {
        guard !isEnded else { return }
        inbound.append(contentsOf: machine.bytesReceived(bytes, now: now))
        processInbound()
    }

    /// Frames waiting: read but not handled, or handed to the store and not answered yet.
    private var waitingFrames: Int { inbound.count + pendingStoredSends }

    /// Backpressure instead of disconnection: past the bound of waiting frames the transport
    /// stops reading, and it reads again once half of them are done. A fast publisher is slowed
    /// to the pace of the store and fan-out; nothing it sent is dropped. At most one read's worth
    /// of frames arrives after the pause, so memory stays bounded.
    private func applyBackpressure() {
        let bound = configuration.maxWaitingInboundFrames
        if !isReadingPaused, waitingFrames > bound {
            isReadingPaused = true
            transport?.pauseReading()
        } else if isReadingPaused, waitingFrames <= bound / 2 {
            isReadingPaused = false
            transport?.resumeReading()
        }
    }

    /// Handles inbound actions in arrival order. Identity and chat are handled asynchronously
    /// (stored first, then answered and broadcast), so any other frame that follows one — a
    /// DISCONNECT above all — waits until they went out: nobody sees "alice left" before her last
    /// words, and no RECEIPT overtakes its frame's answer. Consecutive stored SENDs are not held
    /// back by each other; the store keeps their order.
    private func processInbound() {
        defer { applyBackpressure() }
        var handled = 0
        while handled < inbound.count, !isEnded {
            let action = inbound[handled]
            if pendingIdentities > 0 { break }
            if pendingStoredSends > 0, !Self.isStoredSend(action) { break }
            // The store gets at most a bound's worth of one session's SENDs at a time: the rest
            // wait here, so one publisher cannot fill the writer's queue ahead of everyone else.
            if pendingStoredSends >= configuration.maxWaitingInboundFrames { break }
            handled += 1
            perform([action])
        }
        guard !isEnded else {
            inbound = []
            return
        }
        if handled == inbound.count {
            // Release the storage: an idle session keeps no queue.
            inbound = []
        } else if handled > 0 {
            inbound.removeFirst(handled)
        }
    }

    private static func isStoredSend(_ action: ServerConnectionStateMachine.Action) -> Bool {
        guard case .deliver(let frame) = action, frame.command == .send else { return false }
        return frame.headers["destination"].map(storedDestinations.contains) ?? false
    }

    /// A stored SEND of this session was answered (or rejected): its RECEIPT goes out and the
    /// frames held behind it may proceed.
    func storedSendProcessed(receipt: EncodedFrame?, identity: Bool) {
        if let receipt {
            deliver(receipt)
        }
        pendingStoredSends -= 1
        if identity { pendingIdentities -= 1 }
        processInbound()
    }

    /// The connection went away without the session ending first: `closed`.
    func transportClosed() {
        end(reason: .closed, closeTransport: false)
    }

    /// The transport lets go of the session for good (its channel is gone, it refused the
    /// session, or the SockJS session expired): nothing more is written, and the references
    /// between session, handle and transport are dropped so all three can be freed. Idempotent.
    func transportReleased() {
        isTransportClosed = true
        firstHeldFrame = nil
        moreHeldFrames = []
        transport = nil
        handle.release()
    }

    /// The transport's own liveness check (WebSocket ping) failed.
    func transportTimedOut() {
        end(reason: .timeout, closeTransport: true)
    }

    /// Ends the session (once) and, unless the transport is already gone, closes it.
    ///
    /// The lobby forgets the session at once (so its leave goes out now), but the transport is
    /// closed through the same event-loop queue as every delivery: replies and receipts queued
    /// before the end still reach the client, in order, before the close.
    func end(reason: LeaveReason, closeTransport: Bool) {
        guard !isEnded else { return }
        isEnded = true
        timer?.cancel()
        timer = nil
        lobby.end(id, reason: reason)
        if closeTransport {
            closeTransportAfterQueuedDeliveries(reason: reason)
        }
    }

    /// The lobby already recorded the end (shutdown, kick): only the transport is left to close.
    func terminatedByLobby(reason: LeaveReason) {
        guard !isEnded else { return }
        isEnded = true
        timer?.cancel()
        timer = nil
        _ = writeHeldFrames()
        isTransportClosed = true
        transport?.close(reason: reason)
    }

    private func closeTransportAfterQueuedDeliveries(reason: LeaveReason) {
        eventLoop.assumeIsolated().execute { [self] in
            // Fan-out frames held before the end still go out before the close.
            _ = writeHeldFrames()
            isTransportClosed = true
            transport?.close(reason: reason)
        }
    }

    // MARK: Outbound

    /// Writes and flushes a frame queued by the lobby or broker (after any held fan-out frames,
    /// so order is kept), or ends the session as `slow` if its outbound queue is full. Returns
    /// whether the frame was written.
    @discardableResult
    func deliver(_ frame: EncodedFrame) -> Bool {
        guard writeHeldFrames(),
            let transport = transportAcceptingWrites(ofBytes: frame.byteCount(for: handle.framing))
        else { return false }
        transport.write(frame, flush: true)
        machine.frameSent(now: now)
        return true
    }

    /// Holds a fan-out frame until `flush()`. Returns true for the first frame held since the
    /// last flush: the fan-out then owes this session one flush, however many frames follow.
    func hold(_ frame: EncodedFrame) -> Bool {
        guard !isTransportClosed, transport != nil else { return false }
        guard firstHeldFrame != nil else {
            firstHeldFrame = frame
            return true
        }
        moreHeldFrames.append(frame)
        return false
    }

    func flush() {
        guard writeHeldFrames() else { return }
        transport?.flush()
    }

    /// Writes the held fan-out frames without flushing; false when the session can take no
    /// writes (transport closed, or just cut off as `slow`).
    private func writeHeldFrames() -> Bool {
        guard let first = firstHeldFrame else { return !isTransportClosed && transport != nil }
        let more = moreHeldFrames
        firstHeldFrame = nil
        // Not `keepingCapacity`: an idle session holds no buffer.
        moreHeldFrames = []
        let framing = handle.framing
        let bytes = more.reduce(first.byteCount(for: framing)) { $0 + $1.byteCount(for: framing) }
        guard !isTransportClosed, let transport else { return false }
        if more.isEmpty || transport.canAcceptWrite(ofBytes: bytes) {
            guard let transport = transportAcceptingWrites(ofBytes: bytes) else { return false }
            if more.isEmpty {
                transport.write(first, flush: false)
            } else {
                transport.write([first] + more)
            }
        } else {
            // A burst bigger than the room left in the queue: frame by frame, each judged after
            // what came before was pushed to the socket. A client that reads keeps up (the
            // kernel takes the burst); one that does not is cut off at the frame that would
            // pass the bound.
            for frame in [first] + more {
                guard let transport = transportAcceptingWrites(ofBytes: frame.byteCount(for: framing)) else {
                    return false
                }
                transport.write(frame, flush: false)
            }
        }
        machine.frameSent(now: now)
        return true
    }

    /// The transport, if it can take `bytes` more now; otherwise ends the session as `slow` (the
    /// room never waits for a client that does not keep up) and returns nil.
    private func transportAcceptingWrites(ofBytes bytes: Int) -> (any StompTransport)? {
        guard !isTransportClosed, let transport else { return nil }
        if !transport.canAcceptWrite(ofBytes: bytes) {
            // Bytes written but not flushed yet count toward the bound: push them to the
            // socket before judging the client.
            transport.flush()
        }
        guard transport.canAcceptWrite(ofBytes: bytes) else {
            if !isEnded {
                logger.notice("outbound queue overflowed; disconnecting slow session")
                end(reason: .slow, closeTransport: true)
            }
            return nil
        }
        return transport
    }

    /// Sends a frame of this session's own (CONNECTED, RECEIPT, ERROR) through the same queue as
    /// the lobby's deliveries, so a RECEIPT never overtakes the reply to its own frame.
    private func send(_ frame: Frame) {
        handle.enqueue(EncodedFrame(frame, version: machine.version, framing: handle.framing))
    }

    // MARK: State machine actions

    private func perform(_ actions: [ServerConnectionStateMachine.Action]) {
        for action in actions {
            guard !isEnded else { return }
            switch action {
            case .send(let frame):
                send(frame)
            case .sendHeartBeat:
                handle.enqueue(.heartBeat)
            case .connected(let version, let heartBeat):
                logger.debug(
                    "STOMP connected",
                    metadata: ["version": "\(version.rawValue)", "heart-beat": "\(heartBeat)"])
                rescheduleTimer()
            case .deliver(let frame):
                handleApplicationFrame(frame)
            case .close(let cause):
                switch cause {
                case .disconnected:
                    end(reason: .quit, closeTransport: true)
                case .heartBeatTimeout:
                    logger.info("STOMP heart-beat deadline passed")
                    end(reason: .timeout, closeTransport: true)
                case .connectTimeout:
                    logger.info("no STOMP CONNECT in time; closing")
                    end(reason: .timeout, closeTransport: true)
                case .protocolError(let message):
                    logger.notice("STOMP protocol error", metadata: ["error": "\(message)"])
                    end(reason: .closed, closeTransport: true)
                }
            }
        }
    }

    private func handleApplicationFrame(_ frame: Frame) {
        let now = self.now
        // Chat SENDs answer to their own limit (`--chat-rate`): a fast publisher is slowed by
        // backpressure and rate-limited per message, never cut off as a flood.
        let isChat = frame.command == .send && frame.headers["destination"] == Destination.chat
        guard isChat || frameBucket.take(now: now) else {
            floodDetected()
            return
        }
        let receipt = frame.headers["receipt"]
        switch frame.command {
        case .subscribe:
            subscribe(frame)
            sendReceipt(receipt)
        case .unsubscribe:
            let subscriptionID = frame.headers["id"] ?? frame.headers["destination"] ?? ""
            if lobby.broker.unsubscribe(handle, id: subscriptionID) {
                subscriptionCount -= 1
            }
            sendReceipt(receipt)
        case .send:
            handleSend(frame, receipt: receipt, now: now)
        default:
            // ACK, NACK and transactions have no meaning for Lobby's auto-ack topics; they are
            // acknowledged and ignored, as a broker without transactions does.
            sendReceipt(receipt)
        }
    }

    private func floodDetected() {
        send(Frame(.error, headers: ["message": "too many frames; slow down"], body: Array("flood".utf8)))
        logger.notice("frame flood; closing session")
        end(reason: .closed, closeTransport: true)
    }

    private func subscribe(_ frame: Frame) {
        let destination = frame.headers["destination"] ?? ""
        let subscriptionID = frame.headers["id"] ?? destination
        guard Self.knownSubscriptions.contains(destination) else {
            lobby.replyError(
                handle, ErrorCode.unknownDestination,
                "no such destination \(destination); subscribe to /topic/chat, /topic/presence, /user/queue/reply or /user/queue/direct"
            )
            return
        }
        guard !lobby.broker.hasSubscription(handle, id: subscriptionID) else {
            lobby.replyError(
                handle, ErrorCode.unknownDestination, "subscription id \(subscriptionID) is already in use")
            return
        }
        // One subscription per destination: a second would only double every message to this
        // connection (3 000 subscriptions to /topic/chat made each chat 3 000 frames).
        guard !lobby.broker.hasSubscription(handle, to: destination) else {
            lobby.replyError(
                handle, ErrorCode.alreadySubscribed,
                "already subscribed to \(destination); one subscription per destination")
            return
        }
        guard subscriptionCount < configuration.maxSubscriptionsPerSession else {
            lobby.replyError(
                handle, ErrorCode.tooManySubscriptions,
                "at most \(configuration.maxSubscriptionsPerSession) subscriptions per session")
            return
        }
        subscriptionCount += 1
        lobby.broker.subscribe(handle, id: subscriptionID, to: destination, version: machine.version)
    }

    private func handleSend(_ frame: Frame, receipt: String?, now: UInt64) {
        let destination = frame.headers["destination"] ?? ""
        switch destination {
        case Destination.identity:
            // A rename (the session is identified already) is broadcast and may claim a name
            // for weeks; a first identity, or a retry after a refusal, is not.
            if lobby.user(of: id) != nil, !renameBucket.take(now: now) {
                refuseTooFast("you are changing your name too fast; try again in a moment", bucket: renameBucket)
                sendReceipt(receipt)
                return
            }
            let completion = storedSendCompletion(receipt: receipt, identity: true)
            lobby.identify(handle, body: frame.body, address: remoteAddress, processed: completion)
        case Destination.chat, Destination.direct:
            guard chatBucket.take(now: now) else {
                lobby.replyError(
                    handle, ErrorCode.rateLimited, "you are sending messages too fast; this one was dropped")
                sendReceipt(receipt)
                return
            }
            let completion = storedSendCompletion(receipt: receipt)
            if destination == Destination.chat {
                lobby.chat(handle, body: frame.body, processed: completion)
            } else {
                lobby.direct(handle, body: frame.body, processed: completion)
            }
        case Destination.status:
            guard statusBucket.take(now: now) else {
                refuseTooFast("you are changing your status too fast; this change was dropped", bucket: statusBucket)
                sendReceipt(receipt)
                return
            }
            lobby.status(handle, body: frame.body, processed: storedSendCompletion(receipt: receipt))
        case Destination.history:
            lobby.history(handle, body: frame.body, processed: storedSendCompletion(receipt: receipt))
        case Destination.search:
            lobby.search(handle, body: frame.body, processed: storedSendCompletion(receipt: receipt))
        default:
            lobby.replyError(
                handle, ErrorCode.unknownDestination,
                "no such destination \(destination); send to /app/identity, /app/chat, /app/direct, /app/status, "
                    + "/app/history or /app/search")
            sendReceipt(receipt)
        }
    }

    private func refuseTooFast(_ message: String, bucket: TokenBucket) {
        lobby.replyError(
            handle, ErrorCode.rateLimited, "\(message) (next in \(bucket.millisecondsUntilToken()) ms)")
    }

    /// Counts a SEND whose answer comes from the store writer, and makes the callback that
    /// finishes it: RECEIPT, then the held-back frames.
    private func storedSendCompletion(receipt: String?, identity: Bool = false) -> @Sendable () -> Void {
        pendingStoredSends += 1
        if identity { pendingIdentities += 1 }
        let handle = self.handle!
        let receiptFrame = receipt.map {
            EncodedFrame(
                Frame(.receipt, headers: ["receipt-id": $0]), version: machine.version, framing: handle.framing)
        }
        return { handle.storedSendProcessed(receipt: receiptFrame, identity: identity) }
    }

    private func sendReceipt(_ receipt: String?) {
        guard let receipt else { return }
        send(Frame(.receipt, headers: ["receipt-id": receipt]))
    }

    // MARK: Timer

    /// Keeps one scheduled task at the state machine's next deadline. Deadlines only move later
    /// as traffic flows, so a timer that fires early just finds nothing due and re-arms.
    private func rescheduleTimer() {
        guard !isEnded, let deadline = machine.nextDeadline else { return }
        if let scheduled = timerDeadline, scheduled <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let current = now
        let delay = deadline > current ? deadline - current : 0
        timer = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delay))) { [self] in
            timer = nil
            timerDeadline = nil
            guard !isEnded else { return }
            if isReadingPaused {
                // Our backlog keeps the client's heart-beats unread: its silence is not its own.
                machine.inboundHeldBack(now: now)
            }
            perform(machine.timerFired(now: now))
            rescheduleTimer()
        }
    }
}

/// The thread-safe face of a `StompSession` that the lobby and broker hold: every call hops to
/// the session's event loop, in order, without waiting.
///
/// It holds the session strongly until the transport releases it (`release()`, from
/// `StompSession.transportReleased()`); after that, calls find no session and do nothing. The
/// lobby may hold a handle a moment longer than the connection lives without keeping the
/// session or its transport alive. (Not a weak reference: that would put the session's
/// reference counts in a side table and slow every retain on the fan-out path.)
final class ChannelSessionHandle: SessionHandle {
    let id: SessionID
    let framing: Framing
    private let session: NIOLoopBoundBox<StompSession?>

    init(session: StompSession, framing: Framing) {
        self.id = session.id
        self.framing = framing
        self.session = NIOLoopBoundBox(session, eventLoop: session.eventLoop)
    }

    /// Drops the reference to the session. Only called on the session's event loop.
    func release() {
        session.value = nil
    }

    func enqueue(_ frame: EncodedFrame) {
        let session = self.session
        session.eventLoop.execute { session.value?.deliver(frame) }
    }

    var eventLoop: (any EventLoop)? { session.eventLoop }

    func writeOnEventLoop(_ frame: EncodedFrame) -> Bool {
        session.value?.hold(frame) ?? false
    }

    func flushOnEventLoop() {
        session.value?.flush()
    }

    func storedSendProcessed(receipt: EncodedFrame?, identity: Bool) {
        let session = self.session
        session.eventLoop.execute { session.value?.storedSendProcessed(receipt: receipt, identity: identity) }
    }

    func terminate(reason: LeaveReason) {
        let session = self.session
        session.eventLoop.execute { session.value?.terminatedByLobby(reason: reason) }
    }
}

extension NIODeadline {
    /// Milliseconds since an arbitrary point of the monotonic clock, the unit the protocol
    /// state machines (STOMP, SockJS) take their time in.
    var millisecondsOfUptime: UInt64 { uptimeNanoseconds / 1_000_000 }
}
