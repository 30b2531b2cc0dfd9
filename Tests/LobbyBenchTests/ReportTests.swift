import Testing

@testable import LobbyBench

@Suite("Tables and JSON lines")
struct ReportTests {
    static func sample(peer: String, rate: Double, rss: Double) -> ScenarioResult {
        ScenarioResult(
            scenario: "connect", title: "connect N=10", peer: peer, transport: "raw", parameters: ["sessions": "10"],
            metrics: [
                Metric(
                    "connect_rate", "connect rate", rate, unit: "sessions/s", better: .higherIsBetter,
                    ratioTarget: .atLeast(10)),
                Metric(
                    "rss_per_session_kib", "server RSS per session", rss, unit: "KiB", better: .lowerIsBetter,
                    target: peer == "lobby" ? .atMost(8) : nil),
                Metric("cpu", "server CPU", nil, unit: "s"),
            ],
            latency: LatencySummary(count: 10, p50: 1, p90: 2, p99: 3, p999: 3, max: 4, mean: 1.5),
            distribution: [[50, 1], [100, 4]], rssSamples: [[0, 1024], [10, 2048]], notes: ["a note"])
    }

    @Test("numbers keep three significant digits and group thousands")
    func numbers() {
        #expect(formatNumber(0) == "0")
        #expect(formatNumber(8) == "8")
        #expect(formatNumber(1234) == "1234")
        #expect(formatNumber(12_345) == "12 345")
        #expect(formatNumber(1_234_567.8) == "1 234 568")
        #expect(formatNumber(123.456) == "123")
        #expect(formatNumber(12.345) == "12.3")
        #expect(formatNumber(1.5) == "1.5")
        #expect(formatNumber(0.125) == "0.125")
        #expect(formatNumber(0.0123) == "0.0123")
        #expect(formatNumber(-2.5) == "-2.5")
        #expect(formatValue(nil, unit: "ms") == "–")
        #expect(formatValue(3, unit: "ms") == "3 ms")
        #expect(formatTarget(.atMost(8), unit: "KiB") == "≤ 8 KiB")
    }

    @Test("targets")
    func targets() {
        #expect(Target.atMost(8).isMet(by: 8))
        #expect(!Target.atMost(8).isMet(by: 8.01))
        #expect(Target.atLeast(10).isMet(by: 12))
        #expect(Target.equal(0).isMet(by: 0))
        #expect(!Target.equal(0).isMet(by: 1))
        #expect(Metric("k", "n", 9, target: .atMost(8)).verdict == "✗")
        #expect(Metric("k", "n", 7, target: .atMost(8)).verdict == "✓")
        #expect(Metric("k", "n", nil, target: .atMost(8)).verdict == "")
        #expect(Metric("k", "n", .nan).value == nil)
    }

