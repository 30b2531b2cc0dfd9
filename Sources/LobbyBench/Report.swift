import Foundation

/// A bound a metric should meet: `≤ value`, `≥ value` or `= value`.
public struct Target: Codable, Sendable, Equatable {
    public enum Relation: String, Codable, Sendable {
        case atMost = "<="
        case atLeast = ">="
        case equal = "=="
    }

    public var relation: Relation
    public var value: Double

    public init(_ relation: Relation, _ value: Double) {
        self.relation = relation
        self.value = value
    }

    public static func atMost(_ value: Double) -> Target { Target(.atMost, value) }
    public static func atLeast(_ value: Double) -> Target { Target(.atLeast, value) }
    public static func equal(_ value: Double) -> Target { Target(.equal, value) }

    public func isMet(by measured: Double) -> Bool {
        switch relation {
        case .atMost: return measured <= value
        case .atLeast: return measured >= value
        case .equal: return measured == value
        }
    }

    public var text: String {
        let number = formatNumber(value)
        switch relation {
        case .atMost: return "≤ \(number)"
        case .atLeast: return "≥ \(number)"
        case .equal: return "= \(number)"
        }
    }
}

/// One measured number of a scenario.
public struct Metric: Codable, Sendable, Equatable {
    public enum Direction: String, Codable, Sendable {
        case higherIsBetter = "higher"
        case lowerIsBetter = "lower"
        case neutral
    }

    /// Stable key, e.g. `connect_rate`.
    public var key: String
    /// Words for the table, e.g. `connect rate`.
    public var name: String
    /// nil when it could not be measured (no server PID, nothing received).
    public var value: Double?
    public var unit: String
    public var better: Direction
    /// What Lobby should reach (issue 5), where there is a target.
    public var target: Target?
    /// What Lobby ÷ peer should reach in a comparison (connect rate ≥ 10×).
    public var ratioTarget: Target?

    public init(
        _ key: String, _ name: String, _ value: Double?, unit: String = "", better: Direction = .neutral,
        target: Target? = nil, ratioTarget: Target? = nil
    ) {
        self.key = key
        self.name = name
        self.value = value.flatMap { $0.isFinite ? $0 : nil }
        self.unit = unit
        self.better = better
        self.target = target
        self.ratioTarget = ratioTarget
    }

    /// `✓`, `✗`, or empty without a target or a value.
    public var verdict: String {
        guard let target, let value else { return "" }
        return target.isMet(by: value) ? "✓" : "✗"
    }
}

/// What one scenario run measured: one row group in the table, one JSON line.
public struct ScenarioResult: Codable, Sendable, Equatable {
    /// `connect`, `fanout-burst`, `fanout-paced`, `leave`, `storm`, `frozen`.
    public var scenario: String
    /// The scenario with its size, the same for every peer: `fanout-burst S=1000`. Comparisons match on it.
    public var title: String
    /// `lobby`, `rabbitmq`, …
    public var peer: String
    /// `raw` or `sockjs`.
    public var transport: String
    public var parameters: [String: String]
    public var metrics: [Metric]
    public var latency: LatencySummary?
    /// `[percentile, ms]` pairs of the latency distribution, for the plot.
    public var distribution: [[Double]]?
    /// `[sessions, server RSS KiB]` pairs sampled while sessions connect, for the plot.
    public var rssSamples: [[Double]]?
    public var notes: [String]
    /// Why the scenario cannot be run against this peer (RabbitMQ has no presence to keep a member
    /// list from); the tables then say N/A with this reason instead of numbers.
    public var notApplicable: String?

    public init(
        scenario: String, title: String, peer: String, transport: String, parameters: [String: String] = [:],
        metrics: [Metric] = [], latency: LatencySummary? = nil, distribution: [[Double]]? = nil,
        rssSamples: [[Double]]? = nil, notes: [String] = [], notApplicable: String? = nil
    ) {
        self.scenario = scenario
        self.title = title
        self.peer = peer
        self.transport = transport
        self.parameters = parameters
        self.metrics = metrics
        self.latency = latency
        self.distribution = distribution
        self.rssSamples = rssSamples
        self.notes = notes
        self.notApplicable = notApplicable
    }

    public func metric(_ key: String) -> Metric? { metrics.first { $0.key == key } }

    /// The result as one line of JSON (keys sorted).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    public init(jsonLine: String) throws {
        self = try JSONDecoder().decode(ScenarioResult.self, from: Data(jsonLine.utf8))
    }
}

