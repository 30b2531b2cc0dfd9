import NIOCore
import STOMP
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `connect --real-clients`: N sessions connect at once and each behaves like the terminal client:
/// SUBSCRIBE `/topic/chat` (id `chat`), `/topic/presence` (id `presence`), `/user/queue/reply`
/// (id `reply`), SEND its identity, and keep its own member list: the `welcome`'s list, then every
/// presence event after it on top (events before its welcome are superseded by it). The storm is
/// over when every client's list holds exactly the N users, or at the deadline.
///
/// Measured: time until every list is exact, connects/s over that time, server CPU per connect,
/// server RSS per idle identified session once the storm settled, and how many lists were exact.
public struct RealClientStormScenario: Sendable {
    public var sessions: Int
    public var idleSeconds: Int
    /// Gives up this long after the first connect.
    public var deadlineSeconds: Int

    public static let scenarioName = "connect-real"

    public init(sessions: Int, idleSeconds: Int, deadlineSeconds: Int) {
        self.sessions = sessions
        self.idleSeconds = idleSeconds
        self.deadlineSeconds = deadlineSeconds
    }

    public func title(concurrency: Int) -> String {
        connectTitle(Self.scenarioName, sessions: sessions, concurrency: concurrency)
    }

    /// Why the storm cannot run against a peer without identity, presence or private replies.
    public static let notApplicableReason =
        "no /app/identity, no /topic/presence and no welcome at this peer: there is no member list to keep, "
        + "so a real-client storm cannot be run (the chat-only connect row is the comparable one)"

