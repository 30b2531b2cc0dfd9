import NIOCore
import STOMP
import Synchronization

/// `fanout`: S subscribers, P publishers; burst (as fast as accepted) or paced (R msg/s) chat
/// messages carrying their send time. Deliveries/s, loss, latency, server CPU per delivery.
public struct FanoutScenario: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case burst
        case paced
    }

    public var subscribers: Int
    public var publishers: Int
    public var mode: Mode
    /// Burst: messages per publisher.
    public var messages: Int
    /// Paced: messages per second (all publishers together) and for how long.
    public var rate: Double
    public var durationSeconds: Double
    /// Give up this long after the last send without a new delivery.
    public var drainSeconds: Double
    /// Every SEND asks a receipt (the publisher still never waits for one); they are counted.
    public var receipts: Bool
    /// Stop waiting this long after the first send even while deliveries still arrive (a slow
    /// peer); what was not delivered by then is reported as such, not as lost. nil: no bound.
    public var deadlineSeconds: Double?

    public init(
        subscribers: Int, publishers: Int, mode: Mode, messages: Int, rate: Double, durationSeconds: Double,
        drainSeconds: Double, receipts: Bool = false, deadlineSeconds: Double? = nil
    ) {
        self.subscribers = subscribers
        self.publishers = max(1, publishers)
        self.mode = mode
        self.messages = messages
        self.rate = rate
        self.durationSeconds = durationSeconds
        self.drainSeconds = drainSeconds
        self.receipts = receipts
        self.deadlineSeconds = deadlineSeconds
    }

    /// Burst publishers write this many SENDs (one WebSocket message each) between two flushes.
    static let burstFlushEvery = 16

    /// How many messages are sent in all.
    public var totalMessages: Int {
        switch mode {
        case .burst: return messages * publishers
        case .paced: return max(1, Int((rate * durationSeconds).rounded()))
        }
    }

    public var title: String {
        switch mode {
        case .burst: return "fanout-burst S=\(subscribers) M=\(totalMessages)"
        case .paced: return "fanout-paced S=\(subscribers) R=\(formatNumber(rate))/s"
        }
    }

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        // Publishers on another node of the lobby: the row says so.
        let title = setup.otherNode == nil ? title : title + " cross-node"
        let tag = runTag()
        let total = totalMessages
        let collector = FanoutCollector(subscribers: subscribers, messages: total)
        let subscribed = await openMany(
            count: subscribers, subscriptions: [setup.chatTopic], names: { "f\($0)-\(tag)" }, setup: setup,
            group: group, observer: collector)
        let publisherSubscriptions = setup.replyDestination.map { [$0] } ?? []
        let published = await openMany(
            count: publishers, firstIndex: subscribers, subscriptions: publisherSubscriptions,
            names: { "p\($0)-\(tag)" }, setup: setup.onOtherNode, group: group, observer: collector)
        var notes: [String] = []
        if let error = subscribed.firstError ?? published.firstError { notes.append("handshake failure: \(error)") }
        guard !published.clients.isEmpty else {
            for client in subscribed.clients { client.closeAbruptly() }
            return ScenarioResult(
                scenario: "fanout-\(mode.rawValue)", title: title, peer: setup.peer, transport: setup.transportName,
                notes: notes + ["no publisher could connect"])
        }
        await sleep(milliseconds: 1_000)
        collector.start()
        let before = setup.sample()
        let firstSend = monotonicNanoseconds()
        let destination = setup.chatDestination
        let publishers = published.clients
        let receipts = receipts
        let frame: @Sendable (_ sequence: Int, _ publisher: Int) -> Frame = { sequence, publisher in
            let stamp = Stamp(sentAt: monotonicNanoseconds(), sequence: sequence, publisher: publisher)
            return Outbound.send(
                destination: destination, body: Outbound.chatBody(stamp), receipt: receipts ? "m-\(sequence)" : nil)
        }
        switch mode {
        case .burst:
            // Pipelined: every SEND is written at once, none waits for a receipt or a delivery; what
            // the server does not read yet waits in the socket and in NIO's outbound buffer.
            for (offset, publisher) in publishers.enumerated() {
                let first = offset * messages
                publisher.channel.eventLoop.execute { [messages] in
                    for sequence in first..<(first + messages) {
                        let flush =
                            (sequence - first + 1) % Self.burstFlushEvery == 0 || sequence == first + messages - 1
                        publisher.send([frame(sequence, offset)], flush: flush)
                    }
                }
            }
        case .paced:
            let interval = 1e9 / rate
            for sequence in 0..<total {
                let publisher = publishers[sequence % publishers.count]
                let due = NIODeadline.uptimeNanoseconds(
                    NIODeadline.now().uptimeNanoseconds + UInt64(Double(sequence) * interval))
                publisher.channel.eventLoop.scheduleTask(deadline: due) {
                    publisher.send([frame(sequence, sequence % publishers.count)])
                }
            }
        }
        let sendSpan: Double = mode == .paced ? Double(total - 1) / rate : 0
        let expected = subscribed.clients.count * total
        // Done when everything arrived (and every receipt, if asked), or nothing new arrived for
        // `drainSeconds` after the last send.
        var lastCount = -1
        var lastProgress = monotonicNanoseconds()
        let sendsEnd = firstSend + UInt64(sendSpan * 1e9)
        let deadline = deadlineSeconds.map { firstSend + UInt64(max(sendSpan, $0) * 1e9) }
        var cutWhileDelivering = false
        while true {
            let progress = collector.progress
            if progress.delivered >= expected && (!receipts || progress.receipts >= total) { break }
            let count = progress.delivered + progress.receipts
            let now = monotonicNanoseconds()
            if count != lastCount {
                lastCount = count
                lastProgress = now
            } else if now > sendsEnd, Double(now - max(lastProgress, sendsEnd)) / 1e9 > drainSeconds {
                break
            }
            if let deadline, now >= deadline {
                cutWhileDelivering = true
                break
            }
            await sleep(milliseconds: 10)
        }
        let after = setup.sample()
        let outcome = collector.finish()
        for client in subscribed.clients + publishers { client.closeAbruptly() }
        await sleep(milliseconds: 300)

        let delivered = outcome.delivered
        let span = Double(max(outcome.lastAt, firstSend) - firstSend) / 1e9
        let cpu: Double? = if let before, let after { after.cpuSeconds - before.cpuSeconds } else { nil }
        let targets = setup.targetsApply && subscribers >= 1_000
        var metrics = [
            Metric("subscribers", "subscribers ready", Double(subscribed.clients.count), better: .higherIsBetter),
            Metric("messages", "messages sent", Double(total)),
            Metric("deliveries", "deliveries", Double(delivered), better: .higherIsBetter),
            Metric(
                "loss_pct", "loss",
                expected > 0 && !cutWhileDelivering
                    ? Double(expected - min(delivered, expected)) / Double(expected) * 100 : nil, unit: "%",
                better: .lowerIsBetter, target: targets && mode == .burst ? .equal(0) : nil),
            Metric(
                "deliveries_per_s", "deliveries/s", span > 0 ? Double(delivered) / span : nil, unit: "/s",
                better: .higherIsBetter),
        ]
        metrics += latencyMetrics(
            outcome.latency, prefix: "latency", words: "send→receive",
            p99Target: targets && mode == .paced ? .atMost(10) : nil)
        metrics += [
            Metric(
                "cpu_per_delivery_us", "server CPU per delivery",
                cpu.flatMap { delivered > 0 ? $0 / Double(delivered) * 1e6 : nil }, unit: "µs", better: .lowerIsBetter,
                target: targets && mode == .burst ? .atMost(1) : nil),
            Metric("server_cpu_s", "server CPU time", cpu, unit: "s", better: .lowerIsBetter),
            Metric(
                "subscribers_dropped", "subscribers closed by server", Double(outcome.subscribersClosed),
                better: .lowerIsBetter),
            Metric("duplicates", "duplicate deliveries", Double(outcome.duplicates), better: .lowerIsBetter),
            Metric(
                "subscribers_complete", "subscribers that got every message",
                Double(outcome.perSubscriber.filter { $0 >= total }.count), better: .higherIsBetter),
            Metric(
                "fewest_per_subscriber", "fewest messages one subscriber got",
                outcome.perSubscriber.min().map(Double.init), better: .higherIsBetter),
            Metric(
                "publishers_dropped", "publishers closed by server", Double(outcome.publishersClosed),
                better: .lowerIsBetter, target: targets && mode == .burst ? .equal(0) : nil),
        ]
        if cutWhileDelivering {
            metrics.append(
                Metric(
                    "undelivered_at_deadline", "not yet delivered at the deadline", Double(expected - delivered),
                    better: .lowerIsBetter))
            notes.append(
                "stopped \(formatNumber(deadlineSeconds ?? 0)) s after the first send while deliveries were still "
                    + "arriving: \(formatNumber(Double(delivered))) of \(formatNumber(Double(expected))) delivered by "
                    + "then; loss not judged")
        }
        if receipts {
            metrics.append(
                Metric(
                    "receipts", "SENDs acknowledged (receipts)", Double(outcome.receipts), better: .higherIsBetter,
                    target: targets && mode == .burst ? .equal(Double(total)) : nil))
        }
        if outcome.errors > 0 {
            metrics.append(
                Metric("publisher_errors", "errors to publishers", Double(outcome.errors), better: .lowerIsBetter))
            notes.append(
                "errors to publishers: \(outcome.errorCodes.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))"
            )
        }
        return ScenarioResult(
            scenario: "fanout-\(mode.rawValue)", title: title, peer: setup.peer, transport: setup.transportName,
            parameters: [
                "subscribers": "\(subscribers)", "publishers": "\(self.publishers)", "mode": mode.rawValue,
                "messages": "\(total)", "rate": mode == .paced ? formatNumber(rate) : "max",
                "receipts": receipts ? "every send" : "none",
                "deadline_s": deadlineSeconds.map { formatNumber($0) } ?? "none",
            ],
            metrics: metrics, latency: outcome.latency.summary, distribution: outcome.latency.distribution(),
            notes: notes)
    }
}

