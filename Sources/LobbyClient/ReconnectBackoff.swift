/// How long to wait before the next connection attempt: exponential backoff with full jitter.
///
/// The ceiling starts at `initialDelay` and doubles with each failure in a row up to
/// `maximumDelay`; the actual delay is drawn uniformly between zero and the ceiling ("full
/// jitter"), so a room full of clients that lost the same server does not reconnect in lockstep.
///
/// ```swift
/// let backoff = ReconnectBackoff()
/// backoff.ceiling(afterFailures: 1)  // 1_000 ms
/// backoff.ceiling(afterFailures: 4)  // 8_000 ms
/// backoff.ceiling(afterFailures: 9)  // 30_000 ms
/// ```
public struct ReconnectBackoff: Sendable, Equatable {
    /// The ceiling after the first failure, in milliseconds.
    public var initialDelay: UInt64
    /// The largest ceiling, in milliseconds.
    public var maximumDelay: UInt64

    public init(initialDelay: UInt64 = 1_000, maximumDelay: UInt64 = 30_000) {
        self.initialDelay = initialDelay
        self.maximumDelay = max(initialDelay, maximumDelay)
    }

    /// The longest delay after `failures` failed (or lost) connections in a row (1 or more).
    public func ceiling(afterFailures failures: Int) -> UInt64 {
        guard failures > 1, initialDelay > 0 else { return initialDelay }
        var ceiling = initialDelay
        for _ in 1..<failures {
            ceiling *= 2
            // Checked each step, so neither the shift nor the loop can overflow.
            if ceiling >= maximumDelay { return maximumDelay }
        }
        return ceiling
    }

    /// A delay in milliseconds drawn uniformly from `0...ceiling(afterFailures:)`.
    public func delay<Generator: RandomNumberGenerator>(
        afterFailures failures: Int, using generator: inout Generator
    ) -> UInt64 {
        UInt64.random(in: 0...ceiling(afterFailures: failures), using: &generator)
    }
}
