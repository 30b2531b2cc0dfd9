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
    }

    public var kind: Kind
    /// When it happened (for a message, when the server stored it).
    public var at: Timestamp
    /// `HH:MM` in the client's time zone.
    public var time: String
    /// The server's id of a chat message or action, used to never show one twice.
    public var messageID: Int64?

    public init(kind: Kind, at: Timestamp, time: String, messageID: Int64? = nil) {
        self.kind = kind
        self.at = at
        self.time = time
        self.messageID = messageID
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

    /// The line as styled runs, prefix (time, nick, arrow) first.
    var runs: [StyledRun] {
        let stamp = StyledRun(text: time + " ", style: .time)
        switch kind {
        case .message(let user, let text, let isOwn):
            return [
                stamp, StyledRun(text: "<", style: .plain), StyledRun(text: user, style: .nick(user, isOwn: isOwn)),
                StyledRun(text: "> ", style: .plain), StyledRun(text: printable(text), style: .plain),
            ]
        case .action(let user, let text, let isOwn):
            return [
                stamp, StyledRun(text: "* ", style: .plain), StyledRun(text: user, style: .nick(user, isOwn: isOwn)),
                StyledRun(text: " " + printable(text), style: .plain),
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

/// Text from the network made safe to draw: line breaks and tabs become spaces, and nothing
/// that could move the terminal's cursor (controls, escape sequences) survives.
func printable(_ text: String) -> String {
    var result = ""
    for character in text {
        if character.isNewline || character == "\t" {
            result.append(" ")
        } else if displayWidth(of: character) > 0 {
            result.append(character)
        }
    }
    return result
}
