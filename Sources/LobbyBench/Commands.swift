import ArgumentParser
import NIOCore
import NIOPosix
import STOMP

#if canImport(Glibc)
    import Glibc
#endif

/// `lobby-bench`: load generator and measurements for Lobby and other STOMP-over-WebSocket servers.
public struct LobbyBenchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lobby-bench",
        abstract: "Measure a STOMP-over-WebSocket presence server (Lobby, RabbitMQ Web-STOMP) on loopback.",
        discussion: """
            Each scenario prints a Markdown table and one JSON line, stops by itself, and uses loopback only.
            Lobby: --url http://127.0.0.1:PORT/connection (raw /websocket, or SockJS with --sockjs).
            RabbitMQ Web-STOMP: --url ws://127.0.0.1:15674/ws --peer rabbitmq --login guest --passcode guest
              --identity-destination '' --presence-topic '' --reply-destination ''
              --chat-destination /topic/bench --chat-topic /topic/bench
            """,
        subcommands: [
            ConnectCommand.self, FanoutCommand.self, LeaveCommand.self, StormCommand.self, FrozenCommand.self,
            HoldCommand.self, ReportCommand.self, CompareCommand.self,
        ])

    public init() {}

    /// Parses the command line and runs the subcommand (the executable's whole `main.swift`).
    public static func start() async {
        let main: () async -> Void = main
        await main()
    }
}

/// How to reach the peer, shared by every scenario.
public struct PeerOptions: ParsableArguments, Sendable {
    @Option(
        help:
            "Server URL: http://HOST:PORT/connection (Lobby) or a ws:// URL opened as given (RabbitMQ: ws://HOST:PORT/ws)."
    )
    public var url: String

    @Flag(help: "Use the SockJS WebSocket transport ({url}/{server}/{session}/websocket) instead of raw STOMP.")
    public var sockjs = false

    @Option(help: "Peer label in reports; issue 5's targets are checked for `lobby` only.")
    public var peer = "lobby"

    @Option(help: "STOMP login.")
    public var login: String?

    @Option(help: "STOMP passcode.")
    public var passcode: String?

    @Option(help: "STOMP host header (RabbitMQ: the virtual host).")
    public var vhost = "/"

    @Option(name: .customLong("server-pid"), help: "Server process id, for RSS and CPU time from /proc.")
    public var serverPID: Int32?

    @Option(help: "Identity destination; empty for peers without identity.")
    public var identityDestination = "/app/identity"

    @Option(help: "Destination publishers SEND chat messages to.")
    public var chatDestination = "/app/chat"

    @Option(help: "Destination subscribers SUBSCRIBE to for chat.")
    public var chatTopic = "/topic/chat"

    @Option(help: "Presence topic; empty for peers without presence (ends are then seen in /proc/net/tcp).")
    public var presenceTopic = "/topic/presence"

    @Option(help: "Private reply destination publishers subscribe to (errors); empty for none.")
    public var replyDestination = "/user/queue/reply"

    @Option(help: "Client heart-beat offer cx,cy in ms (0,0: none; the tool still answers WebSocket pings).")
    public var heartBeat = "0,0"

    @Option(help: "WebSocket handshakes in flight at once (with identity: until its receipt).")
    public var concurrency = defaultConcurrency

    @Option(
        name: .customLong("source-ips"),
        help: "Spread sessions over 127.0.0.1 … 127.0.0.N as source addresses (more ephemeral ports).")
    public var sourceIPs = 1

    @Option(help: "Event-loop threads of the tool.")
    public var threads = 2

    @Option(help: "Append the JSON line to this file.")
    public var jsonOut: String?

    @Option(
        name: .customLong("other-url"),
        help:
            "Another node of the same lobby (same form as --url): fanout publishers and the storm's observer connect there."
    )
    public var otherURL: String?

    public init() {}

