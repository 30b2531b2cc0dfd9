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

    public init(
        subscribers: Int, publishers: Int, mode: Mode, messages: Int, rate: Double, durationSeconds: Double,
        drainSeconds: Double
    ) {
        self.subscribers = subscribers
        self.publishers = max(1, publishers)
        self.mode = mode
        self.messages = messages
        self.rate = rate
        self.durationSeconds = durationSeconds
        self.drainSeconds = drainSeconds
    }

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
        let tag = runTag()
        let total = totalMessages
        let collector = FanoutCollector(subscribers: subscribers, messages: total)
        let subscribed = await openMany(
            count: subscribers, subscriptions: [setup.chatTopic], names: { "f\($0)-\(tag)" }, setup: setup,
            group: group, observer: collector)
        let publisherSubscriptions = setup.replyDestination.map { [$0] } ?? []
        let published = await openMany(
            count: publishers, firstIndex: subscribers, subscriptions: publisherSubscriptions,
            names: { "p\($0)-\(tag)" }, setup: setup, group: group, observer: collector)
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
        switch mode {
        case .burst:
            for (offset, publisher) in publishers.enumerated() {
                let first = offset * messages
                publisher.channel.eventLoop.execute { [messages] in
                    for sequence in first..<(first + messages) {
                        let stamp = Stamp(sentAt: monotonicNanoseconds(), sequence: sequence, publisher: offset)
                        publisher.send([Outbound.send(destination: destination, body: Outbound.chatBody(stamp))])
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
                    let stamp = Stamp(
                        sentAt: monotonicNanoseconds(), sequence: sequence, publisher: sequence % publishers.count)
                    publisher.send([Outbound.send(destination: destination, body: Outbound.chatBody(stamp))])
                }
            }
        }
        let sendSpan: Double = mode == .paced ? Double(total - 1) / rate : 0
        let expected = subscribed.clients.count * total
        // Done when everything arrived, or nothing new arrived for `drainSeconds` after the last send.
        var lastCount = -1
        var lastProgress = monotonicNanoseconds()
        let sendsEnd = firstSend + UInt64(sendSpan * 1e9)
        while true {
            let count = collector.delivered
            if count >= expected { break }
            let now = monotonicNanoseconds()
            if count != lastCount {
                lastCount = count
                lastProgress = now
            } else if now > sendsEnd, Double(now - max(lastProgress, sendsEnd)) / 1e9 > drainSeconds {
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
                expected > 0 ? Double(expected - min(delivered, expected)) / Double(expected) * 100 : nil, unit: "%",
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
        ]
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
            ],
            metrics: metrics, latency: outcome.latency.summary, distribution: outcome.latency.distribution(),
            notes: notes)
    }
}

/// Deliveries seen by the subscribers of a fan-out, deduplicated per subscriber and sequence number.
final class FanoutCollector: ClientObserver {
    struct Outcome: Sendable {
        var latency = LatencyRecorder()
        var delivered = 0
        var duplicates = 0
        var lastAt: UInt64 = 0
        var subscribersClosed = 0
        var errors = 0
        var errorCodes: [String: Int] = [:]
    }

    private struct State {
        var outcome = Outcome()
        var seen: [Bool]
        var counting = false
        var finished = false
    }

    let subscribers: Int
    let messages: Int
    private let state: Mutex<State>

    init(subscribers: Int, messages: Int) {
        self.subscribers = subscribers
        self.messages = messages
        self.state = Mutex(State(seen: [Bool](repeating: false, count: subscribers * messages)))
    }

    func start() { state.withLock { $0.counting = true } }

    var delivered: Int { state.withLock { $0.outcome.delivered } }

    func finish() -> Outcome {
        state.withLock { state in
            state.finished = true
            return state.outcome
        }
    }

    func message(client: Int, frame: Frame, at: UInt64) {
        guard frame.command == .message || frame.command == .error else { return }
        if client >= subscribers || frame.command == .error {
            let code =
                frame.command == .error
                ? "STOMP ERROR"
                : ServerEvent(json: frame.body).flatMap { event in
                    event.type == "error" ? event.code ?? "error" : nil
                }
            guard let code else { return }
            state.withLock { state in
                state.outcome.errors += 1
                state.outcome.errorCodes[code, default: 0] += 1
            }
            return
        }
        guard let stamp = Stamp.find(in: frame.body), stamp.sequence < messages else { return }
        let slot = client * messages + stamp.sequence
        state.withLock { state in
            guard state.counting, !state.finished else { return }
            if state.seen[slot] {
                state.outcome.duplicates += 1
                return
            }
            state.seen[slot] = true
            state.outcome.delivered += 1
            state.outcome.latency.record(nanoseconds: at > stamp.sentAt ? at - stamp.sentAt : 0)
            state.outcome.lastAt = max(state.outcome.lastAt, at)
        }
    }

    func closed(client: Int, at: UInt64) {
        guard client < subscribers else { return }
        state.withLock { state in
            if state.counting && !state.finished { state.outcome.subscribersClosed += 1 }
        }
    }
}