    public func run(setup: BenchSetup, group: any EventLoopGroup) async -> ScenarioResult {
        let title = title(concurrency: setup.concurrency)
        let parameters = [
            "sessions": "\(sessions)", "idle_s": "\(idleSeconds)", "deadline_s": "\(deadlineSeconds)",
            "concurrency": "\(setup.concurrency)",
        ]
        guard setup.identityDestination != nil, let presenceTopic = setup.presenceTopic,
            let replyDestination = setup.replyDestination
        else {
            return ScenarioResult(
                scenario: Self.scenarioName, title: title, peer: setup.peer, transport: setup.transportName,
                parameters: parameters, notApplicable: Self.notApplicableReason)
        }
        let names = RunNames(prefix: "rs-\(runTag())-", count: sessions)
        let observer = RealClientObserver(names: names)
        await sleep(milliseconds: 300)
        let baseline = setup.sample()
        let toolBefore = toolCPUSeconds()
        let counter = ReadyCounter()
        let sampler = RSSSampler()
        if let baseline { sampler.append([0, Double(baseline.rssKiB)]) }
        let monitor = sampler.monitor(counter, of: sessions, setup: setup)
        let started = monotonicNanoseconds()
        let deadline = started + UInt64(deadlineSeconds) * 1_000_000_000
        let opened = await openMany(
            count: sessions, subscriptions: [setup.chatTopic, presenceTopic, replyDestination],
            subscriptionIDs: ["chat", "presence", "reply"], names: { names.name($0) }, setup: setup, group: group,
            observer: observer, counter: counter)
        let identified = opened.clients.map(\.info.readyAt).max() ?? monotonicNanoseconds()
        sampler.stop()
        await monitor.value

        // Wait until every list is exact: counts first (cheap), then the sets.
        let ready = opened.clients.map(\.index)
        var expected = [UInt64](repeating: 0, count: names.words)
        for index in ready { expected[index >> 6] |= 1 << UInt64(index & 63) }
        var complete = false
        while !ready.isEmpty {
            if observer.allCounts(of: ready, equal: ready.count)
                && observer.exactCount(of: ready, expected: expected) == ready.count
            {
                complete = true
                break
            }
            if monotonicNanoseconds() >= deadline { break }
            await sleep(milliseconds: 20)
        }
        let afterStorm = setup.sample()
        let toolAfter = toolCPUSeconds()
        let outcome = observer.outcome(of: ready, expected: expected)

        await sleep(milliseconds: idleSeconds * 1_000)
        let idle = setup.sample()
        if let idle { sampler.append([Double(ready.count), Double(idle.rssKiB)]) }
        observer.beginClosing()
        for client in opened.clients { client.closeAbruptly() }
        await sleep(milliseconds: 500)

        var handshakes = LatencyRecorder()
        for client in opened.clients { handshakes.record(nanoseconds: client.info.readyAt - client.info.startedAt) }
        // The last change that made a list exact (receipts of the identities may come later).
        let completeSeconds: Double? = complete ? Double(outcome.lastChangeAt - started) / 1e9 : nil
        let serverCPU: Double? =
            if let baseline, let afterStorm { afterStorm.cpuSeconds - baseline.cpuSeconds } else { nil }
        let targets = setup.targetsApply
        let mib = 1024.0 * 1024.0
        var metrics = [
            Metric("sessions_ready", "sessions ready", Double(ready.count), better: .higherIsBetter),
            Metric("failures", "failed handshakes", Double(opened.failures), better: .lowerIsBetter),
            Metric(
                "lists_exact", "member lists exact", Double(outcome.exact), better: .higherIsBetter,
                target: targets ? .equal(Double(sessions)) : nil),
            Metric(
                "complete_s", "time until every list is exact", completeSeconds, unit: "s", better: .lowerIsBetter),
            Metric(
                "connect_rate", "connect rate (until every list is exact)",
                completeSeconds.map { $0 > 0 ? Double(ready.count) / $0 : 0 }, unit: "sessions/s",
                better: .higherIsBetter),
            Metric(
                "ramp_s", "time until all identified", Double(identified - started) / 1e9, unit: "s",
                better: .lowerIsBetter),
        ]
        metrics += latencyMetrics(handshakes, prefix: "handshake", words: "handshake")
        metrics += footprintMetrics(
            baseline: baseline, idle: idle, cpuSeconds: serverCPU, sessions: ready.count, idleWords: "settled",
            targets: targets)
        metrics += [
            Metric("presence_messages", "presence MESSAGEs received", Double(outcome.presenceMessages)),
            Metric("presence_batches", "… of them batches (the rest bare events)", Double(outcome.presenceBatches)),
            Metric("presence_events", "presence events received", Double(outcome.presenceEvents)),
            Metric(
                "events_per_message", "events per presence MESSAGE",
                outcome.presenceMessages > 0 ? Double(outcome.presenceEvents) / Double(outcome.presenceMessages) : nil
            ),
            Metric("presence_mib", "presence JSON received", Double(outcome.presenceBytes) / mib, unit: "MiB"),
            Metric("welcome_mib", "welcome JSON received", Double(outcome.welcomeBytes) / mib, unit: "MiB"),
            Metric("superseded", "events before the welcome (superseded)", Double(outcome.superseded)),
            Metric(
                "inconsistent", "events contradicting the list", Double(outcome.inconsistent), better: .lowerIsBetter,
                target: targets ? .equal(0) : nil),
            Metric(
                "dropped", "closed by server", Double(outcome.closedByServer), better: .lowerIsBetter,
                target: targets ? .equal(0) : nil),
            Metric("tool_cpu_s", "lobby-bench CPU time", toolAfter - toolBefore, unit: "s"),
        ]
        if outcome.unreadable > 0 {
            metrics.append(
                Metric("unreadable", "unreadable presence bodies", Double(outcome.unreadable), better: .lowerIsBetter))
        }
        if outcome.replyErrors > 0 {
            metrics.append(
                Metric("reply_errors", "errors on the reply queue", Double(outcome.replyErrors), better: .lowerIsBetter)
            )
        }
        var notes: [String] = []
        if let error = opened.firstError { notes.append("first handshake failure: \(error)") }
        if let code = outcome.firstErrorCode { notes.append("first error on the reply queue: \(code)") }
        if !complete && !ready.isEmpty {
            notes.append(
                "not every list was exact after \(deadlineSeconds) s: \(outcome.exact) of \(ready.count) exact, "
                    + "\(outcome.welcomed) welcomed, the shortest list held \(outcome.shortest) of \(ready.count) users"
                    + (outcome.withForeign > 0 ? ", \(outcome.withForeign) lists held users of no session here" : ""))
        }
        if setup.serverPID == nil { notes.append("no --server-pid: RSS and CPU not measured") }
        return ScenarioResult(
            scenario: Self.scenarioName, title: title, peer: setup.peer, transport: setup.transportName,
            parameters: parameters, metrics: metrics, latency: handshakes.summary,
            distribution: handshakes.distribution(), rssSamples: sampler.points, notes: notes)
    }
}

/// The names of one run, `PREFIX0` … `PREFIX(N-1)`, recognised from their bytes without making
/// a string, so a member list can be a bit set.
struct RunNames: Sendable {
    let prefix: [UInt8]
    let count: Int

    init(prefix: String, count: Int) {
        self.prefix = Array(prefix.utf8)
        self.count = count
    }