/// Reads a file of JSON lines (blank lines and lines not starting with `{` are skipped).
public func readResults(path: String) throws -> [ScenarioResult] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try text.split(separator: "\n").compactMap { line in
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.hasPrefix("{") ? try ScenarioResult(jsonLine: trimmed) : nil
    }
}

/// Markdown tables of results.
public enum MarkdownTable {
    /// One table for one peer's results: scenario, metric, value, target, verdict.
    public static func render(_ results: [ScenarioResult]) -> String {
        var lines = [
            "| scenario | metric | value | target | |",
            "| --- | --- | ---: | --- | :---: |",
        ]
        for result in results {
            if result.notApplicable != nil {
                lines.append("| \(result.title) (\(result.peer), \(result.transport)) | N/A (see below) | – |  |  |")
                continue
            }
            var first = true
            for metric in result.metrics {
                let scenario = first ? "\(result.title) (\(result.peer), \(result.transport))" : ""
                first = false
                lines.append(
                    "| \(scenario) | \(metric.name) | \(formatValue(metric.value, unit: metric.unit)) | "
                        + "\(metric.target.map { formatTarget($0, unit: metric.unit) } ?? "") | \(metric.verdict) |")
            }
        }
        var notes: [String] = []
        for result in results {
            if let reason = result.notApplicable { notes.append("- \(result.title) (\(result.peer)): N/A: \(reason)") }
            for note in result.notes { notes.append("- \(result.title) (\(result.peer)): \(note)") }
        }
        let beside = realBesideChatOnly(results)
        return (lines + (notes.isEmpty ? [] : [""] + notes) + (beside.isEmpty ? [] : ["", beside]))
            .joined(separator: "\n")
    }

    /// The metrics set side by side for a real-client storm and the chat-only connect of the same
    /// run, with the issue's bound on real ÷ chat-only where there is one.
    /// `name` nil: the real-client metric's own name.
    static let besideMetrics: [(name: String?, real: String, chatOnly: String, ratioTarget: Target?)] = [
        (nil, "sessions_ready", "sessions_ready", nil),
        (nil, "failures", "failures", nil),
        ("time until done (chat-only: all identified; real: every list exact)", "complete_s", "ramp_s", nil),
        ("connect rate (sessions ÷ time until done)", "connect_rate", "connect_rate", nil),
        (nil, "cpu_per_connect_us", "cpu_per_connect_us", .atMost(3)),
        (nil, "server_cpu_s", "server_cpu_s", nil),
        (nil, "rss_per_session_kib", "rss_per_session_kib", nil),
        (nil, "handshake_p99_ms", "handshake_p99_ms", nil),
    ]

