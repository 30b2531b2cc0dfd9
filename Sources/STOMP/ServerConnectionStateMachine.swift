/// The server side of one STOMP connection, as a pure state machine.
///
/// The transport reports what happened (bytes arrived, data was written, a timer fired) with the
/// current monotonic time in milliseconds, and carries out the returned actions in order. The
/// machine owns the protocol rules: `CONNECT` first, version and heart-beat negotiation, header
/// checks, `DISCONNECT` receipts, `ERROR` then close on any violation, and heart-beat deadlines.
///
/// ```swift
/// var machine = ServerConnectionStateMachine(configuration: .init(sessionID: id), now: clock.now)
/// for action in machine.bytesReceived(chunk, now: clock.now) {
///     switch action {
///     case .send(let frame): write(FrameEncoder.encode(frame, version: machine.version))
///     …
///     }
/// }
/// ```
public struct ServerConnectionStateMachine: Sendable {
    public struct Configuration: Sendable {
        /// Sent to the client in `CONNECTED`'s `session` header.
        public var sessionID: String
        /// Sent in `CONNECTED`'s `server` header, e.g. `lobby/0.1.0`.
        public var serverName: String
        /// The server's heart-beat offer.
        public var heartBeat: HeartBeat
        public var limits: Limits
        public var supportedVersions: [Version]
        /// Milliseconds a client has, from the machine's start, to send `CONNECT`; nil: no limit.
        /// A connection that never speaks STOMP is not kept open for ever.
        public var connectTimeout: UInt64?

        public init(
            sessionID: String,
            serverName: String = "lobby",
            heartBeat: HeartBeat = HeartBeat(sendEvery: 10_000, expectEvery: 10_000),
            limits: Limits = .default,
            supportedVersions: [Version] = Version.allCases,
            connectTimeout: UInt64? = nil
        ) {
            self.sessionID = sessionID
            self.serverName = serverName
            self.heartBeat = heartBeat
            self.limits = limits
            self.supportedVersions = supportedVersions
            self.connectTimeout = connectTimeout
        }
    }

    public enum Action: Sendable, Equatable {
        /// Write this frame, encoded with ``ServerConnectionStateMachine/version``: `CONNECTED`,
        /// the `RECEIPT` of a `DISCONNECT`, or `ERROR`.
        case send(Frame)
        /// Write one heart-beat, a single `"\n"`.
        case sendHeartBeat
        /// The client is connected with this version and these heart-beat intervals.
        case connected(Version, NegotiatedHeartBeat)
        /// A client frame for the application: `SEND`, `SUBSCRIBE`, `UNSUBSCRIBE`, `ACK`, `NACK`,
        /// `BEGIN`, `COMMIT` or `ABORT`, with the headers its command requires present. The
        /// application answers its `receipt` header.
        case deliver(Frame)
        /// Close the connection now; nothing more will come from this machine.
        case close(CloseCause)
    }

    public enum CloseCause: Sendable, Equatable {
        /// The client sent `DISCONNECT` (answered with its `RECEIPT` if it asked for one).
        case disconnected
        /// The client broke the protocol; an `ERROR` frame with this message was emitted first.
        case protocolError(String)
        /// Nothing was received for twice the negotiated receive interval.
        case heartBeatTimeout
        /// No `CONNECT` within ``Configuration/connectTimeout``.
        case connectTimeout
    }

    private enum State: Sendable {
        case awaitingConnect
        case connected(NegotiatedHeartBeat)
        case closed
    }

    public let configuration: Configuration
    private var parser: FrameParser
    private var state: State = .awaitingConnect
    private var lastReceived: UInt64
    private var lastSent: UInt64
    /// When the machine started: the connect deadline counts from here.
    private let startedAt: UInt64

