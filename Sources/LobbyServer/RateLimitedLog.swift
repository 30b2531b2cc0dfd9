import NIOCore
import Synchronization

/// Lets a recurring event through to the log at most once per interval, saying how many
/// occurrences the line stands for, so a flood of refusals or accept errors never floods the log.
final class RateLimitedLog: Sendable {
    private let interval: TimeAmount
    private struct State {
        var lastLogged: NIODeadline?
        var occurrences = 0
    }
    private let state = Mutex(State())

    init(interval: TimeAmount = .seconds(10)) {
        self.interval = interval
    }

    /// Records one occurrence. Returns how many occurrences (this one included) to report now,
    /// or nil when a line was logged less than `interval` ago.
    func record(now: NIODeadline = .now()) -> Int? {
        state.withLock { state in
            state.occurrences += 1
            if let last = state.lastLogged, now - last < interval { return nil }
            let count = state.occurrences
            state.occurrences = 0
            state.lastLogged = now
            return count
        }
    }
}
