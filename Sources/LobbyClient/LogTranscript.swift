import LobbyCore

/// What a `log_dir` file gets: the ``PlainTranscript`` lines, each with its time, and a server
/// that stays down written once rather than once per attempt.
///
/// ```
/// [10:00] *** connected as alice (session k3x9a0qz)
/// [10:02] --> carol joined
/// [10:03] <carol> hello
/// [10:05] *** disconnected: cannot connect to 127.0.0.1:8080: connection refused
/// [10:09] *** connected as alice (session 0a9zk3x1)
/// ```
public struct LogTranscript {
    private var transcript: PlainTranscript
    private let clock: (Timestamp) -> String
    private let now: () -> Timestamp
    /// A failure was written since the last connection: further attempts and failures are not.
    private var isRetrying = false

    /// - Parameters:
    ///   - transcript: the lines to write (inert, as `--plain` prints them).
    ///   - clock: a time as written, `10:00`.
    ///   - now: the time of events that carry none (connection changes, errors).
    public init(
        _ transcript: PlainTranscript, clock: @escaping (Timestamp) -> String,
        now: @escaping () -> Timestamp = { .now() }
    ) {
        self.transcript = transcript
        self.clock = clock
        self.now = now
    }

    public mutating func lines(for event: ConnectionEvent) -> [String] {
        let lines = transcript.lines(for: event)
        switch event {
        case .connecting, .reconnecting, .disconnected:
            let wasRetrying = isRetrying
            if case .disconnected = event { isRetrying = true }
            // The first failure says what happened; the attempts and failures after it repeat it.
            if wasRetrying { return [] }
        case .connected, .stopped:
            isRetrying = false
        case .session:
            break
        }
        let time: Timestamp
        if case .session(.presence(let presence)) = event { time = presence.at } else { time = now() }
        // Message lines carry their own time (`[10:00] <bob> …`, dated search results), and
        // continuation rows start with blanks: only the other lines are stamped.
        return lines.map { line in
            line.hasPrefix("[") || line.hasPrefix(" ") ? line : "[\(clock(time))] " + line
        }
    }
}
