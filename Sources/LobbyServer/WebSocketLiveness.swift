import NIOCore

/// When a WebSocket connection is checked for life (ping), given up on (timeout), or kept busy
/// with a SockJS `h` frame.
///
/// No I/O and no clock: the WebSocket handler reports past-tense events with the event loop's
/// time (`eventLoop.now`, which `EmbeddedEventLoop` fakes in tests), carries out the returned
/// actions, and keeps one timer armed for `nextDeadline`, reporting `timerFired(at:)` when it
/// passes.
///
/// ```swift
/// let start = loop.now
/// var liveness = WebSocketLiveness(configuration: .init(pingInterval: .seconds(10)), now: start)
/// liveness.timerFired(at: start + .seconds(10))        // [.sendPing]
/// liveness.inboundReceived(at: start + .seconds(11))   // the pong (or any data) answers it
/// liveness.timerFired(at: start + .seconds(21))        // [.sendPing]: 10 s of silence again
/// ```
///
/// Rules:
/// - Ping: after `pingInterval` with no inbound data, a ping is sent. Any inbound data after it
///   (a pong, a STOMP heart-beat, a message) answers it. If none comes within another
///   `pingInterval`, the connection is half-open or the peer is frozen: `timedOut`.
/// - While reading is paused for backpressure the peer's data (its pong too) waits unread
///   behind our own backlog: its silence is not its fault, so no ping or timeout is due.
///   Reading resumed counts as data received then.
/// - SockJS `h`: after `heartbeatInterval` of outbound silence an `h` frame is due; every
///   write pushes it back. The WebSocket ping is not SockJS traffic and does not count.
/// - An interval of zero turns its rule off (the raw endpoint has no `h`).
/// - After `timedOut` or `closeStarted()` nothing more is due.
///
/// `inboundReceived`, `outboundWritten` and `readingPaused` only ever move `nextDeadline`
/// later (or remove it), so after them a timer armed earlier still serves: it fires early,
/// finds nothing due, and the handler re-arms. That keeps the delivery path free of timer work.
struct WebSocketLiveness: Sendable {
    struct Configuration: Sendable, Equatable {
        /// Inbound silence after which a ping is sent, and the time its answer may take.
        var pingInterval: TimeAmount
        /// Outbound silence after which a SockJS `h` frame is sent; zero on the raw endpoint.
        var heartbeatInterval: TimeAmount

        init(pingInterval: TimeAmount, heartbeatInterval: TimeAmount = .zero) {
            self.pingInterval = pingInterval
            self.heartbeatInterval = heartbeatInterval
        }
    }

    enum Action: Sendable, Equatable {
        /// Write a WebSocket ping.
        case sendPing
        /// Write a SockJS `h` frame (and report it with `outboundWritten`, like any write).
        case sendHeartbeat
        /// No answer to the ping in time: end the session as `timeout`.
        case timedOut
    }

    let configuration: Configuration
    private var lastInboundAt: NIODeadline
    private var lastOutboundAt: NIODeadline
    /// When the unanswered ping was sent; nil when none is outstanding.
    private var pingSentAt: NIODeadline?
    private var isReadingPaused = false
    private var isFinished = false

    /// A connection opened at `now`.
    init(configuration: Configuration, now: NIODeadline) {
        self.configuration = configuration
        self.lastInboundAt = now
        self.lastOutboundAt = now
    }

    /// Whether `outboundWritten` matters: without the `h` rule the handler skips the clock read
    /// on every delivery.
    var needsWriteTimes: Bool { !isFinished && configuration.heartbeatInterval > .zero }

    /// When `timerFired(at:)` has something to do; nil when no timer is needed.
    var nextDeadline: NIODeadline? {
        let ping = pingDeadline
        let heartbeat = heartbeatDeadline
        guard let ping else { return heartbeat }
        guard let heartbeat else { return ping }
        return min(ping, heartbeat)
    }

    /// When the ping is due (no ping outstanding) or its answer is overdue (one outstanding).
    private var pingDeadline: NIODeadline? {
        guard !isFinished, !isReadingPaused, configuration.pingInterval > .zero else { return nil }
        return (pingSentAt ?? lastInboundAt) + configuration.pingInterval
    }

    private var heartbeatDeadline: NIODeadline? {
        guard !isFinished, configuration.heartbeatInterval > .zero else { return nil }
        return lastOutboundAt + configuration.heartbeatInterval
    }

    // MARK: Events

    /// A frame of any kind came from the peer.
    mutating func inboundReceived(at now: NIODeadline) {
        lastInboundAt = now
        pingSentAt = nil
    }

    /// A frame was written to the peer.
    mutating func outboundWritten(at now: NIODeadline) {
        lastOutboundAt = max(lastOutboundAt, now)
    }

    /// The handler stopped reading the socket (backpressure).
    mutating func readingPaused() {
        isReadingPaused = true
    }

    /// The handler reads the socket again; the peer gets a full interval from now.
    mutating func readingResumed(at now: NIODeadline) {
        guard isReadingPaused else { return }
        isReadingPaused = false
        inboundReceived(at: now)
    }

    /// The connection is closing or closed: nothing more is due.
    mutating func closeStarted() {
        isFinished = true
    }

    /// Time passed; call it when `nextDeadline` is reached (calling it early does nothing).
    mutating func timerFired(at now: NIODeadline) -> [Action] {
        var actions: [Action] = []
        if let deadline = pingDeadline, now >= deadline {
            if pingSentAt != nil {
                isFinished = true
                return [.timedOut]
            }
            pingSentAt = now
            actions.append(.sendPing)
        }
        if let deadline = heartbeatDeadline, now >= deadline {
            lastOutboundAt = now
            actions.append(.sendHeartbeat)
        }
        return actions
    }
}