    public func validate() throws {
        do {
            _ = try Endpoint(url: url, sockJS: sockjs)
            if let otherURL { _ = try Endpoint(url: otherURL, sockJS: sockjs) }
        } catch { throw ValidationError(error.description) }
        guard (try? HeartBeat(header: heartBeat)) != nil else { throw ValidationError("--heart-beat must be cx,cy") }
        guard concurrency >= 1, threads >= 1, (1...250).contains(sourceIPs) else {
            throw ValidationError("--concurrency and --threads must be ≥ 1, --source-ips 1…250")
        }
    }

    /// The setup these options describe.
    public func setup() throws -> BenchSetup {
        var client = ClientOptions(endpoint: try Endpoint(url: url, sockJS: sockjs))
        client.vhost = vhost
        client.login = login
        client.passcode = passcode
        client.heartBeat = (try? HeartBeat(header: heartBeat)) ?? .off
        var setup = BenchSetup(client: client, peer: peer, chatDestination: chatDestination, chatTopic: chatTopic)
        setup.serverPID = serverPID
        setup.identityDestination = identityDestination.isEmpty ? nil : identityDestination
        setup.presenceTopic = presenceTopic.isEmpty ? nil : presenceTopic
        setup.replyDestination = replyDestination.isEmpty ? nil : replyDestination
        setup.concurrency = concurrency
        setup.sourceAddresses = sourceIPs > 1 ? (1...sourceIPs).map { "127.0.0.\($0)" } : []
        setup.childArguments = childArguments
        if let otherURL {
            var other = client
            other.endpoint = try Endpoint(url: otherURL, sockJS: sockjs)
            setup.otherNode = other
        }
        return setup
    }

    /// The options again, for a `hold` child reaching the same peer the same way.
    var childArguments: [String] {
        var arguments = [
            "--url", url, "--peer", peer, "--vhost", vhost, "--identity-destination", identityDestination,
            "--chat-destination", chatDestination, "--chat-topic", chatTopic, "--presence-topic", presenceTopic,
            "--reply-destination", replyDestination, "--heart-beat", heartBeat, "--concurrency", "\(concurrency)",
            "--source-ips", "\(sourceIPs)", "--threads", "1",
        ]
        if sockjs { arguments.append("--sockjs") }
        if let login { arguments += ["--login", login] }
        if let passcode { arguments += ["--passcode", passcode] }
        return arguments
    }
}

/// Runs one scenario with a fresh event-loop group, then prints and records its result.
func runScenario(
    _ peer: PeerOptions, _ body: @Sendable (BenchSetup, any EventLoopGroup) async -> ScenarioResult
) async throws {
    raiseFileLimit()
    let setup = try peer.setup()
    let group = MultiThreadedEventLoopGroup(numberOfThreads: peer.threads)
    let result = await body(setup, group)
    try? await group.shutdownGracefully()
    emit(result, jsonOut: peer.jsonOut)
}

func emit(_ result: ScenarioResult, jsonOut: String?) {
    print(MarkdownTable.render([result]))
    print()
    print(result.jsonLine)
    if let jsonOut {
        let line = result.jsonLine + "\n"
        let fd = open(jsonOut, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd >= 0 {
            _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
        }
    }
}

struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "N sessions connect, subscribe and identify, then idle: connect rate, RSS per session.",
        discussion: """
            Chat-only (default): each session subscribes to the chat topic and identifies.
            --real-clients: each session behaves like the terminal client (chat, presence and reply
            subscriptions, identity, its own member list from the welcome and the presence events, bare or
            batched); the storm ends when every list holds exactly the N users, or at --deadline.
            """)

    @OptionGroup var peer: PeerOptions

    @Option(help: "Sessions to open.")
    var sessions = 10_000

    @Option(help: "Seconds to stay idle before measuring RSS.")
    var idleSeconds = 3

    @Option(
        name: .customLong("subscribe"),
        help: "Destination each session subscribes to (repeatable; default: the chat topic). Not with --real-clients."
    )
    var subscriptions: [String] = []

    @Flag(help: "Real-client storm: every session keeps its member list; done when every list is exact.")
    var realClients = false

    @Option(help: "--real-clients: give up this many seconds after the first connect.")
    var deadline = 300

    func validate() throws {
        guard sessions >= 1, idleSeconds >= 0, deadline >= 1 else {
            throw ValidationError("--sessions ≥ 1, --idle-seconds ≥ 0, --deadline ≥ 1")
        }
        guard !(realClients && !subscriptions.isEmpty) else {
            throw ValidationError("--subscribe does not go with --real-clients (they subscribe as the real client)")
        }
    }

    func run() async throws {
        if realClients {
            let scenario = RealClientStormScenario(
                sessions: sessions, idleSeconds: idleSeconds, deadlineSeconds: deadline)
            try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
        } else {
            let scenario = ConnectScenario(sessions: sessions, idleSeconds: idleSeconds, subscriptions: subscriptions)
            try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
        }
    }
}

