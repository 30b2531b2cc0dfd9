/// The life of a ``LobbyConnection`` across connections, with no I/O: when to open a connection,
/// how long to wait after one dies, what the status line says meanwhile, and how to stop.
///
/// Failures in a row grow the backoff; a `welcome` (a successful identity) resets it. While
/// waiting it counts down one second at a time, so the status line can say `reconnecting in 3 s`.
/// Time is monotonic milliseconds, passed in.
public struct ReconnectStateMachine: Sendable {
    /// What the connection should do next.
    public enum Action: Sendable, Equatable {
        /// Report this to the user interface.
        case emit(ConnectionEvent)
        /// Open a new connection (with a new transport URL, so a new session id).
        case openConnection
        /// Call `tick(now:)` at this time.
        case scheduleTick(at: UInt64)
        /// Say goodbye on the current connection (or abandon it, if it is not open yet) and close it.
        case quitConnection
    }

    enum Phase: Sendable, Equatable {
        case idle
        /// A connection is being opened or is open.
        case attempting
        /// Waiting until `deadline` before the next attempt; `shownSeconds` is what the user last saw.
        case waiting(deadline: UInt64, shownSeconds: Int)
        /// Quit was asked while a connection is open; waiting for it to close.
        case stopping
        /// `/reconnect` was asked while a connection is open; the next opens once it closed.
        case restarting
        case stopped
    }

    public let backoff: ReconnectBackoff
    /// Connections in a row that ended without (or since) a welcome.
    public private(set) var failures = 0
    private(set) var phase = Phase.idle

    public init(backoff: ReconnectBackoff = ReconnectBackoff()) {
        self.backoff = backoff
    }

    /// Whether quit was asked.
    public var isStopping: Bool {
        phase == .stopping || phase == .stopped
    }

    /// Whether the current connection is being closed (quit or `/reconnect`): a connection that
    /// comes up now is closed at once.
    public var isClosingConnection: Bool {
        phase == .stopping || phase == .stopped || phase == .restarting
    }

    /// Opens the first connection.
    public mutating func start() -> [Action] {
        guard phase == .idle else { return [] }
        return beginAttempt()
    }

    /// The server welcomed the session: the connection works, so the backoff starts over.
    public mutating func sessionWelcomed(user: String, sessionID: String) -> [Action] {
        failures = 0
        return [.emit(.connected(user: user, sessionID: sessionID))]
    }

    /// The current connection closed (or could not be opened).
    public mutating func connectionEnded<Generator: RandomNumberGenerator>(
        _ end: SessionEnd, now: UInt64, using generator: inout Generator
    ) -> [Action] {
        switch phase {
        case .stopping:
            phase = .stopped
            return [.emit(.stopped)]
        case .restarting:
            failures = 0
            return beginAttempt()
        case .attempting:
            if !end.isWorthRetrying {
                // No retry (an operator's kick, an untrusted certificate): the client waits,
                // disconnected, until the user quits.
                phase = .idle
                return [.emit(.disconnected(end.explanation))]
            }
            failures += 1
            let delay = backoff.delay(afterFailures: failures, using: &generator)
            return [.emit(.disconnected(end.explanation))] + countdown(until: now + delay, now: now)
        case .idle, .waiting, .stopped:
            return []
        }
    }

    /// The user asked for a new connection now (`/reconnect`): the current one, if any, says
    /// goodbye and closes, and the next opens at once with the backoff started over. Also the
    /// way back after an end that is not retried on its own (a kick, an untrusted certificate).
    public mutating func reconnect() -> [Action] {
        switch phase {
        case .idle, .waiting:
            failures = 0
            return beginAttempt()
        case .attempting:
            phase = .restarting
            return [.quitConnection]
        case .restarting, .stopping, .stopped:
            return []
        }
    }

    /// A scheduled tick: counts down, or opens the next connection when the wait is over.
    public mutating func tick(now: UInt64) -> [Action] {
        guard case .waiting(let deadline, _) = phase else { return [] }
        return countdown(until: deadline, now: now)
    }

    /// The user quit.
    public mutating func quit() -> [Action] {
        switch phase {
        case .idle, .waiting:
            phase = .stopped
            return [.emit(.stopped)]
        case .attempting:
            phase = .stopping
            return [.quitConnection]
        case .restarting:
            phase = .stopping  // already closing
            return []
        case .stopping, .stopped:
            return []
        }
    }

    private mutating func beginAttempt() -> [Action] {
        phase = .attempting
        return [.emit(.connecting(attempt: failures + 1)), .openConnection]
    }

    private mutating func countdown(until deadline: UInt64, now: UInt64) -> [Action] {
        guard now < deadline else { return beginAttempt() }
        let seconds = Int((deadline - now + 999) / 1000)
        var actions: [Action] = []
        if phase != .waiting(deadline: deadline, shownSeconds: seconds) {
            actions.append(.emit(.reconnecting(inSeconds: seconds)))
        }
        phase = .waiting(deadline: deadline, shownSeconds: seconds)
        // The next moment the whole number of seconds left drops by one (or the wait ends).
        actions.append(.scheduleTick(at: deadline - UInt64(seconds - 1) * 1000))
        return actions
    }
}
