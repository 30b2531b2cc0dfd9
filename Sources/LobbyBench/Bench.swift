import NIOCore
import NIOPosix
import STOMP
import Synchronization

/// Everything a scenario needs to know about the peer under test.
public struct BenchSetup: Sendable {
    /// Connection options every session starts from.
    public var client: ClientOptions
    /// The server process, for RSS and CPU time from /proc; nil leaves those metrics empty.
    public var serverPID: Int32?
    /// `lobby`, `rabbitmq`, …: a label, and whether issue 5's targets apply (`lobby` only).
    public var peer: String
    /// Where the identity goes; nil for peers without identity.
    public var identityDestination: String?
    /// Where publishers SEND chat messages.
    public var chatDestination: String
    /// What subscribers SUBSCRIBE to for chat.
    public var chatTopic: String
    /// Presence events; nil for peers without presence (leave/frozen/storm then watch /proc/net/tcp).
    public var presenceTopic: String?
    /// Private replies (Lobby's errors), subscribed by publishers; nil for none.
    public var replyDestination: String?
    /// WebSocket handshakes in flight at once.
    public var concurrency: Int
    /// Local addresses to spread sessions over (one 127.0.0.1 gives ~28 000 ports per destination).
    public var sourceAddresses: [String]
    /// The options a `hold` child needs to reach the same peer the same way.
    public var childArguments: [String]
    /// Another node of the same lobby (several nodes on one database): fan-out publishers and
    /// the storm's observer connect there, so what they measure crosses nodes.
    public var otherNode: ClientOptions?

    /// The setup of sessions that go to the other node (the same one when there is none).
    public var onOtherNode: BenchSetup {
        var setup = self
        if let otherNode { setup.client = otherNode }
        return setup
    }

    public var targetsApply: Bool { peer == "lobby" }
    public var transportName: String { client.endpoint.sockJS ? "sockjs" : "raw" }

    public init(client: ClientOptions, peer: String, chatDestination: String, chatTopic: String) {
        self.client = client
        self.peer = peer
        self.chatDestination = chatDestination
        self.chatTopic = chatTopic
        self.concurrency = defaultConcurrency
        self.sourceAddresses = []
        self.childArguments = []
    }

    public func sample() -> ProcessSample? {
        serverPID.flatMap(ProcStats.sample(pid:))
    }

    /// Client options for sessions subscribing to `subscriptions`, identified when the peer has identity.
    func options(
        subscriptions: [String], subscriptionIDs: [String] = [], index: Int, heartBeat: HeartBeat? = nil
    ) -> ClientOptions {
        var options = client
        options.subscriptions = subscriptions
        options.subscriptionIDs = subscriptionIDs
        options.identityDestination = identityDestination
        if let heartBeat { options.heartBeat = heartBeat }
        if !sourceAddresses.isEmpty {
            options.sourceAddress = sourceAddresses[index % sourceAddresses.count]
        }
        return options
    }
}

/// The outcome of opening many sessions.
public struct OpenedSessions: Sendable {
    public var clients: [BenchClient]
    public var failures: Int
    public var firstError: String?
}

/// Counts sessions that became ready, for progress sampling.
final class ReadyCounter: Sendable {
    private let value = Atomic<Int>(0)
    func increment() { value.add(1, ordering: .relaxed) }
    var count: Int { value.load(ordering: .relaxed) }
}

/// Opens `count` sessions, at most `setup.concurrency` handshakes at a time.
func openMany(
    count: Int, firstIndex: Int = 0, subscriptions: [String], subscriptionIDs: [String] = [],
    names: @escaping @Sendable (Int) -> String?, setup: BenchSetup, group: any EventLoopGroup,
    observer: any ClientObserver, counter: ReadyCounter? = nil, heartBeat: HeartBeat? = nil
) async -> OpenedSessions {
    var opened = OpenedSessions(clients: [], failures: 0, firstError: nil)
    opened.clients.reserveCapacity(count)
    await withTaskGroup(of: Result<BenchClient, any Error>.self) { tasks in
        var next = 0
        func add(_ offset: Int) {
            let index = firstIndex + offset
            let options = setup.options(
                subscriptions: subscriptions, subscriptionIDs: subscriptionIDs, index: index, heartBeat: heartBeat)
            tasks.addTask {
                do {
                    let client = try await BenchClient.open(
                        index: index, name: names(index), options: options, group: group, observer: observer)
                    counter?.increment()
                    return .success(client)
                } catch {
                    return .failure(error)
                }
            }
        }
        while next < min(count, max(1, setup.concurrency)) {
            add(next)
            next += 1
        }
        for await result in tasks {
            switch result {
            case .success(let client):
                opened.clients.append(client)
            case .failure(let error):
                opened.failures += 1
                if opened.firstError == nil { opened.firstError = "\(error)" }
            }
            if next < count {
                add(next)
                next += 1
            }
        }
    }
    opened.clients.sort { $0.index < $1.index }
    return opened
}

/// Polls `condition` every `pollMicroseconds` until it holds or `timeoutMilliseconds` pass.
@discardableResult
func waitUntil(timeoutMilliseconds: Int, pollMicroseconds: Int = 1_000, _ condition: () -> Bool) async -> Bool {
    let deadline = monotonicNanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
    while !condition() {
        if monotonicNanoseconds() >= deadline { return false }
        try? await Task.sleep(for: .microseconds(pollMicroseconds))
    }
    return true
}

func sleep(milliseconds: Int) async {
    try? await Task.sleep(for: .milliseconds(milliseconds))
}

