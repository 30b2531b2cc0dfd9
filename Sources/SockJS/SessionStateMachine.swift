/// The server side of one SockJS session: which frames go to which receiving request, and when.
///
/// No I/O and no clock: the server feeds it past-tense events with the current time (monotonic
/// milliseconds) and carries out the returned actions, then arms one timer for `nextDeadline`
/// and reports `timerFired(now:)` when it passes.
///
/// ```swift
/// var session = SessionStateMachine(now: clock.now)
/// session.receiverAttached(7, kind: .polling, now: clock.now)   // [.write(.open, to: 7), .endResponse(7)]
/// session.messagesQueued(["MESSAGE…"], now: clock.now)         // [] (no receiver: queued)
/// session.receiverAttached(8, kind: .polling, now: clock.now)   // [.write(.messages(["MESSAGE…"]), to: 8), .endResponse(8)]
/// ```
///
/// Rules, following the SockJS protocol:
/// - The first receiver gets `o`. Messages queued while no receiver is attached go, as one
///   `a[…]`, to the next receiver.
/// - A polling receiver (`xhr`, `jsonp`) gets one frame and is ended. A streaming receiver
///   (`xhr_streaming`, `eventsource`, `htmlfile`) stays until `responseLimit` bytes of frames
///   were written to it, then is ended so the client reconnects. A WebSocket stays.
/// - While a receiver is attached, `h` is written after `heartbeatInterval` of outbound silence.
/// - A second receiver while one is attached gets `c[2010,"Another connection still open"]`
///   and is ended; the first stays.
/// - With no receiver attached for `disconnectDelay`, the session times out (`.sessionTimedOut`).
/// - After `closeRequested`, queued messages are still delivered, then every receiver gets the
///   close frame until no receiver has come for `disconnectDelay` (`.sessionExpired`).
/// - A receiver lost while the session is open (its connection closed before its response
///   ended: a closed tab, an aborted request) interrupts the session (`.sessionInterrupted`):
///   a WebSocket cannot come back, so the session is gone at once (`.sessionExpired`); later
///   HTTP receivers get `c[1002,"Connection interrupted"]` until it expires, as the reference
///   servers answer. Writing the close frame to a WebSocket also ends the session.
public struct SessionStateMachine: Sendable {
    /// Timing and size limits. Times are in milliseconds.
    public struct Configuration: Sendable, Equatable {
        /// Outbound silence after which `h` is written to an attached receiver. SockJS default: 25 s.
        public var heartbeatInterval: UInt64
        /// How long a session lives with no receiver attached. SockJS default: 5 s.
        public var disconnectDelay: UInt64
        /// Frame bytes after which a streaming response is ended. SockJS default: 128 KiB.
        public var responseLimit: Int

        public init(
            heartbeatInterval: UInt64 = 25_000, disconnectDelay: UInt64 = 5_000, responseLimit: Int = 128 * 1024
        ) {
            self.heartbeatInterval = heartbeatInterval
            self.disconnectDelay = disconnectDelay
            self.responseLimit = responseLimit
        }
    }

    /// Identifies one receiving request (or WebSocket); chosen by the server.
    public struct ReceiverID: Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
        public var rawValue: UInt64

        public init(_ rawValue: UInt64) {
            self.rawValue = rawValue
        }

        public init(integerLiteral value: UInt64) {
            self.rawValue = value
        }