    /// The version to encode outbound frames with: the negotiated one once connected, 1.2 before.
    ///
    /// Before `CONNECT` only `ERROR` frames go out, and their headers hold nothing that the
    /// versions escape differently, so 1.2 reads the same to every client.
    public private(set) var version: Version = .v1_2

    /// - Parameter now: monotonic time in milliseconds.
    public init(configuration: Configuration, now: UInt64) {
        self.configuration = configuration
        self.parser = FrameParser(limits: configuration.limits, version: .v1_2)
        self.lastReceived = now
        self.lastSent = now
        self.startedAt = now
    }

    /// Whether `CONNECT` succeeded and the connection is not closed.
    public var isConnected: Bool {
        if case .connected = state { true } else { false }
    }

    /// Whether the machine asked for the connection to close (or was told it closed).
    public var isClosed: Bool {
        if case .closed = state { true } else { false }
    }

    /// The negotiated heart-beat intervals, once connected.
    public var heartBeat: NegotiatedHeartBeat? {
        if case .connected(let heartBeat) = state { heartBeat } else { nil }
    }

    /// Bytes arrived from the client. Any bytes count as a sign of life.
    public mutating func bytesReceived<C: Collection>(_ bytes: C, now: UInt64) -> [Action] where C.Element == UInt8 {
        guard !isClosed else { return [] }
        if !bytes.isEmpty {
            lastReceived = max(lastReceived, now)
        }
        parser.append(bytes)
        var actions: [Action] = []
        while !isClosed {
            let event: FrameParserEvent?
            do {
                event = try parser.next()
            } catch {
                actions += fail(with: error)
                break
            }
            switch event {
            case nil: return actions
            case .heartBeat: continue
            case .frame(let frame): actions += handle(frame, now: now)
            }
        }
        return actions
    }

    /// The server is not reading the client's bytes (backpressure: its own backlog is full), so
    /// the client's silence says nothing about the client; the receive deadline restarts.
    public mutating func inboundHeldBack(now: UInt64) {
        guard !isClosed else { return }
        lastReceived = max(lastReceived, now)
    }

    /// Data was written to the client; it restarts the heart-beat send clock.
    public mutating func frameSent(now: UInt64) {
        lastSent = max(lastSent, now)
    }

    /// The transport closed (for any reason); later events yield no actions.
    public mutating func connectionClosed() {
        close()
    }

    /// Checks the heart-beat deadlines.
    ///
    /// Returns ``Action/close(_:)`` with ``CloseCause/heartBeatTimeout`` when nothing was received
    /// for twice the receive interval (the boundary included), else ``Action/sendHeartBeat`` when
    /// nothing was sent for the send interval. The machine counts its own heart-beat as sent.
    /// Before `CONNECT`, returns ``Action/close(_:)`` with ``CloseCause/connectTimeout`` once
    /// the connect deadline passed.
    public mutating func timerFired(now: UInt64) -> [Action] {
        if case .awaitingConnect = state, let deadline = connectDeadline, now >= deadline {
            close()
            return [.close(.connectTimeout)]
        }
        guard case .connected(let heartBeat) = state else { return [] }
        if let deadline = receiveDeadline(heartBeat), now >= deadline {
            close()
            return [.close(.heartBeatTimeout)]
        }
        if let deadline = sendDeadline(heartBeat), now >= deadline {
            lastSent = max(lastSent, now)
            return [.sendHeartBeat]
        }
        return []
    }

    /// When ``timerFired(now:)`` should next be called; nil when no heart-beats run.
    public var nextDeadline: UInt64? {
        if case .awaitingConnect = state { return connectDeadline }
        guard case .connected(let heartBeat) = state else { return nil }
        return [receiveDeadline(heartBeat), sendDeadline(heartBeat)].compactMap { $0 }.min()
    }

    private var connectDeadline: UInt64? {
        configuration.connectTimeout.map { startedAt.saturatingAdding($0) }
    }