    /// Each real-client storm (`connect-real`) beside the chat-only `connect` of the same peer and
    /// transport in `results`: the one with the same handshakes in flight and the same N if there
    /// is one, else the nearest: the two values and real ÷ chat-only. Empty when there is no pair.
    public static func realBesideChatOnly(_ results: [ScenarioResult]) -> String {
        var lines: [String] = []
        for real in results where real.scenario == RealClientStormScenario.scenarioName && real.notApplicable == nil {
            let candidates = results.filter {
                $0.scenario == "connect" && $0.peer == real.peer && $0.transport == real.transport
            }
            func distance(_ chat: ScenarioResult) -> (Int, Int) {
                let sessions = Int(chat.parameters["sessions"] ?? "") ?? 0
                return (
                    chat.parameters["concurrency"] == real.parameters["concurrency"] ? 0 : 1,
                    abs(sessions - (Int(real.parameters["sessions"] ?? "") ?? 0))
                )
            }
            guard let chat = candidates.min(by: { distance($0) < distance($1) }) else { continue }
            if lines.isEmpty {
                lines = [
                    "| real-client storm | metric | chat-only connect | real clients | real ÷ chat-only | target | |",
                    "| --- | --- | ---: | ---: | ---: | --- | :---: |",
                ]
            }
            var first = true
            for (name, realKey, chatKey, ratioTarget) in besideMetrics {
                guard let ours = real.metric(realKey), let theirs = chat.metric(chatKey) else { continue }
                let label = first ? "\(real.title) beside \(chat.title) (\(real.peer), \(real.transport))" : ""
                first = false
                let ratio = ratioValue(ours.value, theirs.value)
                let target = real.peer == "lobby" ? ratioTarget : nil
                let verdict = target.flatMap { target in ratio.map { target.isMet(by: $0) ? "✓" : "✗" } } ?? ""
                lines.append(
                    "| \(label) | \(name ?? ours.name) | \(formatValue(theirs.value, unit: theirs.unit)) | "
                        + "\(formatValue(ours.value, unit: ours.unit)) | \(ratio.map { formatNumber($0) + "×" } ?? "–") | "
                        + "\(target.map { $0.text + "×" } ?? "") | \(verdict) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Lobby next to a peer: the same scenarios matched by title, with Lobby ÷ peer for each metric.
    public static func compare(_ lobby: [ScenarioResult], _ peer: [ScenarioResult], peerName: String) -> String {
        var lines = [
            "| scenario | metric | Lobby | \(peerName) | Lobby ÷ \(peerName) | better | |",
            "| --- | --- | ---: | ---: | ---: | --- | :---: |",
        ]
        var notes: [String] = []
        for ours in lobby {
            guard let theirs = peer.first(where: { $0.title == ours.title }) else { continue }
            var first = true
            if let reason = theirs.notApplicable {
                notes.append("- \(ours.title): N/A at \(peerName): \(reason)")
                // Lobby's headline numbers only; its whole row group is in its own table.
                let headline = Set(besideMetrics.map(\.real) + ["lists_exact", "complete_s"])
                for metric in ours.metrics where headline.contains(metric.key) {
                    let scenario = first ? ours.title : ""
                    first = false
                    lines.append(
                        "| \(scenario) | \(metric.name) | \(formatValue(metric.value, unit: metric.unit)) | N/A | – |  |  |"
                    )
                }
                continue
            }
            for metric in ours.metrics {
                guard let other = theirs.metric(metric.key) else { continue }
                let scenario = first ? ours.title : ""
                first = false
                let ratio = ratioValue(metric.value, other.value)
                let verdict: String
                if let target = metric.ratioTarget, let ratio {
                    verdict = target.isMet(by: ratio) ? "✓ (\(target.text)×)" : "✗ (\(target.text)×)"
                } else {
                    verdict = ""
                }
                lines.append(
                    "| \(scenario) | \(metric.name) | \(formatValue(metric.value, unit: metric.unit)) | "
                        + "\(formatValue(other.value, unit: other.unit)) | \(ratio.map { formatNumber($0) + "×" } ?? "–") | "
                        + "\(winner(metric.better, metric.value, other.value, peerName: peerName)) | \(verdict) |")
            }
        }
        return (lines + (notes.isEmpty ? [] : [""] + notes)).joined(separator: "\n")
    }

    static func ratioValue(_ lhs: Double?, _ rhs: Double?) -> Double? {
        guard let lhs, let rhs, rhs != 0 else { return nil }
        return lhs / rhs
    }

    static func winner(_ direction: Metric.Direction, _ ours: Double?, _ theirs: Double?, peerName: String) -> String {
        guard let ours, let theirs, ours != theirs else { return "" }
        switch direction {
        case .neutral: return ""
        case .higherIsBetter: return ours > theirs ? "Lobby" : peerName
        case .lowerIsBetter: return ours < theirs ? "Lobby" : peerName
        }
    }
}

/// `≤ 8 KiB`.
public func formatTarget(_ target: Target, unit: String) -> String {
    unit.isEmpty ? target.text : "\(target.text) \(unit)"
}

/// `1234.5, "ms"` → `1235 ms`; nil → `–`.
public func formatValue(_ value: Double?, unit: String) -> String {
    guard let value else { return "–" }
    let number = formatNumber(value)
    return unit.isEmpty ? number : "\(number) \(unit)"
}

/// Three significant digits at most, no exponent, integers above 1000 with thin grouping.
public func formatNumber(_ value: Double) -> String {
    if value == value.rounded() && abs(value) < 1e15 {
        return groupThousands(Int64(value))
    }
    let magnitude = abs(value)
    let decimals: Int
    switch magnitude {
    case 100...: return groupThousands(Int64(value.rounded()))
    case 10..<100: decimals = 1
    case 1..<10: decimals = 2
    case 0.1..<1: decimals = 3
    case 0.01..<0.1: decimals = 4
    default: decimals = 5
    }
    var text = String(format: "%.\(decimals)f", value)
    if text.contains(".") {
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
    }
    return text
}

private func groupThousands(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    guard digits.count > 4 else { return value < 0 ? "-" + digits : digits }
    var grouped = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { grouped += " " }
        grouped.append(character)
    }
    return value < 0 ? "-" + grouped : grouped
}
