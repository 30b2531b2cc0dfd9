import LobbyCore
import Logging
import NIOCore
import NIOHTTP1
import SockJS
import Synchronization

/// One SockJS session carried by the HTTP fallback transports (`xhr`, `xhr_streaming`,
/// `eventsource`, `htmlfile`, `jsonp` to receive; `xhr_send`, `jsonp_send` to send).
///
/// It lives across many HTTP requests, possibly on different connections and event loops, so it
/// is pinned to the event loop of the request that created it; everything touching it runs
/// there. The pure `SockJS.SessionStateMachine` decides which frame goes to which receiving
/// response and when; this class carries its actions out. For a lobby service the session is the
/// `StompTransport` of a `StompSession`, exactly like a WebSocket.
final class HTTPSockJSSession: StompTransport {
    /// A receiving response: the channel it is written to and how frames are wrapped.
    struct Receiver {
        let id: SessionStateMachine.ReceiverID
        let channel: any Channel
        let transport: Transport
        let callback: String?
        let keepAlive: Bool
    }

    let id: SessionID
    let eventLoop: any EventLoop
    let framing: Framing = .sockJS
    private let service: SockJSService
    private let registry: SockJSSessionRegistry
    private let configuration: ServerConfiguration
    private let logger: Logger
    private var machine: SessionStateMachine
    private var receivers: [SessionStateMachine.ReceiverID: Receiver] = [:]
    private var stomp: StompSession?
    private var timer: Scheduled<Void>?
    private var timerDeadline: UInt64?
    private var isForgotten = false
    /// `xhr_send` / `jsonp_send` answers held while the STOMP session reads no more input
    /// (backpressure): sockjs-client sends one request at a time, so holding the answer slows it.
    private var heldSendAnswers: [EventLoopPromise<Void>] = []
    private var isReadingPaused = false
    /// A session refused at start (`/close`, or a lobby id that is already live) is opened, then
    /// closed with this status.
    private var closeAfterOpening: (Int, String)?

    init(
        id: SessionID, eventLoop: any EventLoop, service: SockJSService, registry: SockJSSessionRegistry,
        configuration: ServerConfiguration, lobby: Lobby, logger: Logger
    ) {
        self.id = id
        self.eventLoop = eventLoop
        self.service = service
        self.registry = registry
        self.configuration = configuration
        self.logger = logger
        self.machine = SessionStateMachine(
            configuration: .init(
                heartbeatInterval: UInt64(configuration.sockJSHeartbeatMilliseconds),
                disconnectDelay: UInt64(configuration.sockJSDisconnectDelayMilliseconds),
                responseLimit: service.responseLimit),
            now: eventLoop.now.millisecondsOfUptime)
        if service.kind == .lobby {
            self.stomp = StompSession(
                id: id, eventLoop: eventLoop, lobby: lobby, configuration: configuration, transport: self,
                logger: logger)
        }
    }

    /// Called once, right after creation, before the first receiver attaches.
    func start(transport: Transport, remoteAddress: String?) {
        switch service.kind {
        case .lobby:
            if let stomp, !stomp.start(transportName: transport.rawValue, remoteAddress: remoteAddress) {
                let status = stomp.refusal?.closeStatus ?? LobbyState.OpenRefusal.idInUse.closeStatus
                closeAfterOpening = (status.code, status.reason)
            }
        case .close:
            closeAfterOpening = SockJSFrame.goAwayStatus
        case .echo:
            break
        }
    }

    /// The event loop's clock (the test's time on an `EmbeddedEventLoop`), in the milliseconds
    /// of the SockJS state machine.
    private var now: UInt64 { eventLoop.now.millisecondsOfUptime }

    // MARK: Requests

    func receiverAttached(_ receiver: Receiver) {
        receivers[receiver.id] = receiver
        guard let kind = SessionStateMachine.ReceiverKind(transport: receiver.transport) else { return }
        perform(machine.receiverAttached(receiver.id, kind: kind, now: now))
        // SockJS opens every session with `o` before closing it: a polling client sees `o`, then
        // the close frame on its next request.
        if let (code, reason) = closeAfterOpening {
            closeAfterOpening = nil
            perform(machine.closeRequested(code: code, reason: reason, now: now))
        }
    }

    func receiverLost(_ id: SessionStateMachine.ReceiverID) {
        receivers[id] = nil
        perform(machine.receiverLost(id, now: now))
    }

    /// Messages from an `xhr_send` / `jsonp_send` body. `answer` is completed when the request
    /// may be answered: at once, or once the session has room for more input.
    func received(_ messages: [String], answer: EventLoopPromise<Void>? = nil) {
        defer {
            if let answer {
                if isReadingPaused, !isForgotten { heldSendAnswers.append(answer) } else { answer.succeed() }
            }
        }
        switch service.kind {
        case .lobby:
            for message in messages {
                stomp?.received(message.utf8)
            }
        case .echo:
            perform(machine.messagesQueued(messages, now: now))
        case .close:
            break
        }
    }

    // MARK: StompTransport

    /// Outbound frames wait in the state machine while no receiver is attached; past the queue
    /// bound the client is not keeping up.
    func canAcceptWrite(ofBytes bytes: Int) -> Bool {
        machine.pendingByteCount + bytes <= configuration.maxQueuedBytes
    }