    private func receiveDeadline(_ heartBeat: NegotiatedHeartBeat) -> UInt64? {
        // Lobby's rule: a peer is dead after twice its interval, which absorbs network jitter.
        heartBeat.receiveInterval.map { lastReceived.saturatingAdding(UInt64($0).saturatingAdding(UInt64($0))) }
    }

    private func sendDeadline(_ heartBeat: NegotiatedHeartBeat) -> UInt64? {
        heartBeat.sendInterval.map { lastSent.saturatingAdding(UInt64($0)) }
    }

    private mutating func handle(_ frame: Frame, now: UInt64) -> [Action] {
        switch state {
        case .closed:
            return []
        case .awaitingConnect:
            guard frame.command.isConnect else {
                let error = STOMPError(.notConnected, message: "not connected, the first frame must be CONNECT")
                return fail(with: error, answering: frame)
            }
            return connect(frame, now: now)
        case .connected:
            switch frame.command {
            case .connect, .stomp:
                return fail(with: STOMPError(.alreadyConnected, message: "already connected"), answering: frame)
            case .connected, .message, .receipt, .error:
                let error = STOMPError(.unexpectedCommand, message: "\(frame.command.rawValue) is a server command")
                return fail(with: error, answering: frame)
            case .disconnect:
                var actions: [Action] = []
                if let receipt = frame.headers["receipt"] {
                    actions.append(.send(.receipt(id: receipt)))
                }
                close()
                return actions + [.close(.disconnected)]
            case .send, .subscribe, .unsubscribe, .ack, .nack, .begin, .commit, .abort:
                if let error = RequiredHeaders.violation(in: frame, version: version) {
                    return fail(with: error, answering: frame)
                }
                return [.deliver(frame)]
            }
        }
    }

    private mutating func connect(_ frame: Frame, now: UInt64) -> [Action] {
        let negotiatedVersion: Version
        do {
            negotiatedVersion = try Negotiation.version(
                acceptVersion: frame.headers["accept-version"], supported: configuration.supportedVersions)
        } catch {
            // The spec asks for the supported versions in the ERROR's `version` header.
            var errorFrame = Frame.error(error)
            errorFrame.headers.append("version", configuration.supportedVersions.map(\.rawValue).joined(separator: ","))
            close()
            return [.send(errorFrame), .close(.protocolError(error.message))]
        }
        var clientHeartBeat = HeartBeat.off
        if let header = frame.headers["heart-beat"] {
            do {
                clientHeartBeat = try HeartBeat(header: header)
            } catch {
                return fail(with: error, answering: frame)
            }
        }
        let negotiated = Negotiation.heartBeat(client: clientHeartBeat, server: configuration.heartBeat).server
        let offer = Negotiation.serverHeartBeatHeader(client: clientHeartBeat, server: configuration.heartBeat)
        version = negotiatedVersion
        parser.version = negotiatedVersion
        state = .connected(negotiated)
        // The CONNECTED frame goes out now: both clocks start here.
        lastSent = max(lastSent, now)
        lastReceived = max(lastReceived, now)
        let connected = Frame(
            .connected,
            headers: [
                "version": negotiatedVersion.rawValue,
                "heart-beat": offer.headerValue,
                "session": configuration.sessionID,
                "server": configuration.serverName,
            ])
        return [.send(connected), .connected(negotiatedVersion, negotiated)]
    }

    /// Emits `ERROR` (echoing the offending frame's `receipt` as `receipt-id`, as the spec asks)
    /// and closes.
    private mutating func fail(with error: STOMPError, answering frame: Frame? = nil) -> [Action] {
        close()
        return [.send(.error(error, receiptID: frame?.headers["receipt"])), .close(.protocolError(error.message))]
    }

    private mutating func close() {
        state = .closed
        // Drop whatever the client sent after the end; it will never be parsed.
        parser = FrameParser(limits: configuration.limits, version: version)
    }
}

extension UInt64 {
    fileprivate func saturatingAdding(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
