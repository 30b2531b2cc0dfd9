/// A token bucket: `rate` tokens per second refill up to `burst`. Time is an input (monotonic
/// milliseconds), so flood rules are tested without sleeping.
struct TokenBucket: Sendable, Equatable {
    let rate: Double
    let burst: Double
    private(set) var tokens: Double
    private var updatedAt: UInt64

    init(rate: Double, burst: Double, now: UInt64) {
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updatedAt = now
    }

    /// Takes one token if there is one.
    mutating func take(now: UInt64) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whether the bucket refilled completely: it then says nothing a new bucket would not.
    mutating func isFull(now: UInt64) -> Bool {
        refill(now: now)
        return tokens >= burst
    }

    /// Milliseconds until one token is back (0 when there is one now).
    func millisecondsUntilToken() -> UInt64 {
        guard tokens < 1, rate > 0 else { return 0 }
        return UInt64(((1 - tokens) * 1000 / rate).rounded(.up))
    }

    private mutating func refill(now: UInt64) {
        if now > updatedAt {
            tokens = min(burst, tokens + Double(now - updatedAt) * rate / 1000)
            updatedAt = now
        }
    }
}
