import NIOCore
import STOMP

#if canImport(Glibc)
    import Glibc
#endif

/// How the end of a session is seen: a presence `leave` on an observer session, or, for peers
/// without presence, the server closing its side of the socket: the socket leaving the server
/// process's fd table (`/proc/PID/fd`, inodes from /proc/net/tcp), or without a server PID its
/// TCP state in /proc/net/tcp.
enum LeaveWatch {
    case presence(PresenceCollector, observer: BenchClient)
    case socket(serverPort: Int, serverPID: Int32?)

    static let procNote =
        "no presence events at this peer: time until the server closed the socket (/proc/PID/fd, /proc/net/tcp)"

    /// Opens the observer session (presence mode), or nothing (socket mode).
    static func make(setup: BenchSetup, group: any EventLoopGroup, index: Int) async throws -> LeaveWatch {
        guard let topic = setup.presenceTopic else {
            return .socket(serverPort: setup.client.endpoint.port, serverPID: setup.serverPID)
        }
        let collector = PresenceCollector(observerIndex: index)
        var options = setup.options(subscriptions: [topic], index: index)
        options.identityDestination = nil
        let observer = try await BenchClient.open(
            index: index, name: nil, options: options, group: group, observer: collector)
        return .presence(collector, observer: observer)
    }

    var collector: PresenceCollector? {
        if case .presence(let collector, _) = self { return collector }
        return nil
    }

    func close() {
        if case .presence(_, let observer) = self { observer.closeAbruptly() }
    }

    /// Waits until the observer saw every user join (presence mode only).
    func awaitJoins(_ users: [String], timeoutMilliseconds: Int) async {
        guard let collector else { return }
        await waitUntil(timeoutMilliseconds: timeoutMilliseconds, pollMicroseconds: 5_000) {
            collector.joined(users) == users.count
        }
    }

    /// What to watch, found before the sessions are dropped: the server-side socket inode of each
    /// client port (socket mode with a server PID); empty otherwise.
    func prepare(ports: [Int]) -> [Int: UInt64] {
        guard case .socket(let serverPort, .some) = self else { return [:] }
        return ProcNet.serverInodes(serverPort: serverPort, clientPorts: Set(ports), rows: ProcNet.rows())
    }

    /// Waits until every session ended (or the timeout) and returns, per session, when its end was
    /// seen and with which reason, plus how many leaves were announced more than once.
    /// `users[i]` and `ports[i]` name the same session; `inodes` comes from `prepare(ports:)`.
    func awaitEnds(
        users: [String], ports: [Int], inodes: [Int: UInt64], timeoutMilliseconds: Int, pollMicroseconds: Int
    ) async -> (ends: [PresenceCollector.Leave?], duplicates: Int) {
        switch self {
        case .presence(let collector, _):
            await waitUntil(timeoutMilliseconds: timeoutMilliseconds, pollMicroseconds: pollMicroseconds) {
                collector.leaveCount(users) == users.count
            }
            let leaves = collector.leaves(for: users)
            return (leaves.first, leaves.duplicates)
        case .socket(let serverPort, let pid):
            var seen: [Int: UInt64] = [:]
            let wanted = Set(ports)
            await waitUntil(timeoutMilliseconds: timeoutMilliseconds, pollMicroseconds: pollMicroseconds) {
                if let pid, !inodes.isEmpty {
                    let open = ProcNet.socketInodes(pid: pid)
                    let now = monotonicNanoseconds()
                    for port in wanted where seen[port] == nil {
                        // A port without an inode was already closed when prepared.
                        guard let inode = inodes[port] else {
                            seen[port] = now
                            continue
                        }
                        if !open.contains(inode) { seen[port] = now }
                    }
                } else {
                    let rows = ProcNet.rows()
                    let now = monotonicNanoseconds()
                    for port in ProcNet.closedByServer(serverPort: serverPort, clientPorts: wanted, rows: rows)
                    where seen[port] == nil {
                        seen[port] = now
                    }
                }
                return seen.count == wanted.count
            }
            return (ports.map { port in seen[port].map { PresenceCollector.Leave(at: $0, reason: nil) } }, 0)
        }
    }
}