    var words: Int { (count + 63) / 64 }

    func name(_ index: Int) -> String { String(decoding: prefix, as: UTF8.self) + "\(index)" }

    /// The index of a run name, or nil for any other name.
    func index(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let digits = bytes.count - prefix.count
        guard digits >= 1, digits <= 9 else { return nil }
        for offset in 0..<prefix.count where bytes[offset] != prefix[offset] { return nil }
        if digits > 1 && bytes[prefix.count] == UInt8(ascii: "0") { return nil }
        var value = 0
        for offset in prefix.count..<bytes.count {
            let digit = Int(bytes[offset]) - 0x30
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
        }
        return value < count ? value : nil
    }
}

/// One real client's member list and what it received. Touched by its session's event loop and,
/// between polls, by the scenario.
final class MemberBook: Sendable {
    struct State {
        var welcomed = false
        /// The run's users listed, as bits by index.
        var bits: [UInt64] = []
        var count = 0
        /// Listed users that are not of this run.
        var foreign: Set<String> = []
        var lastChangeAt: UInt64 = 0
        var superseded = 0
        var inconsistent = 0
        var presenceMessages = 0
        /// Of `presenceMessages`, those that were `{"type":"batch",…}` (the rest: bare events).
        var presenceBatches = 0
        var presenceEvents = 0
        var presenceBytes = 0
        var welcomeBytes = 0
        var unreadable = 0
        var replyErrors = 0
        var firstErrorCode: String?
        var closedByServer = false
    }

    let state = Mutex(State())

    /// A `/topic/presence` body: ignored before the welcome (which supersedes it), applied after.
    func presence(_ bytes: UnsafeBufferPointer<UInt8>, at: UInt64, names: RunNames) {
        let scan = LobbyJSON.presence(bytes)
        state.withLock { state in
            state.presenceMessages += 1
            state.presenceBytes += bytes.count
            guard let scan else {
                state.unreadable += 1
                return
            }
            state.presenceEvents += scan.events.count
            if scan.isBatch { state.presenceBatches += 1 }
            guard state.welcomed else {
                state.superseded += scan.events.count
                return
            }
            for event in scan.events where event.kind != .other {
                guard let user = event.user else {
                    state.unreadable += 1
                    continue
                }
                let consistent = user.withBytes(in: bytes) { name in
                    Self.apply(join: event.kind == .join, name: name, names: names, to: &state)
                }
                if !consistent { state.inconsistent += 1 }
            }
            state.lastChangeAt = at
        }
    }

    /// A `/user/queue/reply` body: a `welcome` replaces the list; an `error` is counted.
    func reply(_ bytes: UnsafeBufferPointer<UInt8>, at: UInt64, names: RunNames) {
        guard let scan = LobbyJSON.reply(bytes), let type = scan.type else {
            state.withLock { $0.unreadable += 1 }
            return
        }
        if type.equals("welcome", in: bytes) {
            state.withLock { state in
                state.welcomeBytes += bytes.count
                state.bits = [UInt64](repeating: 0, count: names.words)
                state.count = 0
                state.foreign = []
                for member in scan.members {
                    let fresh = member.withBytes(in: bytes) { name in
                        Self.apply(join: true, name: name, names: names, to: &state)
                    }
                    // The same user listed twice.
                    if !fresh { state.inconsistent += 1 }
                }
                state.welcomed = true
                state.lastChangeAt = at
            }
        } else if type.equals("error", in: bytes) {
            let code = scan.code?.string(in: bytes) ?? "error"
            state.withLock { state in
                state.replyErrors += 1
                if state.firstErrorCode == nil { state.firstErrorCode = code }
            }
        }
    }

    /// Adds or removes a user; false when the list already said otherwise (a join of a listed
    /// user, a leave of an unlisted one).
    private static func apply(
        join: Bool, name: UnsafeBufferPointer<UInt8>, names: RunNames, to state: inout State
    ) -> Bool {
        if let index = names.index(of: name) {
            let word = index >> 6
            let bit: UInt64 = 1 << UInt64(index & 63)
            let listed = state.bits[word] & bit != 0
            guard listed != join else { return false }
            if join {
                state.bits[word] |= bit
                state.count += 1
            } else {
                state.bits[word] &= ~bit
                state.count -= 1
            }
            return true
        }
        let user = String(decoding: name, as: UTF8.self)
        return join ? state.foreign.insert(user).inserted : state.foreign.remove(user) != nil
    }
}