/// Ignores everything: for sessions that are only there to be counted.
struct IgnoringObserver: ClientObserver {
    func message(client: Int, frame: Frame, at: UInt64) {}
    func closed(client: Int, at: UInt64) {}
}

/// Counts sessions that the server closed.
final class ClosingObserver: ClientObserver {
    private let state = Mutex((closed: 0, closing: false))

    func message(client: Int, frame: Frame, at: UInt64) {}

    func closed(client: Int, at: UInt64) {
        state.withLock { state in
            if !state.closing { state.closed += 1 }
        }
    }

    /// From now on closes are ours, not the server's.
    func beginClosing() { state.withLock { $0.closing = true } }

    var closedByServer: Int { state.withLock { $0.closed } }
}

/// Presence events seen by one observer session, with their arrival times. A body may carry one
/// event or a batch of them (`{"type":"batch","events":[…]}`); every event of a batch counts as
/// seen when the batch arrived.
final class PresenceCollector: ClientObserver {
    struct Leave: Sendable {
        var at: UInt64
        var reason: String?
    }

    private struct State {
        var joins: [String: UInt64] = [:]
        var leaves: [String: [Leave]] = [:]
    }

    let observerIndex: Int
    private let state = Mutex(State())

    init(observerIndex: Int) {
        self.observerIndex = observerIndex
    }

    func message(client: Int, frame: Frame, at: UInt64) {
        guard client == observerIndex, frame.command == .message, let events = PresenceChange.all(in: frame.body),
            !events.isEmpty
        else { return }
        state.withLock { state in
            for event in events {
                switch event.kind {
                case .join: state.joins[event.user] = at
                case .leave: state.leaves[event.user, default: []].append(Leave(at: at, reason: event.reason))
                case .other: break
                }
            }
        }
    }

    func closed(client: Int, at: UInt64) {}

    func joined(_ users: [String]) -> Int {
        state.withLock { state in users.reduce(0) { $0 + (state.joins[$1] != nil ? 1 : 0) } }
    }

    func leaves(of user: String) -> [Leave] {
        state.withLock { $0.leaves[user] ?? [] }
    }

    func leaveCount(_ users: [String]) -> Int {
        state.withLock { state in users.reduce(0) { $0 + (state.leaves[$1]?.isEmpty == false ? 1 : 0) } }
    }

    /// Of `users`: first leave of each (nil if none), and how many extra leaves were seen.
    func leaves(for users: [String]) -> (first: [Leave?], duplicates: Int) {
        state.withLock { state in
            var duplicates = 0
            let first = users.map { user -> Leave? in
                let seen = state.leaves[user] ?? []
                duplicates += max(0, seen.count - 1)
                return seen.first
            }
            return (first, duplicates)
        }
    }
}

/// The default number of handshakes in flight (`--concurrency`).
let defaultConcurrency = 128

/// A connect scenario's title: `NAME N=…`, plus the handshakes in flight when not the default
/// (rows that differ in it must not be matched with each other).
func connectTitle(_ name: String, sessions: Int, concurrency: Int) -> String {
    "\(name) N=\(sessions)" + (concurrency == defaultConcurrency ? "" : " C=\(concurrency)")
}

/// Six random characters, to keep names of one run apart from another's.
func runTag() -> String {
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    return String((0..<6).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
}

/// The server-footprint rows of a connect scenario: RSS before and after (`idleWords` names the
/// moment), RSS per session (issue 5's 8 KiB target), CPU per connect and in all.
///
/// - Parameter cpuSeconds: The server's CPU time while the `sessions` connected.
func footprintMetrics(
    baseline: ProcessSample?, idle: ProcessSample?, cpuSeconds: Double?, sessions: Int, idleWords: String,
    targets: Bool
) -> [Metric] {
    let perSession: Double? =
        if let baseline, let idle, sessions > 0 { Double(idle.rssKiB - baseline.rssKiB) / Double(sessions) } else {
            nil
        }
    return [
        Metric(
            "rss_baseline_mib", "server RSS before", baseline.map { Double($0.rssKiB) / 1024 }, unit: "MiB",
            better: .lowerIsBetter),
        Metric(
            "rss_idle_mib", "server RSS, \(idleWords)", idle.map { Double($0.rssKiB) / 1024 }, unit: "MiB",
            better: .lowerIsBetter),
        Metric(
            "rss_per_session_kib", "server RSS per session", perSession, unit: "KiB", better: .lowerIsBetter,
            target: targets ? .atMost(8) : nil),
        Metric(
            "cpu_per_connect_us", "server CPU per connect",
            cpuSeconds.map { sessions > 0 ? $0 / Double(sessions) * 1e6 : 0 }, unit: "µs", better: .lowerIsBetter),
        Metric("server_cpu_s", "server CPU time", cpuSeconds, unit: "s", better: .lowerIsBetter),
    ]
}

/// Adds the standard latency metrics (ms) of `recorder` to `metrics`.
func latencyMetrics(
    _ recorder: LatencyRecorder, prefix: String, words: String, p99Target: Target? = nil, maxTarget: Target? = nil
) -> [Metric] {
    let summary = recorder.summary
    return [
        Metric("\(prefix)_p50_ms", "\(words) p50", summary?.p50, unit: "ms", better: .lowerIsBetter),
        Metric("\(prefix)_p99_ms", "\(words) p99", summary?.p99, unit: "ms", better: .lowerIsBetter, target: p99Target),
        Metric("\(prefix)_max_ms", "\(words) max", summary?.max, unit: "ms", better: .lowerIsBetter, target: maxTarget),
    ]
}