struct FanoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "S subscribers, P publishers: deliveries/s, loss, latency, server CPU per delivery.")

    @OptionGroup var peer: PeerOptions

    @Option(help: "Subscribers.")
    var subscribers = 1_000

    @Option(help: "Publishers.")
    var publishers = 1

    @Option(help: "burst (as fast as accepted) or paced (--rate msg/s for --duration s).")
    var mode: FanoutScenario.Mode = .burst

    @Option(help: "Burst: messages per publisher, all written without waiting for anything (pipelined).")
    var messages = 200

    @Flag(help: "Ask a receipt for every SEND (still pipelined: the publisher never waits for one) and count them.")
    var receipts = false

    @Option(help: "Paced: messages per second, all publishers together.")
    var rate = 10.0

    @Option(help: "Paced: seconds of sending.")
    var duration = 10.0

    @Option(help: "Give up this many seconds after the last send without a new delivery.")
    var drain = 5.0

    @Option(help: "Stop this many seconds after the first send even while deliveries still arrive (0: never).")
    var deadline = 0.0

    func validate() throws {
        guard subscribers >= 1, publishers >= 1, messages >= 1, rate > 0, duration > 0, drain > 0, deadline >= 0 else {
            throw ValidationError(
                "--subscribers, --publishers, --messages ≥ 1; --rate, --duration, --drain > 0; --deadline ≥ 0")
        }
    }

    func run() async throws {
        let scenario = FanoutScenario(
            subscribers: subscribers, publishers: publishers, mode: mode, messages: messages, rate: rate,
            durationSeconds: duration, drainSeconds: drain, receipts: receipts,
            deadlineSeconds: deadline > 0 ? deadline : nil)
        try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
    }
}

extension FanoutScenario.Mode: ExpressibleByArgument {}
extension LeaveScenario.Kill: ExpressibleByArgument {}

struct LeaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "K sessions dropped one by one: time from the drop to the leave broadcast.")

    @OptionGroup var peer: PeerOptions

    @Option(help: "Sessions to drop.")
    var victims = 200

    @Option(help: "close (socket closed, no DISCONNECT) or sigkill (a hold child per session, SIGKILLed).")
    var kill: LeaveScenario.Kill = .close

    @Option(help: "Pause between two drops, ms.")
    var gapMs = 10

    @Option(help: "Wait at most this long for each end, ms.")
    var timeoutMs = 2_000

    func validate() throws {
        guard victims >= 1, gapMs >= 0, timeoutMs >= 1 else { throw ValidationError("--victims ≥ 1") }
    }

    func run() async throws {
        let scenario = LeaveScenario(
            victims: victims, kill: kill, gapMilliseconds: gapMs, timeoutMilliseconds: timeoutMs)
        try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
    }
}