/// Routes what each real client receives to its `MemberBook` by subscription id: MESSAGE frames
/// unparsed where the transport allows (raw STOMP), as `Frame`s otherwise.
final class RealClientObserver: RawMessageObserver {
    let names: RunNames
    let books: [MemberBook]
    private let closing = Atomic<Bool>(false)

    init(names: RunNames) {
        self.names = names
        self.books = (0..<names.count).map { _ in MemberBook() }
    }

    func message(client: Int, frame: Frame, at: UInt64) {
        guard client < books.count else { return }
        let book = books[client]
        switch frame.command {
        case .message:
            let subscription = Array((frame.headers["subscription"] ?? "").utf8)
            subscription.withUnsafeBufferPointer { subscription in
                frame.body.withUnsafeBufferPointer { body in
                    rawMessage(client: client, subscription: subscription, body: body, at: at)
                }
            }
        case .error:
            book.state.withLock { state in
                state.replyErrors += 1
                if state.firstErrorCode == nil { state.firstErrorCode = "STOMP ERROR" }
            }
        default:
            break
        }
    }

    func rawMessage(
        client: Int, subscription: UnsafeBufferPointer<UInt8>, body: UnsafeBufferPointer<UInt8>, at: UInt64
    ) {
        guard client < books.count else { return }
        if Self.equals(subscription, "presence") {
            books[client].presence(body, at: at, names: names)
        } else if Self.equals(subscription, "reply") {
            books[client].reply(body, at: at, names: names)
        }
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { $0.elementsEqual(bytes) }
    }

    func closed(client: Int, at: UInt64) {
        guard client < books.count, !closing.load(ordering: .relaxed) else { return }
        books[client].state.withLock { $0.closedByServer = true }
    }

    /// From now on closes are the scenario's own.
    func beginClosing() { closing.store(true, ordering: .relaxed) }

    /// Whether every client of `clients` was welcomed and lists `count` users of the run and no other.
    func allCounts(of clients: [Int], equal count: Int) -> Bool {
        clients.allSatisfy { client in
            books[client].state.withLock { $0.welcomed && $0.count == count && $0.foreign.isEmpty }
        }
    }

    /// How many of `clients` list exactly the users in `expected` (bits by index) and no other.
    func exactCount(of clients: [Int], expected: [UInt64]) -> Int {
        clients.reduce(0) { total, client in
            total + (books[client].state.withLock { $0.welcomed && $0.foreign.isEmpty && $0.bits == expected } ? 1 : 0)
        }
    }

    struct Outcome {
        var exact = 0
        var welcomed = 0
        var shortest = 0
        var withForeign = 0
        var lastChangeAt: UInt64 = 0
        var superseded = 0
        var inconsistent = 0
        var presenceMessages = 0
        var presenceBatches = 0
        var presenceEvents = 0
        var presenceBytes = 0
        var welcomeBytes = 0
        var unreadable = 0
        var replyErrors = 0
        var firstErrorCode: String?
        var closedByServer = 0
    }

    /// Sums what `clients` received, and how their lists compare with `expected`.
    func outcome(of clients: [Int], expected: [UInt64]) -> Outcome {
        var outcome = Outcome()
        outcome.shortest = clients.isEmpty ? 0 : Int.max
        for client in clients {
            books[client].state.withLock { state in
                let exact = state.welcomed && state.foreign.isEmpty && state.bits == expected
                if exact {
                    outcome.exact += 1
                    outcome.lastChangeAt = max(outcome.lastChangeAt, state.lastChangeAt)
                }
                if state.welcomed { outcome.welcomed += 1 }
                if !state.foreign.isEmpty { outcome.withForeign += 1 }
                outcome.shortest = min(outcome.shortest, state.welcomed ? state.count + state.foreign.count : 0)
                outcome.superseded += state.superseded
                outcome.inconsistent += state.inconsistent
                outcome.presenceMessages += state.presenceMessages
                outcome.presenceBatches += state.presenceBatches
                outcome.presenceEvents += state.presenceEvents
                outcome.presenceBytes += state.presenceBytes
                outcome.welcomeBytes += state.welcomeBytes
                outcome.unreadable += state.unreadable
                outcome.replyErrors += state.replyErrors
                if outcome.firstErrorCode == nil { outcome.firstErrorCode = state.firstErrorCode }
                if state.closedByServer { outcome.closedByServer += 1 }
            }
        }
        return outcome
    }
}

/// The benchmark process's own CPU time (user + system), in seconds.
func toolCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