    func pauseReading() {
        isReadingPaused = true
    }

    func resumeReading() {
        isReadingPaused = false
        releaseHeldSendAnswers()
    }

    private func releaseHeldSendAnswers() {
        let answers = heldSendAnswers
        heldSendAnswers = []
        for answer in answers { answer.succeed() }
    }

    /// Receivers are written (and flushed) as the state machine says; nothing waits for `flush()`.
    func flush() {}

    func write(_ frame: EncodedFrame, flush: Bool) {
        // The STOMP text inside the SockJS `a[...]`: the state machine frames it per transport.
        perform(machine.messagesQueued([String(buffer: frame.stomp)], now: now))
    }

    func close(reason: LeaveReason) {
        let (code, text) = reason.closeStatus
        perform(machine.closeRequested(code: code, reason: text, now: now))
    }

    // MARK: Actions

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .write(let frame, let receiverID):
                guard let receiver = receivers[receiverID] else { continue }
                let bytes = receiver.transport.framed(frame, callback: receiver.callback)
                receiver.channel.writeAndFlush(
                    HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: bytes))), promise: nil)
            case .endResponse(let receiverID):
                guard let receiver = receivers.removeValue(forKey: receiverID) else { continue }
                let channel = receiver.channel
                let keepAlive = receiver.keepAlive
                channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                    if !keepAlive { channel.close(promise: nil) }
                }
            case .sessionTimedOut:
                // No receiving request came for the disconnect delay: the client is gone.
                stomp?.transportClosed()
                forget()
            case .sessionInterrupted:
                // A receiving request was cut off: a closed tab. The session stays a while to
                // tell a client that comes back why it is over.
                stomp?.transportClosed()
            case .sessionExpired:
                forget()
            }
        }
        rescheduleTimer()
    }

    private func forget() {
        guard !isForgotten else { return }
        isForgotten = true
        timer?.cancel()
        timer = nil
        releaseHeldSendAnswers()
        stomp?.transportReleased()
        registry.remove(id, in: service)
    }

    private func rescheduleTimer() {
        guard !isForgotten, let deadline = machine.nextDeadline else { return }
        if let scheduled = timerDeadline, scheduled <= deadline, timer != nil { return }
        timer?.cancel()
        timerDeadline = deadline
        let current = now
        let delay = deadline > current ? deadline - current : 0
        timer = eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delay))) { [self] in
            timer = nil
            timerDeadline = nil
            perform(machine.timerFired(now: now))
        }
    }
}

/// The live HTTP-transport SockJS sessions of every service, by service prefix and session id.
final class SockJSSessionRegistry: Sendable {
    struct Entry: Sendable {
        let eventLoop: any EventLoop
        let session: NIOLoopBound<HTTPSockJSSession>
        /// The peer address the session was opened from (``ConnectionCounter/addressKey(_:)``).
        let address: String

        /// Runs `body` with the session on its own event loop.
        func withSession(_ body: @escaping @Sendable (HTTPSockJSSession) -> Void) {
            let session = self.session
            eventLoop.execute { body(session.value) }
        }
    }

    private struct Sessions {
        var byKey: [String: Entry] = [:]
        /// Live sessions per address: one keep-alive connection can open any number of HTTP
        /// sessions, so `--max-connections-per-ip` counts these as well as TCP connections.
        var byAddress: [String: Int] = [:]
    }

    private let sessions = Mutex(Sessions())
    /// Sessions one address may hold at once.
    let maxPerAddress: Int

    init(maxPerAddress: Int = .max) {
        self.maxPerAddress = maxPerAddress
    }

    private static func key(_ service: SockJSService, _ id: SessionID) -> String {
        service.prefix + "\u{0}" + id.rawValue
    }

    func find(_ id: SessionID, in service: SockJSService) -> Entry? {
        sessions.withLock { $0.byKey[Self.key(service, id)] }
    }

    /// The session with this id, created on the current event loop by `make` if there is none.
    /// The Bool says whether it is new; nil when it would be new and `address` already holds
    /// ``maxPerAddress`` sessions. Must be called on `eventLoop`.
    func findOrCreate(
        _ id: SessionID, in service: SockJSService, on eventLoop: any EventLoop, address: String,
        make: () -> HTTPSockJSSession
    ) -> (Entry, Bool)? {
        sessions.withLock { sessions in
            let key = Self.key(service, id)
            if let existing = sessions.byKey[key] { return (existing, false) }
            let held = sessions.byAddress[address, default: 0]
            guard held < maxPerAddress else { return nil }
            let entry = Entry(
                eventLoop: eventLoop, session: NIOLoopBound(make(), eventLoop: eventLoop), address: address)
            sessions.byKey[key] = entry
            sessions.byAddress[address] = held + 1
            return (entry, true)
        }
    }

    func remove(_ id: SessionID, in service: SockJSService) {
        sessions.withLock { sessions in
            guard let entry = sessions.byKey.removeValue(forKey: Self.key(service, id)) else { return }
            let remaining = sessions.byAddress[entry.address, default: 1] - 1
            sessions.byAddress[entry.address] = remaining > 0 ? remaining : nil
        }
    }

    /// Live sessions opened from `address`.
    func count(from address: String) -> Int {
        sessions.withLock { $0.byAddress[address, default: 0] }
    }
}
