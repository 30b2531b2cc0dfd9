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
///
/// What others wrote is printed inert: every line goes through `printable`, the rule the
/// full-screen client draws with, so no control or escape sequence reaches the terminal or a log
/// file; a line break inside a text starts a row indented by ``continuationIndent``, so a message
/// cannot hold a row that passes for another line (`[22:31] <alice> …` inside bob's text).
public struct PlainTranscript {
    /// The start of every row that continues a line: no line of the transcript starts with a space.
    public static let continuationIndent = String(repeating: " ", count: 8)

    /// How a message time is printed (`10:00`), in whatever time zone the caller chooses.
    private let clock: (Timestamp) -> String
    /// Makes text safe for a terminal, keeping `\n` (LobbyTUI's `printable(_:keepingNewlines:)`).
    private let printable: (String) -> String
    /// The highest message id printed so far: ids grow, so anything at or below it was shown.
    private var lastShownMessageID: Int64?
    /// Private messages printed so far: a welcome repeats the recent ones.
    private var shownDirectIDs: Set<Int64> = []
    /// The user this client is, from the welcome: its own private messages read `-> *bob* …`.
    private var ownUser: String?
    private var isCountingDown = false

    /// - Parameters:
    ///   - clock: a message's time as printed, `10:00`.
    ///   - printable: the terminal-safe form of a line; it must keep `\n`, which the transcript
    ///     turns into indented rows.
    public init(clock: @escaping (Timestamp) -> String, printable: @escaping (String) -> String) {
        self.clock = clock
        self.printable = printable
    }

    /// The rows for one event (often one, sometimes none or several), each safe to print.
    public mutating func lines(for event: ConnectionEvent) -> [String] {
        rawLines(for: event).flatMap(rows)
    }

    /// A line as printed: inert, its continuation rows indented.
    private func rows(_ line: String) -> [String] {
        let parts = printable(line).split(separator: "\n", omittingEmptySubsequences: false)
        return [String(parts[0])] + parts.dropFirst().map { Self.continuationIndent + $0 }
    }

    private mutating func rawLines(for event: ConnectionEvent) -> [String] {
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
            ownUser = welcome.user
            let names = welcome.members.map { member in
                member.away.map { "\(member.user) (away: \($0))" } ?? member.user
            }
            return ["*** members (\(names.count)): \(names.joined(separator: ", "))"]
                + welcome.history.compactMap { line(for: $0) }
                + (welcome.directs ?? []).compactMap { line(for: $0) }
        case .message(let message):
            return line(for: message).map { [$0] } ?? []
        case .presence(let presence):
            switch presence.type {
            case .join:
                return ["--> \(presence.user) joined"]
            case .leave:
                let reason = presence.reason.map { " (\($0.explanation))" } ?? ""
                return ["<-- \(presence.user) left\(reason)"]
            case .status:
                return [presence.away.map { "--- \(presence.user) is away: \($0)" } ?? "--- \(presence.user) is back"]
            }
        case .direct(let direct):
            return line(for: direct).map { [$0] } ?? []
        case .history(let history):
            guard !history.messages.isEmpty else { return ["-- beginning of history --"] }
            return ["-- older messages --"] + history.messages.map { dated($0) }
        case .search(let search):
            let count = search.messages.count
            return ["-- search: \(search.query) (\(count) result\(count == 1 ? "" : "s")) --"]
                + search.messages.map { dated($0) }
        case .serverError(let error):
            return ["*** error: \(error.message) (\(error.code))"]
        case .protocolError(let reason):
            return ["*** protocol error: \(reason)"]
        case .notSent(let text):
            return ["*** not connected, not sent: \(text)"]
        }
    }

    private mutating func line(for direct: DirectMessage) -> String? {
        guard shownDirectIDs.insert(direct.id).inserted else { return nil }
        let time = clock(direct.at)
        if direct.from == ownUser, direct.to != ownUser {
            return "[\(time)] -> *\(direct.to)* \(direct.text)"
        }
        return "[\(time)] *\(direct.from)* \(direct.text)"
    }

    /// A message from history or a search: with its date, never counted as shown.
    private func dated(_ message: ChatMessage) -> String {
        let stamp = "[\(message.at.iso8601.prefix(10)) \(clock(message.at))]"
        if let action = ChatAction.text(of: message.text) {
            return "\(stamp) * \(message.user) \(action)"
        }
        return "\(stamp) <\(message.user)> \(message.text)"
    }

    private mutating func line(for message: ChatMessage) -> String? {
        if let lastShownMessageID, message.id <= lastShownMessageID { return nil }
        lastShownMessageID = message.id
        let time = clock(message.at)
        if let action = ChatAction.text(of: message.text) {
            return "[\(time)] * \(message.user) \(action)"
        }
        return "[\(time)] <\(message.user)> \(message.text)"
    }
}