/// Deliveries seen by the subscribers of a fan-out, counted per subscriber and deduplicated per
/// (subscriber, sequence number). Subscribers are spread over shards, each behind its own lock, so
/// the tool's event loops do not queue on one lock for every delivery.
final class FanoutCollector: RawMessageObserver {
    struct Outcome: Sendable {
        var latency = LatencyRecorder()
        var delivered = 0
        var duplicates = 0
        var lastAt: UInt64 = 0
        /// Distinct messages each subscriber got, by subscriber index.
        var perSubscriber: [Int] = []
        var subscribersClosed = 0
        var publishersClosed = 0
        var receipts = 0
        var errors = 0
        var errorCodes: [String: Int] = [:]
    }

    private struct Shard {
        var latency = LatencyRecorder()
        var delivered = 0
        var duplicates = 0
        var lastAt: UInt64 = 0
        /// Bits by (subscriber slot in this shard) × messages + sequence.
        var seen: [UInt64]
        /// Distinct messages per subscriber slot.
        var counts: [Int]
    }

    private struct Control {
        var subscribersClosed = 0
        var publishersClosed = 0
        var receipts = 0
        var errors = 0
        var errorCodes: [String: Int] = [:]
    }

    /// One shard's lock (a `Mutex` cannot sit in an array by itself).
    private final class ShardBox: Sendable {
        let state: Mutex<Shard>
        init(_ shard: Shard) { state = Mutex(shard) }
    }

