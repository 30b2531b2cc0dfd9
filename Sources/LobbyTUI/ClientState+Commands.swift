import LobbyCore

/// The `/` commands of the input line.
extension ClientState {
    /// Every command, for `/help` and Tab completion.
    static let commandNames = [
        "/away", "/back", "/clear", "/filter", "/help", "/me", "/msg", "/quit", "/search", "/who",
    ]

    static let helpLines = [
        "commands:",
        "  /help             this help",
        "  /who              who is here (and who is away)",
        "  /me TEXT          an action: * you TEXT",
        "  /msg NAME TEXT    a private message to NAME",
        "  /away [TEXT]      mark yourself away (TEXT defaults to \"away\")",
        "  /back             no longer away",
        "  /search TEXT      find older room messages containing TEXT",
        "  /filter smart|all smart: hide joins and leaves of users quiet for 10 minutes",
        "  /clear            clear the message area",
        "  /quit             leave (also Ctrl-C, or Ctrl-D on an empty line)",
        "keys: PgUp/PgDn and the mouse wheel scroll (PgUp at the top loads older messages),",
        "      Tab completes names and commands, Up/Down recall lines, Ctrl-L redraws",
    ]

    mutating func run(command line: String, now: Timestamp) -> [ClientCommand] {
        let name = line.prefix { !$0.isWhitespace }.lowercased()
        let argument = line.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
        switch name {
        case "/quit", "/exit":
            input = LineEditor()
            return [.quit]
        case "/me":
            guard !argument.isEmpty else { return usage("/me TEXT, for example /me waves", now: now) }
            return send("/me " + argument, now: now)
        case "/msg":
            let recipient = argument.prefix { !$0.isWhitespace }
            let text = argument.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
            guard !recipient.isEmpty, !text.isEmpty else {
                return usage("/msg NAME TEXT, for example /msg bob see you at 3", now: now)
            }
            return sendRequest(.sendDirect(to: String(recipient), text: text), now: now)
        case "/away":
            return sendRequest(.setAway(argument.isEmpty ? "away" : argument), now: now)
        case "/back":
            return sendRequest(.setAway(nil), now: now)
        case "/search":
            guard !argument.isEmpty else { return usage("/search TEXT, for example /search release date", now: now) }
            return sendRequest(.search(argument), now: now)
        case "/filter":
            guard let filter = JoinFilter(rawValue: argument.lowercased()) else {
                return usage("/filter smart|all (now: \(joinFilter.rawValue))", now: now)
            }
            input = LineEditor()
            joinFilter = filter
            let what =
                filter == .smart
                ? "joins and leaves of users quiet for 10 minutes are hidden" : "every join and leave is shown"
            append(.notice("filter \(filter.rawValue): \(what)"), at: now, now: now)
        case "/help":
            input = LineEditor()
            for line in Self.helpLines { append(.help(line), at: now, now: now) }
        case "/who":
            input = LineEditor()
            append(.notice(whoLine), at: now, now: now)
        case "/clear":
            input = LineEditor()
            clearLines()
        default:
            input = LineEditor()
            append(.notice("unknown command \(name): type /help for the list"), at: now, now: now)
        }
        return []
    }

    /// Sets the join filter (from the configuration file).
    public mutating func setJoinFilter(_ filter: JoinFilter) {
        joinFilter = filter
    }

    private mutating func usage(_ text: String, now: Timestamp) -> [ClientCommand] {
        input = LineEditor()
        append(.notice("usage: " + text), at: now, now: now)
        return []
    }

    var whoLine: String {
        guard !members.isEmpty else { return "no members known yet" }
        let names = members.map { member in
            var text = member.user == ownName ? "\(member.user) (you)" : member.user
            if let away = member.away { text += " (away: \(away))" }
            return text
        }
        return "\(members.count) \(members.count == 1 ? "member" : "members"): " + names.joined(separator: ", ")
    }
}