struct StormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storm", abstract: "N sessions in child processes SIGKILLed at once: every leave, exactly once.")

    @OptionGroup var peer: PeerOptions

    @Option(help: "Sessions to drop at once.")
    var sessions = 5_000

    @Option(help: "Child processes holding them (each holds at most ~19 000: its file limit).")
    var children = 1

    @Option(help: "Give up after this many seconds.")
    var deadline = 30

    @Flag(
        name: .customLong("kill-server"),
        help: """
            Several nodes: SIGKILL the node holding the sessions (--server-pid) instead of the children;             the observer listens on --other-url. Ends then come from a survivor once the lease expires.
            """)
    var killServer = false

    func validate() throws {
        guard sessions >= 1, children >= 1, deadline >= 1 else { throw ValidationError("--sessions, --children ≥ 1") }
        if killServer, peer.serverPID == nil || peer.otherURL == nil {
            throw ValidationError("--kill-server needs --server-pid (the node to kill) and --other-url (a survivor)")
        }
    }

    func run() async throws {
        let scenario = StormScenario(
            sessions: sessions, children: children, deadlineSeconds: deadline, killServer: killServer)
        try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
    }
}

struct FrozenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frozen",
        abstract: "A child holding K sessions is SIGSTOPped: time until the server declares them dead.")

    @OptionGroup var peer: PeerOptions

    @Option(help: "Sessions in the frozen child.")
    var sessions = 20

    @Option(name: .customLong("heartbeat-ms"), help: "The server's heart-beat (ms); the held sessions offer the same.")
    var heartbeatMs = 1_000

    @Option(help: "Give up after this many seconds.")
    var deadline = 20

    func validate() throws {
        guard sessions >= 1, heartbeatMs >= 1, deadline >= 1 else { throw ValidationError("--sessions ≥ 1") }
    }

    func run() async throws {
        let scenario = FrozenScenario(sessions: sessions, heartBeatMilliseconds: heartbeatMs, deadlineSeconds: deadline)
        try await runScenario(peer) { await scenario.run(setup: $0, group: $1) }
    }
}

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Open sessions, print `ready READY FAILED PORTS`, and hold them (a child of leave/storm/frozen).")

    @OptionGroup var peer: PeerOptions

    @Option(help: "Sessions to hold.")
    var sessions = 1

    @Option(help: "Session i identifies as PREFIXi.")
    var namePrefix = "h"

    @Option(help: "Exit after this many seconds at the latest.")
    var maxSeconds = 600

    func run() async throws {
        raiseFileLimit()
        let setup = try peer.setup()
        let parent = getppid()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: peer.threads)
        let prefix = namePrefix
        let opened = await openMany(
            count: sessions, subscriptions: [setup.chatTopic], names: { "\(prefix)\($0)" }, setup: setup, group: group,
            observer: IgnoringObserver())
        // Sessions are numbered from 0 and `ports` lists them in that order (failed ones left out).
        let ports = opened.clients.map { "\($0.localPort ?? 0)" }.joined(separator: ",")
        writeLine("ready \(opened.clients.count) \(opened.failures) \(ports)", to: 1)
        if let error = opened.firstError {
            writeLine("hold: \(opened.failures) sessions failed: \(error)", to: 2)
        }
        let deadline = monotonicNanoseconds() + UInt64(maxSeconds) * 1_000_000_000
        while getppid() == parent && monotonicNanoseconds() < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        Glibc.exit(0)
    }
}

/// Writes a line straight to a file descriptor (unbuffered: the parent waits for it).
func writeLine(_ text: String, to fd: Int32) {
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Render JSON-line results as one Markdown table.")

    @Argument(help: "Files of JSON lines written with --json-out.")
    var files: [String]

    func run() throws {
        let results = try files.flatMap { try readResults(path: $0) }
        print(MarkdownTable.render(results))
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Lobby's results next to a peer's, with Lobby ÷ peer ratios.")

    @Option(help: "Lobby's JSON lines.")
    var lobby: String

    @Option(help: "The peer's JSON lines.")
    var other: String

    @Option(help: "The peer's name in the table.")
    var otherName = "RabbitMQ"

    func run() throws {
        print(MarkdownTable.compare(try readResults(path: lobby), try readResults(path: other), peerName: otherName))
    }
}