/// `leave`: K sessions closed abruptly, one at a time, while an observer listens for their leave.
public struct LeaveScenario: Sendable {
    public enum Kill: String, Sendable, CaseIterable {
        /// The benchmark closes the socket (FIN, no DISCONNECT, no close frame).
        case close
        /// A `hold` child holding the session is SIGKILLed.
        case sigkill
    }

    public var victims: Int
    public var kill: Kill
    public var gapMilliseconds: Int
    public var timeoutMilliseconds: Int

    public init(victims: Int, kill: Kill, gapMilliseconds: Int, timeoutMilliseconds: Int) {
        self.victims = victims
        self.kill = kill
        self.gapMilliseconds = gapMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public var title: String { "leave-\(kill.rawValue) K=\(victims)" }

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        let tag = runTag()
        let watch: LeaveWatch
        do {
            watch = try await LeaveWatch.make(setup: setup, group: group, index: 1_000_000)
        } catch {
            return failed("observer could not connect: \(error)", setup: setup)
        }
        defer { watch.close() }
        let names = (0..<victims).map { "v\($0)-\(tag)" }
        var latency = LatencyRecorder()
        var ends: [PresenceCollector.Leave?] = []
        var duplicates = 0
        var failures = 0
        var notes: [String] = []

        switch kill {
        case .close:
            let opened = await openMany(
                count: victims, subscriptions: [setup.chatTopic], names: { "v\($0)-\(tag)" }, setup: setup,
                group: group, observer: IgnoringObserver())
            failures = opened.failures
            if let error = opened.firstError { notes.append("handshake failure: \(error)") }
            await watch.awaitJoins(opened.clients.map { names[$0.index] }, timeoutMilliseconds: 5_000)
            await sleep(milliseconds: 300)
            for client in opened.clients {
                let port = client.localPort ?? 0
                let inodes = watch.prepare(ports: [port])
                let closedAt = monotonicNanoseconds()
                client.closeAbruptly()
                let seen = await watch.awaitEnds(
                    users: [names[client.index]], ports: [port], inodes: inodes,
                    timeoutMilliseconds: timeoutMilliseconds, pollMicroseconds: 200)
                if let end = seen.ends[0] { latency.record(nanoseconds: end.at > closedAt ? end.at - closedAt : 0) }
                ends.append(seen.ends[0])
                await sleep(milliseconds: gapMilliseconds)
            }
            await sleep(milliseconds: 500)
            duplicates = watch.collector.map { $0.leaves(for: opened.clients.map { names[$0.index] }).duplicates } ?? 0
        case .sigkill:
            var children: [(HoldChild, HoldChild.Report, Int)] = []
            for victim in 0..<victims {
                let child: HoldChild
                do {
                    child = try HoldChild.spawn(
                        arguments: setup.childArguments + ["--sessions", "1", "--name-prefix", "v\(victim)-\(tag)-"])
                } catch {
                    failures += 1
                    if notes.isEmpty { notes.append("hold child failed: \(error)") }
                    continue
                }
                do {
                    let report = try await child.waitUntilReady(timeoutSeconds: 30)
                    if report.ready == 1 {
                        children.append((child, report, victim))
                    } else {
                        failures += 1
                        child.terminate()
                    }
                } catch {
                    failures += 1
                    child.terminate()
                    if notes.isEmpty { notes.append("hold child failed: \(error)") }
                }
            }
            // A child names its one session `<prefix>0`.
            let childNames = children.map { "v\($0.2)-\(tag)-0" }
            await watch.awaitJoins(childNames, timeoutMilliseconds: 5_000)
            await sleep(milliseconds: 300)
            for (position, (child, report, _)) in children.enumerated() {
                let inodes = watch.prepare(ports: report.ports)
                let killedAt = monotonicNanoseconds()
                child.signal(SIGKILL)
                let seen = await watch.awaitEnds(
                    users: [childNames[position]], ports: report.ports, inodes: inodes,
                    timeoutMilliseconds: timeoutMilliseconds, pollMicroseconds: 200)
                if let end = seen.ends[0] { latency.record(nanoseconds: end.at > killedAt ? end.at - killedAt : 0) }
                ends.append(seen.ends[0])
                child.terminate()
                await sleep(milliseconds: gapMilliseconds)
            }
            await sleep(milliseconds: 500)
            duplicates = watch.collector.map { $0.leaves(for: childNames).duplicates } ?? 0
        }

        let seen = ends.compactMap { $0 }
        let wrongReason = seen.filter { $0.reason != nil && $0.reason != "closed" }.count
        if watch.collector == nil { notes.append(LeaveWatch.procNote) }
        var metrics = [
            Metric("victims", "sessions ended", Double(ends.count)),
            Metric("seen", "ends seen", Double(seen.count), better: .higherIsBetter),
            Metric(
                "missing", "ends not seen within \(timeoutMilliseconds) ms", Double(ends.count - seen.count),
                better: .lowerIsBetter),
        ]
        metrics += latencyMetrics(
            latency, prefix: "leave",
            words: (kill == .close ? "close" : "kill") + (watch.collector == nil ? "→server close" : "→leave"),
            p99Target: setup.targetsApply ? .atMost(20) : nil)
        if watch.collector != nil {
            metrics += [
                Metric("duplicates", "leaves announced twice", Double(duplicates), better: .lowerIsBetter),
                Metric("wrong_reason", "reason other than closed", Double(wrongReason), better: .lowerIsBetter),
            ]
        }
        if failures > 0 { metrics.append(Metric("failures", "victims that failed to connect", Double(failures))) }
        return ScenarioResult(
            scenario: "leave-\(kill.rawValue)", title: title, peer: setup.peer, transport: setup.transportName,
            parameters: ["victims": "\(victims)", "kill": kill.rawValue, "gap_ms": "\(gapMilliseconds)"],
            metrics: metrics, latency: latency.summary, distribution: latency.distribution(), notes: notes)
    }