    static let shardCount = 16

    let subscribers: Int
    let messages: Int
    private let shards: [ShardBox]
    private let control = Mutex(Control())
    private let counting = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    init(subscribers: Int, messages: Int) {
        self.subscribers = subscribers
        self.messages = messages
        self.shards = (0..<Self.shardCount).map { shard in
            let slots = subscribers > shard ? (subscribers - shard + Self.shardCount - 1) / Self.shardCount : 0
            return ShardBox(
                Shard(
                    seen: [UInt64](repeating: 0, count: (slots * messages + 63) / 64),
                    counts: [Int](repeating: 0, count: slots)))
        }
    }

    func start() { counting.store(true, ordering: .sequentiallyConsistent) }

    private var isCounting: Bool {
        counting.load(ordering: .sequentiallyConsistent) && !finished.load(ordering: .sequentiallyConsistent)
    }

    /// Deliveries and receipts so far.
    var progress: (delivered: Int, receipts: Int) {
        let delivered = shards.reduce(0) { total, shard in total + shard.state.withLock { $0.delivered } }
        return (delivered, control.withLock { $0.receipts })
    }

    func finish() -> Outcome {
        finished.store(true, ordering: .sequentiallyConsistent)
        var outcome = Outcome()
        outcome.perSubscriber = [Int](repeating: 0, count: subscribers)
        for (index, shard) in shards.enumerated() {
            shard.state.withLock { shard in
                outcome.latency.add(shard.latency)
                outcome.delivered += shard.delivered
                outcome.duplicates += shard.duplicates
                outcome.lastAt = max(outcome.lastAt, shard.lastAt)
                for (slot, count) in shard.counts.enumerated() {
                    outcome.perSubscriber[slot * Self.shardCount + index] = count
                }
            }
        }
        control.withLock { control in
            outcome.subscribersClosed = control.subscribersClosed
            outcome.publishersClosed = control.publishersClosed
            outcome.receipts = control.receipts
            outcome.errors = control.errors
            outcome.errorCodes = control.errorCodes
        }
        return outcome
    }

