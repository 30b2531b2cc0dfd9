import LobbyCore

/// One entry of the message area, before it is wrapped to the screen's width.
public struct ChatLine: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `10:00 <alice> hello`
        case message(user: String, text: String, isOwn: Bool)
        /// `10:00 * alice waves`: a message whose text starts with `/me `.
        case action(user: String, text: String, isOwn: Bool)
        /// `10:00 --> bob joined`
        case join(user: String)
        /// `10:00 <-- bob left (connection closed)`
        case leave(user: String, reason: LeaveReason?)
        /// A server `error` or a protocol failure.
        case error(String)
        /// Something the client says: connection changes, hints, `/who`.
        case notice(String)
        /// `--- Friday 27 November 2026 ---` before the first line of another day.
        case dayChange(String)
        /// A line of `/help`.
        case help(String)
        /// `10:00 *alice* text` received, `10:00 -> *bob* text` sent: a private message.
        case direct(from: String, to: String, text: String, isOutgoing: Bool)
        /// `10:00 --- alice is away: lunch` or `--- alice is back` (away cleared).
        case away(user: String, message: String?)
        /// `10:00 --> bob is back`: a join shortly after a lost connection (a reconnect flap).
        case rejoin(user: String)
        /// `-- beginning of history --`, `-- search: … --`: a marker the client puts between lines.
        case marker(String)
        /// `2026-12-03 10:00 <bob> text`: a search result, dated because it may be old.
        case found(user: String, text: String, date: String)
    }

    public var kind: Kind
    /// When it happened (for a message, when the server stored it).
    public var at: Timestamp
    /// `HH:MM` in the client's time zone.
    public var time: String
    /// The server's id of a chat message or action, used to never show one twice.
    public var messageID: Int64?
    /// The message names this client's user: its text is highlighted.
    public var isMention: Bool

    public init(kind: Kind, at: Timestamp, time: String, messageID: Int64? = nil, isMention: Bool = false) {
        self.kind = kind
        self.at = at
        self.time = time
        self.messageID = messageID
        self.isMention = isMention
    }
}

/// A run of text in one style: the unit lines are built from before wrapping.
struct StyledRun: Equatable {
    var text: String
    var style: TextStyle
}

extension ChatLine {
    /// The cells a continuation row starts with: the width of `HH:MM `, so wrapped text lines
    /// up right of the timestamps.
    static let continuationIndent = 6

    /// The rows of the line at `width` cells: each line of a multi-line message starts a new
    /// row, indented like a wrapped row, so the whole message reads as one block under its nick.
    func rows(width: Int) -> [[StyledRun]] {
        var rows: [[StyledRun]] = []
        for (index, part) in splitAtNewlines(runs).enumerated() {
            let indented =
                index == 0
                ? part : [StyledRun(text: String(repeating: " ", count: Self.continuationIndent), style: .plain)] + part
            rows += wrap(indented, width: width, indent: Self.continuationIndent)
        }
        return rows
    }

    /// The line as styled runs, prefix (time, nick, arrow) first. Message text keeps its line
    /// breaks (``rows(width:)`` turns them into rows).
    var runs: [StyledRun] {
        let stamp = StyledRun(text: time + " ", style: .time)
        let body: TextStyle = isMention ? .mention : .plain
        switch kind {
        case .message(let user, let text, let isOwn):
            return [
                stamp, StyledRun(text: "<", style: .plain), StyledRun(text: user, style: .nick(user, isOwn: isOwn)),
                StyledRun(text: "> ", style: .plain),
                StyledRun(text: printable(text, keepingNewlines: true), style: body),
            ]
        case .direct(let from, let to, let text, let isOutgoing):
            let prefix = isOutgoing ? "-> *\(printable(to))* " : "*\(printable(from))* "
            return [
                stamp, StyledRun(text: prefix, style: .direct),
                StyledRun(text: printable(text, keepingNewlines: true), style: .plain),
            ]
        case .away(let user, let message):
            let text = "--- " + MemberList.awayText(user: user, message: message)
            return [stamp, StyledRun(text: printable(text), style: .away)]
        case .rejoin(let user):
            return [stamp, StyledRun(text: "--> \(printable(user)) is back", style: .join)]
        case .marker(let text):
            return [StyledRun(text: printable(text), style: .notice)]
        case .found(let user, let text, let date):
            // A `/me` result reads as the action it was, `* bob waves`, as in the chat.
            if let action = ChatAction.text(of: text) {
                return [
                    StyledRun(text: "\(date) \(time) ", style: .time), StyledRun(text: "* ", style: .plain),
                    StyledRun(text: printable(user), style: .nick(user)),
                    StyledRun(text: " " + printable(action, keepingNewlines: true), style: .plain),
                ]
            }
            return [
                StyledRun(text: "\(date) \(time) ", style: .time), StyledRun(text: "<", style: .plain),
                StyledRun(text: printable(user), style: .nick(user)), StyledRun(text: "> ", style: .plain),
                StyledRun(text: printable(text, keepingNewlines: true), style: .plain),
            ]
        case .action(let user, let text, let isOwn):
            return [
                stamp, StyledRun(text: "* ", style: .plain), StyledRun(text: user, style: .nick(user, isOwn: isOwn)),
                StyledRun(text: " " + printable(text, keepingNewlines: true), style: body),
            ]
        case .join(let user):
            return [stamp, StyledRun(text: "--> \(printable(user)) joined", style: .join)]
        case .leave(let user, let reason):
            let why = reason.map { " (\($0.explanation))" } ?? ""
            return [stamp, StyledRun(text: "<-- \(printable(user)) left\(why)", style: .leave)]
        case .error(let text):
            return [stamp, StyledRun(text: "-!- " + printable(text), style: .error)]
        case .notice(let text):
            return [stamp, StyledRun(text: "-!- " + printable(text), style: .notice)]
        case .dayChange(let date):
            return [StyledRun(text: "--- \(date) ---", style: .time)]
        case .help(let text):
            return [stamp, StyledRun(text: printable(text), style: .notice)]
        }
    }
}

/// Splits runs into lines at `\n`: the first line keeps the prefix runs.
private func splitAtNewlines(_ runs: [StyledRun]) -> [[StyledRun]] {
    var lines: [[StyledRun]] = [[]]
    for run in runs {
        let parts = run.text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if index > 0 { lines.append([]) }
            if !part.isEmpty { lines[lines.count - 1].append(StyledRun(text: String(part), style: run.style)) }
        }
    }
    return lines
}
