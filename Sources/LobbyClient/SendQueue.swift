import LobbyCore

/// Chat lines and private messages the user typed, sent no faster than the server lets them
/// through, so nothing typed quickly (a paste of 30 lines) is refused as `rate-limited`.
///
/// The server keeps a token bucket per session for `/app/chat` and `/app/direct` and advertises
/// it in the welcome (``Welcome/chatRate``). The queue keeps its own bucket a little slower and
/// smaller than that one: network jitter can bring two sends closer together than they left, and
/// a refusal costs a round trip. Should the server still refuse one, ``refused(now:)`` puts it
/// back at the head of the queue and waits for the next token, so the order stays as typed.
///
/// Time is monotonic milliseconds, passed in, so every rule is a plain test.
///
/// ```swift
/// var queue = SendQueue(now: 0)
/// queue.sessionStarted(rate: welcome.chatRate ?? .serverDefault, now: 0)
/// queue.enqueue(.chat("hello"))
/// for request in queue.take(now: 0) { driver.send(request) }
/// queue.nextDeadline  // when to call take(now:) again, nil when nothing waits
/// ```
struct SendQueue: Sendable {
    /// What waits for a token, oldest first.
    private(set) var waiting: [ClientRequest] = []
    /// Requests sent and not yet seen back, newest last: a refusal names no request, and the one
    /// that found the bucket empty is the newest (the ones before it had tokens).
    private var unconfirmed: [(request: ClientRequest, at: UInt64)] = []
    private var perSecond: Double
    private var burst: Double
    private var tokens: Double
    private var refilledAt: UInt64
    /// After a refusal nothing goes out before this.
    private var notBefore: UInt64 = 0

    /// The share of the server's rate the queue uses, and how many tokens of its burst it leaves.
    static let rateMargin = 0.9
    static let burstMargin = 1.0
    /// A request not seen back within this long was answered otherwise (`not-here`, a bad text)
    /// and can no longer be the one a refusal is about.
    static let confirmationWindowMilliseconds: UInt64 = 10_000

    init(rate: ChatRate = .serverDefault, now: UInt64) {
        perSecond = 1
        burst = 1
        tokens = 0
        refilledAt = now
        sessionStarted(rate: rate, now: now)
    }

    /// Whether nothing waits.
    var isEmpty: Bool { waiting.isEmpty }

    /// Whether `request` is paced: the server's chat bucket covers chat and private messages.
    static func isPaced(_ request: ClientRequest) -> Bool {
        switch request {
        case .chat, .direct: true
        case .away, .history, .search: false
        }
    }

    /// A new session was welcomed: its bucket on the server starts full.
    mutating func sessionStarted(rate: ChatRate, now: UInt64) {
        perSecond = max(rate.perSecond * Self.rateMargin, 0.1)
        burst = max(rate.burst - Self.burstMargin, 1)
        tokens = burst
        refilledAt = now
        notBefore = 0
        unconfirmed = []
    }

    mutating func enqueue(_ request: ClientRequest) {
        waiting.append(request)
    }

    /// The requests that may go out now, in order.
    mutating func take(now: UInt64) -> [ClientRequest] {
        refill(now: now)
        unconfirmed.removeAll { now - min(now, $0.at) > Self.confirmationWindowMilliseconds }
        var due: [ClientRequest] = []
        while !waiting.isEmpty, tokens >= 1, now >= notBefore {
            tokens -= 1
            let request = waiting.removeFirst()
            unconfirmed.append((request, now))
            due.append(request)
        }
        return due
    }

    /// When ``take(now:)`` will have something to send; nil when nothing waits.
    var nextDeadline: UInt64? {
        guard !waiting.isEmpty else { return nil }
        let missing = max(1 - tokens, 0)
        let refillAt = refilledAt + UInt64((missing * 1000 / perSecond).rounded(.up))
        return max(refillAt, notBefore)
    }

    /// The server accepted a request: it came back (the own chat message, the own private message).
    mutating func confirmed(_ request: ClientRequest) {
        if let index = unconfirmed.firstIndex(where: { $0.request == request }) {
            unconfirmed.remove(at: index)
        }
    }

    /// The server refused a chat or private message as too fast: the newest unconfirmed request
    /// goes back to the head of the queue, and nothing goes out until a token has been earned.
    /// Returns false when no request of this queue can be the one refused.
    mutating func refused(now: UInt64) -> Bool {
        unconfirmed.removeAll { now - min(now, $0.at) > Self.confirmationWindowMilliseconds }
        guard let last = unconfirmed.popLast() else { return false }
        waiting.insert(last.request, at: 0)
        tokens = 0
        refilledAt = now
        notBefore = now + UInt64((1000 / perSecond).rounded(.up))
        return true
    }

    /// The connection ended: what was sent is no longer ours to resend (it may have arrived);
    /// what waits goes out on the next session.
    mutating func connectionEnded() {
        unconfirmed = []
    }

    /// Drops everything that waits; returns it.
    mutating func removeAll() -> [ClientRequest] {
        defer { waiting = [] }
        return waiting
    }

    private mutating func refill(now: UInt64) {
        guard now > refilledAt else { return }
        tokens = min(burst, tokens + Double(now - refilledAt) / 1000 * perSecond)
        refilledAt = now
    }
}