        public var description: String { "receiver \(rawValue)" }
    }

    /// How a receiver takes frames.
    public enum ReceiverKind: Sendable, Equatable {
        /// One frame per response: `xhr`, `jsonp`.
        case polling
        /// Many frames per response, up to the response limit: `xhr_streaming`, `eventsource`, `htmlfile`.
        case streaming
        /// A SockJS WebSocket: many frames, no limit, and it cannot reconnect to the session.
        case webSocket

        /// The kind for a receiving transport; `nil` for `xhr_send` and `jsonp_send`.
        public init?(transport: Transport) {
            switch transport {
            case .websocket: self = .webSocket
            case .xhr, .jsonp: self = .polling
            case .xhrStreaming, .eventsource, .htmlfile: self = .streaming
            case .xhrSend, .jsonpSend: return nil
            }
        }
    }

    public enum State: Sendable, Equatable {
        /// Created; `o` not yet written.
        case opening
        /// `o` written; messages flow.
        case open
        /// Closed by the application; receivers get the close frame until the session expires.
        case closing
        /// Gone: the server forgets the session.
        case closed
    }

    public enum Action: Sendable, Equatable {
        /// Write the frame to the receiver (with the transport's framing, see `Transport.framed(_:callback:)`).
        case write(SockJSFrame, to: ReceiverID)
        /// Finish the receiver's response (for a WebSocket: close it). It is detached already.
        case endResponse(ReceiverID)
        /// No receiver came for the disconnect delay: end the application session (reason
        /// `closed`) and forget this one.
        case sessionTimedOut
        /// A receiver went away mid-response: end the application session (reason `closed`).
        /// The session itself lingers, answering `SockJSFrame.connectionInterrupted`, until
        /// `.sessionExpired` (at once for a WebSocket).
        case sessionInterrupted
        /// A session the application closed has served its close frame long enough: forget it.
        case sessionExpired
    }

    private struct Receiver {
        var id: ReceiverID
        var kind: ReceiverKind
        var bytesWritten: Int
    }

    public let configuration: Configuration
    public private(set) var state: State = .opening
    private var receiver: Receiver?
    private var pending: [String] = []
    private var openFrameWritten = false
    private var closeFrame: SockJSFrame?
    /// When a frame was last written, or the current receiver attached.
    private var lastWriteAt: UInt64
    /// Since when no receiver is attached (creation, or the last detach).
    private var idleSince: UInt64

    /// A new session, created at `now` by its first receiving request (which the server
    /// reports next with `receiverAttached`).
    public init(configuration: Configuration = Configuration(), now: UInt64) {
        self.configuration = configuration
        self.lastWriteAt = now
        self.idleSince = now
    }

    /// Whether a receiving request is attached.
    public var hasReceiver: Bool { receiver != nil }

    /// Messages waiting for a receiver.
    public var pendingMessageCount: Int { pending.count }

    /// UTF-8 bytes of the messages waiting for a receiver (for the server's "slow consumer" limit).
    public private(set) var pendingByteCount = 0

    /// When `timerFired(now:)` has something to do; `nil` when no timer is needed.
    public var nextDeadline: UInt64? {
        switch state {
        case .closed:
            return nil
        case .opening, .open, .closing:
            if receiver != nil {
                return lastWriteAt.addingSaturated(configuration.heartbeatInterval)
            }
            return idleSince.addingSaturated(configuration.disconnectDelay)
        }
    }

    /// A receiving request arrived for this session.
    public mutating func receiverAttached(_ id: ReceiverID, kind: ReceiverKind, now: UInt64) -> [Action] {
        if state == .closed {
            return [.write(closeFrame ?? .goAway, to: id), .endResponse(id)]
        }
        if receiver != nil {
            return [.write(.anotherConnectionStillOpen, to: id), .endResponse(id)]
        }
        receiver = Receiver(id: id, kind: kind, bytesWritten: 0)
        lastWriteAt = now
        return flush(now: now)
    }

    /// The receiver's connection went away before its response was ended.
    ///
    /// Unknown receivers (already ended, or rejected as a second receiver) are ignored.
    public mutating func receiverLost(_ id: ReceiverID, now: UInt64) -> [Action] {
        guard let lost = receiver, lost.id == id else { return [] }
        receiver = nil
        idleSince = now
        var actions: [Action] = []
        if state == .opening || state == .open {
            state = .closing
            closeFrame = .connectionInterrupted
            pending = []
            pendingByteCount = 0
            actions.append(.sessionInterrupted)
        }
        if lost.kind == .webSocket {
            state = .closed
            actions.append(.sessionExpired)
        }
        return actions
    }

    /// The application sent messages to the client. Ignored once the session is closing.
    public mutating func messagesQueued(_ messages: [String], now: UInt64) -> [Action] {
        guard state == .opening || state == .open, !messages.isEmpty else { return [] }
        pending += messages
        pendingByteCount += messages.reduce(0) { $0 + $1.utf8.count }
        return flush(now: now)
    }

    /// The application closes the session with a close frame such as `c[3000,"Go away!"]`.
    ///
    /// Messages already queued are delivered first. Only the first close counts.
    public mutating func closeRequested(code: Int, reason: String, now: UInt64) -> [Action] {
        guard state == .opening || state == .open else { return [] }
        state = .closing
        closeFrame = .close(code: code, reason: reason)
        idleSince = now
        return flush(now: now)
    }

    /// Time passed; call it when `nextDeadline` is reached (calling it early does nothing).
    public mutating func timerFired(now: UInt64) -> [Action] {
        guard let deadline = nextDeadline, now >= deadline else { return [] }
        if let current = receiver {
            var actions: [Action] = []
            write(.heartbeat, to: current, now: now, into: &actions)
            return actions
        }
        switch state {
        case .opening, .open:
            state = .closed
            return [.sessionTimedOut]
        case .closing:
            state = .closed
            return [.sessionExpired]
        case .closed:
            return []
        }
    }

    /// Writes whatever is due to the attached receiver: `o`, then queued messages, then the close frame.
    private mutating func flush(now: UInt64) -> [Action] {
        var actions: [Action] = []
        guard let current = receiver else { return actions }
        if !openFrameWritten && (closeFrame == nil || !pending.isEmpty) {
            openFrameWritten = true
            if state == .opening {
                state = .open
            }
            guard write(.open, to: current, now: now, into: &actions) else { return actions }
        }
        if !pending.isEmpty {
            let messages = pending
            pending = []
            pendingByteCount = 0
            guard write(.messages(messages), to: current, now: now, into: &actions) else { return actions }
        }
        if let closeFrame, let stillAttached = receiver,
            write(closeFrame, to: stillAttached, now: now, into: &actions)
        {
            end(stillAttached, now: now, into: &actions)
        }
        return actions
    }

    /// Writes one frame and ends the response when its kind or the response limit says so.
    /// Returns whether the receiver is still attached.
    @discardableResult
    private mutating func write(
        _ frame: SockJSFrame,
        to current: Receiver,
        now: UInt64,
        into actions: inout [Action]
    ) -> Bool {
        actions.append(.write(frame, to: current.id))
        lastWriteAt = now
        var updated = current
        updated.bytesWritten += frame.encodedBytes.count
        receiver = updated
        switch updated.kind {
        case .polling:
            end(updated, now: now, into: &actions)
            return false
        case .streaming where updated.bytesWritten >= configuration.responseLimit:
            end(updated, now: now, into: &actions)
            return false
        case .streaming, .webSocket:
            return true
        }
    }

    private mutating func end(_ current: Receiver, now: UInt64, into actions: inout [Action]) {
        actions.append(.endResponse(current.id))
        receiver = nil
        idleSince = now
        if current.kind == .webSocket && state == .closing {
            state = .closed
            actions.append(.sessionExpired)
        }
    }
}

extension UInt64 {
    fileprivate func addingSaturated(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