    @Test("the Markdown table: one row per metric, the scenario named once, targets checked, notes after")
    func table() {
        let table = MarkdownTable.render([Self.sample(peer: "lobby", rate: 5000, rss: 6.5)])
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "| scenario | metric | value | target | |")
        #expect(lines[2] == "| connect N=10 (lobby, raw) | connect rate | 5000 sessions/s |  |  |")
        #expect(lines[3] == "|  | server RSS per session | 6.5 KiB | ≤ 8 KiB | ✓ |")
        #expect(lines[4] == "|  | server CPU | – |  |  |")
        #expect(lines.last == "- connect N=10 (lobby): a note")
    }

    @Test("a result survives its JSON line")
    func jsonRoundTrip() throws {
        let result = Self.sample(peer: "lobby", rate: 5000, rss: 6.5)
        let line = result.jsonLine
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"distribution":"#))
        #expect(try ScenarioResult(jsonLine: line) == result)
    }

    @Test("comparison: matched by title, Lobby ÷ peer, who is better, ratio targets")
    func compare() {
        let table = MarkdownTable.compare(
            [Self.sample(peer: "lobby", rate: 5000, rss: 6)], [Self.sample(peer: "rabbitmq", rate: 250, rss: 200)],
            peerName: "RabbitMQ")
        let lines = table.split(separator: "\n")
        #expect(lines[0] == "| scenario | metric | Lobby | RabbitMQ | Lobby ÷ RabbitMQ | better | |")
        #expect(
            lines[2] == "| connect N=10 | connect rate | 5000 sessions/s | 250 sessions/s | 20× | Lobby | ✓ (≥ 10×) |")
        #expect(lines[3] == "|  | server RSS per session | 6 KiB | 200 KiB | 0.03× | Lobby |  |")
        #expect(lines[4] == "|  | server CPU | – | – | – |  |  |")
        #expect(
            MarkdownTable.compare([Self.sample(peer: "lobby", rate: 1, rss: 1)], [], peerName: "X").split(
                separator: "\n"
            ).count == 2)
    }

    @Test("ratios and winners")
    func ratios() {
        #expect(MarkdownTable.ratioValue(10, 4) == 2.5)
        #expect(MarkdownTable.ratioValue(10, 0) == nil)
        #expect(MarkdownTable.ratioValue(nil, 4) == nil)
        #expect(MarkdownTable.winner(.lowerIsBetter, 1, 2, peerName: "R") == "Lobby")
        #expect(MarkdownTable.winner(.higherIsBetter, 1, 2, peerName: "R") == "R")
        #expect(MarkdownTable.winner(.neutral, 1, 2, peerName: "R") == "")
        #expect(MarkdownTable.winner(.lowerIsBetter, 2, 2, peerName: "R") == "")
    }

    static func connect(scenario: String, sessions: Int, cpu: Double, rate: Double) -> ScenarioResult {
        ScenarioResult(
            scenario: scenario, title: "\(scenario) N=\(sessions)", peer: "lobby", transport: "raw",
            parameters: ["sessions": "\(sessions)"],
            metrics: [
                Metric("sessions_ready", "sessions ready", Double(sessions)),
                Metric("connect_rate", "connect rate", rate, unit: "sessions/s"),
                Metric("cpu_per_connect_us", "server CPU per connect", cpu, unit: "µs"),
            ])
    }

    @Test("a real-client storm sits beside the chat-only connect of the same run, with real ÷ chat-only")
    func realBesideChatOnly() {
        let table = MarkdownTable.render([
            Self.connect(scenario: "connect", sessions: 2_000, cpu: 100, rate: 4000),
            Self.connect(scenario: "connect", sessions: 10_000, cpu: 200, rate: 5000),
            Self.connect(scenario: "connect-real", sessions: 10_000, cpu: 500, rate: 2500),
        ])
        let lines = table.split(separator: "\n").map(String.init)
        let header = lines.firstIndex { $0.hasPrefix("| real-client storm |") }
        #expect(header != nil)
        guard let header else { return }
        #expect(
            lines[header + 2]
                == "| connect-real N=10000 beside connect N=10000 (lobby, raw) | sessions ready | 10 000 | 10 000 | 1× |  |  |"
        )
        #expect(
            lines[header + 3]
                == "|  | connect rate (sessions ÷ time until done) | 5000 sessions/s | 2500 sessions/s | 0.5× |  |  |")
        #expect(lines[header + 4] == "|  | server CPU per connect | 200 µs | 500 µs | 2.5× | ≤ 3× | ✓ |")
        #expect(MarkdownTable.realBesideChatOnly([Self.sample(peer: "lobby", rate: 1, rss: 1)]).isEmpty)
    }

    @Test("the pair shares the handshakes in flight before the size, and titles tell them apart")
    func pairingByConcurrency() {
        #expect(connectTitle("connect", sessions: 10, concurrency: 128) == "connect N=10")
        #expect(connectTitle("connect-real", sessions: 10, concurrency: 1000) == "connect-real N=10 C=1000")
        var wide = Self.connect(scenario: "connect", sessions: 2_000, cpu: 100, rate: 4000)
        wide.parameters["concurrency"] = "1000"
        var narrow = Self.connect(scenario: "connect", sessions: 10_000, cpu: 200, rate: 5000)
        narrow.parameters["concurrency"] = "128"
        var real = Self.connect(scenario: "connect-real", sessions: 10_000, cpu: 500, rate: 2500)
        real.parameters["concurrency"] = "1000"
        let table = MarkdownTable.realBesideChatOnly([narrow, wide, real])
        #expect(table.contains("beside connect N=2000"))
        #expect(table.contains("| 100 µs | 500 µs | 5× | ≤ 3× | ✗ |"))
    }

    @Test("a scenario that cannot run at a peer is N/A there, with the reason")
    func notApplicable() throws {
        let lobby = Self.connect(scenario: "connect-real", sessions: 10, cpu: 500, rate: 2500)
        var rabbit = ScenarioResult(
            scenario: "connect-real", title: "connect-real N=10", peer: "rabbitmq", transport: "raw",
            notApplicable: "no presence")
        rabbit = try ScenarioResult(jsonLine: rabbit.jsonLine)
        #expect(rabbit.notApplicable == "no presence")
        #expect(!Self.sample(peer: "lobby", rate: 1, rss: 1).jsonLine.contains("notApplicable"))
        let own = MarkdownTable.render([rabbit]).split(separator: "\n").map(String.init)
        #expect(own[2] == "| connect-real N=10 (rabbitmq, raw) | N/A (see below) | – |  |  |")
        #expect(own.last == "- connect-real N=10 (rabbitmq): N/A: no presence")
        let compared = MarkdownTable.compare([lobby], [rabbit], peerName: "RabbitMQ").split(separator: "\n")
            .map(String.init)
        #expect(compared[2] == "| connect-real N=10 | sessions ready | 10 | N/A | – |  |  |")
        #expect(compared.last == "- connect-real N=10: N/A at RabbitMQ: no presence")
    }
}