    func message(client: Int, frame: Frame, at: UInt64) {
        if client >= subscribers || frame.command != .message {
            publisherFrame(frame)
            return
        }
        frame.body.withUnsafeBufferPointer { delivery(client: client, body: $0, at: at) }
    }

    func rawMessage(
        client: Int, subscription: UnsafeBufferPointer<UInt8>, body: UnsafeBufferPointer<UInt8>, at: UInt64
    ) {
        if client >= subscribers {
            publisherFrame(Frame(.message, body: Array(body)))
        } else {
            delivery(client: client, body: body, at: at)
        }
    }

    private func delivery(client: Int, body: UnsafeBufferPointer<UInt8>, at: UInt64) {
        guard let stamp = Stamp.find(in: body), stamp.sequence < messages, isCounting else { return }
        let slot = client / Self.shardCount
        let bit = slot * messages + stamp.sequence
        let mask: UInt64 = 1 << UInt64(bit & 63)
        shards[client % Self.shardCount].state.withLock { shard in
            if shard.seen[bit >> 6] & mask != 0 {
                shard.duplicates += 1
                return
            }
            shard.seen[bit >> 6] |= mask
            shard.counts[slot] += 1
            shard.delivered += 1
            shard.latency.record(nanoseconds: at > stamp.sentAt ? at - stamp.sentAt : 0)
            shard.lastAt = max(shard.lastAt, at)
        }
    }

    /// A publisher's receipt or error, or a subscriber's ERROR.
    private func publisherFrame(_ frame: Frame) {
        switch frame.command {
        case .receipt:
            guard frame.headers["receipt-id"]?.hasPrefix("m-") == true else { return }
            control.withLock { $0.receipts += 1 }
        case .error:
            control.withLock { control in
                control.errors += 1
                control.errorCodes["STOMP ERROR", default: 0] += 1
            }
        case .message:
            guard let event = ServerEvent(json: frame.body), event.type == "error" else { return }
            control.withLock { control in
                control.errors += 1
                control.errorCodes[event.code ?? "error", default: 0] += 1
            }
        default:
            break
        }
    }

    func closed(client: Int, at: UInt64) {
        guard isCounting else { return }
        control.withLock { control in
            if client < subscribers {
                control.subscribersClosed += 1
            } else {
                control.publishersClosed += 1
            }
        }
    }
}