    private func failed(_ note: String, setup: BenchSetup) -> ScenarioResult {
        ScenarioResult(
            scenario: "leave-\(kill.rawValue)", title: title, peer: setup.peer, transport: setup.transportName,
            notes: [note])
    }
}

/// `storm`: N sessions held by child processes, all SIGKILLed at once: time until every leave is
/// seen, and that each is seen exactly once.
public struct StormScenario: Sendable {
    public var sessions: Int
    public var children: Int
    public var deadlineSeconds: Int
    /// Kill the server node holding the sessions, not the processes holding them (several nodes).
    public var killServer: Bool

    public init(sessions: Int, children: Int, deadlineSeconds: Int, killServer: Bool = false) {
        self.sessions = sessions
        self.children = max(1, children)
        self.deadlineSeconds = deadlineSeconds
        self.killServer = killServer
    }

    public var title: String { killServer ? "node-lost N=\(sessions)" : "storm N=\(sessions)" }

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        let tag = runTag()
        var notes: [String] = []
        let watch: LeaveWatch
        do {
            watch = try await LeaveWatch.make(
                setup: killServer ? setup.onOtherNode : setup, group: group, index: 1_000_000)
        } catch {
            return ScenarioResult(
                scenario: killServer ? "node-lost" : "storm", title: title, peer: setup.peer,
                transport: setup.transportName,
                notes: ["observer could not connect: \(error)"])
        }
        defer { watch.close() }
        var held: [(child: HoldChild, report: HoldChild.Report, prefix: String)] = []
        let perChild = (sessions + children - 1) / children
        var remaining = sessions
        for index in 0..<children where remaining > 0 {
            let count = min(perChild, remaining)
            remaining -= count
            let prefix = "s\(index)-\(tag)-"
            do {
                let child = try HoldChild.spawn(
                    arguments: setup.childArguments + ["--sessions", "\(count)", "--name-prefix", prefix])
                do {
                    held.append((child, try await child.waitUntilReady(timeoutSeconds: 300), prefix))
                } catch {
                    child.terminate()
                    throw error
                }
            } catch {
                notes.append("hold child failed: \(error)")
            }
        }
        defer { for entry in held { entry.child.terminate() } }
        let users = held.flatMap { entry in (0..<entry.report.ready).map { "\(entry.prefix)\($0)" } }
        let ports = held.flatMap(\.report.ports)
        let failed = held.reduce(0) { $0 + $1.report.failed }
        await watch.awaitJoins(users, timeoutMilliseconds: 30_000)
        await sleep(milliseconds: 1_000)

