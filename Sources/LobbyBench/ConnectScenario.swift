import NIOCore
import Synchronization

/// `connect`: N sessions (CONNECT, SUBSCRIBE, identity), time until all are ready, then idle;
/// server RSS per session and connect rate.
public struct ConnectScenario: Sendable {
    public var sessions: Int
    public var idleSeconds: Int
    /// Destinations each session subscribes to; empty means the chat topic.
    public var subscriptions: [String]

    public init(sessions: Int, idleSeconds: Int, subscriptions: [String]) {
        self.sessions = sessions
        self.idleSeconds = idleSeconds
        self.subscriptions = subscriptions
    }

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        let subscriptions = subscriptions.isEmpty ? [setup.chatTopic] : subscriptions
        let tag = runTag()
        await sleep(milliseconds: 300)
        let baseline = setup.sample()
        let counter = ReadyCounter()
        let observer = ClosingObserver()
        let sampler = RSSSampler()
        if let baseline { sampler.append([0, Double(baseline.rssKiB)]) }
        let monitor = sampler.monitor(counter, of: sessions, setup: setup)
        let started = monotonicNanoseconds()
        let opened = await openMany(
            count: sessions, subscriptions: subscriptions, names: { "c\($0)-\(tag)" }, setup: setup, group: group,
            observer: observer, counter: counter)
        let finished = opened.clients.map(\.info.readyAt).max() ?? monotonicNanoseconds()
        let afterRamp = setup.sample()
        sampler.stop()
        await monitor.value

        var handshakes = LatencyRecorder()
        for client in opened.clients { handshakes.record(nanoseconds: client.info.readyAt - client.info.startedAt) }
        let ready = opened.clients.count
        let rampSeconds = Double(finished - started) / 1e9

        await sleep(milliseconds: idleSeconds * 1_000)
        let idle = setup.sample()
        if let idle { sampler.append([Double(ready), Double(idle.rssKiB)]) }
        let droppedWhileIdle = observer.closedByServer

        observer.beginClosing()
        for client in opened.clients { client.closeAbruptly() }
        await sleep(milliseconds: 500)

        let rampCPU: Double? =
            if let baseline, let afterRamp { afterRamp.cpuSeconds - baseline.cpuSeconds } else { nil }
        let targets = setup.targetsApply
        var metrics = [
            Metric("sessions_ready", "sessions ready", Double(ready), better: .higherIsBetter),
            Metric("failures", "failed handshakes", Double(opened.failures), better: .lowerIsBetter),
            Metric(
                "connect_rate", "connect rate", rampSeconds > 0 ? Double(ready) / rampSeconds : nil, unit: "sessions/s",
                better: .higherIsBetter, ratioTarget: targets ? .atLeast(10) : nil),
            Metric("ramp_s", "time until all ready", rampSeconds, unit: "s", better: .lowerIsBetter),
        ]
        metrics += latencyMetrics(handshakes, prefix: "handshake", words: "handshake")
        metrics += footprintMetrics(
            baseline: baseline, idle: idle, cpuSeconds: rampCPU, sessions: ready, idleWords: "all idle",
            targets: targets)
        metrics += [
            Metric(
                "dropped_idle", "closed by server while idle", Double(droppedWhileIdle), better: .lowerIsBetter)
        ]
        var notes: [String] = []
        if let error = opened.firstError { notes.append("first handshake failure: \(error)") }
        if setup.serverPID == nil { notes.append("no --server-pid: RSS and CPU not measured") }
        return ScenarioResult(
            scenario: "connect", title: connectTitle("connect", sessions: sessions, concurrency: setup.concurrency),
            peer: setup.peer, transport: setup.transportName,
            parameters: [
                "sessions": "\(sessions)", "idle_s": "\(idleSeconds)",
                "subscriptions": subscriptions.joined(separator: ","),
                "identity": setup.identityDestination == nil ? "no" : "yes", "concurrency": "\(setup.concurrency)",
            ],
            metrics: metrics, latency: handshakes.summary, distribution: handshakes.distribution(),
            rssSamples: sampler.points, notes: notes)
    }
}

/// `[sessions, RSS KiB]` points taken while sessions connect.
final class RSSSampler: Sendable {
    private let samples = Mutex<[[Double]]>([])
    private let running = Atomic<Bool>(true)

    var isRunning: Bool { running.load(ordering: .relaxed) }
    func stop() { running.store(false, ordering: .relaxed) }
    func append(_ point: [Double]) { samples.withLock { $0.append(point) } }
    var lastSessions: Int { samples.withLock { Int($0.last?.first ?? 0) } }
    var points: [[Double]] { samples.withLock { $0 } }

    /// Samples the server's RSS against the ready sessions every 250 ms until `stop()`: about
    /// 50 points over the ramp, whatever its length.
    func monitor(_ counter: ReadyCounter, of sessions: Int, setup: BenchSetup) -> Task<Void, Never> {
        Task {
            while isRunning {
                try? await Task.sleep(for: .milliseconds(250))
                let ready = counter.count
                if ready - lastSessions >= max(1, sessions / 50), let sample = setup.sample() {
                    append([Double(ready), Double(sample.rssKiB)])
                }
            }
        }
    }
}
