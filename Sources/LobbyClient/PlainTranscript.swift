import LobbyCore

/// The `--plain` client's output: one line of text per thing that happened, for scripts, tests
/// and dumb terminals.
///
/// ```
/// *** connected as alice (session k3x9a0qz)
/// *** members (2): alice, bob
/// [10:00] <bob> hello
/// [10:01] * bob waves
/// --> carol joined
/// <-- carol left (connection closed)
/// ```
///
/// History that a `welcome` repeats after a reconnect is not printed twice.
public struct PlainTranscript {
    /// How a message time is printed (`10:00`), in whatever time zone the caller chooses.
    private let clock: (Timestamp) -> String
    /// The highest message id printed so far: ids grow, so anything at or below it was shown.
    private var lastShownMessageID: Int64?
    private var isCountingDown = false

    public init(clock: @escaping (Timestamp) -> String) {
        self.clock = clock
    }

    /// The lines for one event (often one, sometimes none or several).
    public mutating func lines(for event: ConnectionEvent) -> [String] {
        let wasCountingDown = isCountingDown
        isCountingDown = false
        switch event {
        case .connecting(let attempt):
            return [attempt == 1 ? "*** connecting…" : "*** connecting (attempt \(attempt))…"]
        case .connected(let user, let sessionID):
            return ["*** connected as \(user) (session \(sessionID))"]
        case .reconnecting(let seconds):
            // The countdown ticks every second; a transcript needs its start only.
            isCountingDown = true
            return wasCountingDown ? [] : ["*** reconnecting in \(seconds) s"]
        case .disconnected(let reason):
            return ["*** disconnected: \(reason)"]
        case .stopped:
            return ["*** disconnected"]
        case .session(let sessionEvent):
            return lines(for: sessionEvent)
        }
    }

    private mutating func lines(for event: SessionEvent) -> [String] {
        switch event {
        case .welcome(let welcome):
            let names = welcome.members.map(\.user)
            return ["*** members (\(names.count)): \(names.joined(separator: ", "))"]
                + welcome.history.compactMap { line(for: $0) }
        case .message(let message):
            return line(for: message).map { [$0] } ?? []
        case .presence(let presence):
            switch presence.type {
            case .join:
                return ["--> \(presence.user) joined"]
            case .leave:
                let reason = presence.reason.map { " (\($0.explanation))" } ?? ""
                return ["<-- \(presence.user) left\(reason)"]
            }
        case .serverError(let error):
            return ["*** error: \(error.message) (\(error.code))"]
        case .protocolError(let reason):
            return ["*** protocol error: \(reason)"]
        case .notSent(let text):
            return ["*** not connected, not sent: \(text)"]
        }
    }

    private mutating func line(for message: ChatMessage) -> String? {
        if let lastShownMessageID, message.id <= lastShownMessageID { return nil }
        lastShownMessageID = message.id
        let time = clock(message.at)
        if message.text.hasPrefix("/me ") {
            return "[\(time)] * \(message.user) \(message.text.dropFirst(4))"
        }
        return "[\(time)] <\(message.user)> \(message.text)"
    }
}