        let inodes = watch.prepare(ports: ports)
        let before = setup.sample()
        let killedAt = monotonicNanoseconds()
        if killServer, let node = setup.serverPID {
            kill(node, SIGKILL)
        } else {
            for entry in held { entry.child.signal(SIGKILL) }
        }
        var seen = await watch.awaitEnds(
            users: users, ports: ports, inodes: inodes, timeoutMilliseconds: deadlineSeconds * 1_000,
            pollMicroseconds: 1_000)
        let after = setup.sample()
        // Linger, so a leave announced twice has the time to show up.
        await sleep(milliseconds: 1_000)
        if let collector = watch.collector { seen.duplicates = collector.leaves(for: users).duplicates }

        var latency = LatencyRecorder()
        for end in seen.ends.compactMap({ $0 }) {
            latency.record(nanoseconds: end.at > killedAt ? end.at - killedAt : 0)
        }
        let announced = seen.ends.compactMap { $0 }.count
        let allSeen = announced == users.count && !users.isEmpty
        let lastMs = latency.summary?.max
        if watch.collector == nil { notes.append(LeaveWatch.procNote) }
        let targets = setup.targetsApply
        var metrics = [
            Metric("sessions", "sessions dropped", Double(users.count)),
            Metric("seen", "ends seen", Double(announced), better: .higherIsBetter),
            Metric(
                "missing", "ends not seen in \(deadlineSeconds) s", Double(users.count - announced),
                better: .lowerIsBetter, target: targets ? .equal(0) : nil),
            Metric(
                "all_seen_ms", watch.collector == nil ? "time until all closed" : "time until all announced",
                allSeen ? lastMs : nil, unit: "ms", better: .lowerIsBetter,
                target: targets && !killServer ? .atMost(2_000) : nil),
        ]
        metrics += latencyMetrics(latency, prefix: "end", words: "kill→end seen").dropLast()
        if watch.collector != nil {
            metrics.append(
                Metric(
                    "duplicates", "leaves announced twice", Double(seen.duplicates), better: .lowerIsBetter,
                    target: targets ? .equal(0) : nil))
        }
        metrics.append(
            Metric(
                "server_cpu_s", "server CPU during the storm",
                before.flatMap { b in after.map { $0.cpuSeconds - b.cpuSeconds } }, unit: "s", better: .lowerIsBetter))
        if failed > 0 { metrics.append(Metric("failures", "sessions that failed to connect", Double(failed))) }
        return ScenarioResult(
            scenario: killServer ? "node-lost" : "storm", title: title, peer: setup.peer,
            transport: setup.transportName,
            parameters: ["sessions": "\(sessions)", "children": "\(children)"], metrics: metrics,
            latency: latency.summary, distribution: latency.distribution(), notes: notes)
    }
}

/// `frozen`: a child holding sessions is SIGSTOPped: time until the server declares them dead
/// (`timeout`), against twice the heart-beat.
public struct FrozenScenario: Sendable {
    public var sessions: Int
    /// The heart-beat in ms the server runs with (`--heartbeat-ms`), which the held sessions also offer.
    public var heartBeatMilliseconds: Int
    public var deadlineSeconds: Int

