import CoreMetrics
import LobbyCore

/// The server's metrics, through swift-metrics: whatever backend the executable bootstraps
/// (Prometheus for `/metrics`) receives them; without one they cost a no-op call.
///
/// Every handle is made once here, so the hot paths only increment. The end counters exist for
/// every reason from the start, so a dashboard sees `0` rather than no series.
struct LobbyMetrics: Sendable {
    private let sessions: [String: Meter]
    private let started: [String: Counter]
    private let ends: [LeaveReason: Counter]
    let users = Meter(label: "lobby_users")
    let messages = Counter(label: "lobby_messages_total")
    private let deliveryCounter = Counter(label: "lobby_deliveries_total")
    let commitSeconds = Timer(label: "lobby_store_commit_seconds")
    let batchSize = Recorder(label: "lobby_store_batch_size", aggregate: true)
    let leaveBroadcastSeconds = Timer(label: "lobby_leave_broadcast_seconds")

    /// What `/metrics` answers in (Prometheus text exposition format 0.0.4), on either listener.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The transports sessions arrive by (`SockJSService`'s names), each its own series.
    static let transports = [
        "websocket", "raw-websocket", "xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp-polling",
    ]

    init() {
        var sessions: [String: Meter] = [:]
        var started: [String: Counter] = [:]
        for transport in Self.transports {
            sessions[transport] = Meter(label: "lobby_sessions", dimensions: [("transport", transport)])
            started[transport] = Counter(label: "lobby_sessions_started_total", dimensions: [("transport", transport)])
        }
        self.sessions = sessions
        self.started = started
        var ends: [LeaveReason: Counter] = [:]
        for reason in LeaveReason.allCases where reason != .renamed {
            ends[reason] = Counter(label: "lobby_session_ends_total", dimensions: [("reason", reason.rawValue)])
        }
        self.ends = ends
    }

    /// Adds `count` deliveries. Total: swift-metrics traps on a negative increment, and a metric
    /// must never bring the server down, so an impossible count is a bug reported in debug
    /// builds and dropped in release builds.
    func delivered(_ count: Int) {
        assert(count >= 0, "negative delivery count \(count)")
        guard count > 0 else { return }
        deliveryCounter.increment(by: Int64(count))
    }

    func sessionStarted(transport: String) {
        (sessions[transport] ?? Meter(label: "lobby_sessions", dimensions: [("transport", transport)])).increment()
        (started[transport]
            ?? Counter(label: "lobby_sessions_started_total", dimensions: [("transport", transport)])).increment()
    }

    func sessionEnded(transport: String?, reason: LeaveReason) {
        if let transport {
            (sessions[transport] ?? Meter(label: "lobby_sessions", dimensions: [("transport", transport)])).decrement()
        }
        ends[reason]?.increment()
    }

    func identifyRefused(code: String) {
        Counter(label: "lobby_identify_errors_total", dimensions: [("code", code)]).increment()
    }

    /// `GET`s and `POST`s of the HTTP listener, by what they asked for and the status answered.
    static func httpRequest(kind: String, status: UInt) {
        Counter(label: "lobby_http_requests_total", dimensions: [("transport", kind), ("status", String(status))])
            .increment()
    }
}