    public init(sessions: Int, heartBeatMilliseconds: Int, deadlineSeconds: Int) {
        self.sessions = sessions
        self.heartBeatMilliseconds = heartBeatMilliseconds
        self.deadlineSeconds = deadlineSeconds
    }

    public var title: String { "frozen K=\(sessions) HB=\(heartBeatMilliseconds)ms" }

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        let tag = runTag()
        var notes: [String] = []
        let watch: LeaveWatch
        do {
            watch = try await LeaveWatch.make(setup: setup, group: group, index: 1_000_000)
        } catch {
            return ScenarioResult(
                scenario: "frozen", title: title, peer: setup.peer, transport: setup.transportName,
                notes: ["observer could not connect: \(error)"])
        }
        defer { watch.close() }
        let prefix = "z-\(tag)-"
        let beat = "\(heartBeatMilliseconds),\(heartBeatMilliseconds)"
        let child: HoldChild
        let report: HoldChild.Report
        do {
            child = try HoldChild.spawn(
                arguments: setup.childArguments + [
                    "--sessions", "\(sessions)", "--name-prefix", prefix, "--heart-beat", beat,
                ])
        } catch {
            return ScenarioResult(
                scenario: "frozen", title: title, peer: setup.peer, transport: setup.transportName,
                notes: ["hold child failed: \(error)"])
        }
        do {
            report = try await child.waitUntilReady(timeoutSeconds: 60)
        } catch {
            child.terminate()
            return ScenarioResult(
                scenario: "frozen", title: title, peer: setup.peer, transport: setup.transportName,
                notes: ["hold child failed: \(error)"])
        }
        defer { child.terminate() }
        let users = (0..<report.ready).map { "\(prefix)\($0)" }
        await watch.awaitJoins(users, timeoutMilliseconds: 10_000)
        // Let heart-beats flow for a while, so the freeze lands at a random point of the cycle.
        await sleep(milliseconds: heartBeatMilliseconds * 3 / 2 + 100)
        let inodes = watch.prepare(ports: report.ports)
        let stoppedAt = monotonicNanoseconds()
        child.signal(SIGSTOP)
        let seen = await watch.awaitEnds(
            users: users, ports: report.ports, inodes: inodes, timeoutMilliseconds: deadlineSeconds * 1_000,
            pollMicroseconds: 1_000)
        var latency = LatencyRecorder()
        for end in seen.ends.compactMap({ $0 }) {
            latency.record(nanoseconds: end.at > stoppedAt ? end.at - stoppedAt : 0)
        }
        let declared = seen.ends.compactMap { $0 }
        let timeouts = declared.filter { $0.reason == "timeout" }.count
        if watch.collector == nil { notes.append(LeaveWatch.procNote) }
        let limit = Double(2 * heartBeatMilliseconds)
        var metrics = [
            Metric("sessions", "sessions frozen", Double(users.count)),
            Metric("declared", "declared dead", Double(declared.count), better: .higherIsBetter),
        ]
        if watch.collector != nil {
            metrics.append(
                Metric(
                    "reason_timeout", "with reason timeout", Double(timeouts), better: .higherIsBetter,
                    target: setup.targetsApply ? .equal(Double(users.count)) : nil))
        }
        metrics += latencyMetrics(
            latency, prefix: "frozen", words: "freeze→dead", maxTarget: setup.targetsApply ? .atMost(limit) : nil)
        return ScenarioResult(
            scenario: "frozen", title: title, peer: setup.peer, transport: setup.transportName,
            parameters: ["sessions": "\(sessions)", "heartbeat_ms": "\(heartBeatMilliseconds)"], metrics: metrics,
            latency: latency.summary, distribution: latency.distribution(), notes: notes)
    }
}
