import LobbyCore

/// The `/` commands of the input line, as ``TypedLine`` parses them.
extension ClientState {
    /// Every command, for `/help` and Tab completion.
    static var commandNames: [String] { TypedLine.commandNames }

    /// Carries out a typed line. A refusal (an unknown command, a usage mistake, text over the
    /// limit, no connection) says why and leaves the line in the input, to be corrected.
    mutating func run(_ line: TypedLine, now: Timestamp) -> [ClientCommand] {
        if let refusal = line.refusal {
            append(.error(refusal + " (not sent; it stays in the input line)"), at: now, now: now)
            return []
        }
        switch line {
        case .empty:
            input = LineEditor()
        case .chat(let text):
            return send(text, now: now)
        case .action(let text):
            return send(ChatAction.prefix + text, now: now)
        case .direct(let recipient, let text):
            let commands = sendRequest(.sendDirect(to: recipient, text: text), now: now)
            // irssi and WeeChat show the recipient's away message: the reply may take a while.
            if !commands.isEmpty, let notice = memberList.awayNotice(forDirectTo: recipient) {
                append(.notice(notice), at: now, now: now)
            }
            return commands
        case .away(let message):
            return sendRequest(.setAway(message), now: now)
        case .back:
            return sendRequest(.setAway(nil), now: now)
        case .search(let query):
            return sendRequest(.search(query), now: now)
        case .nick(let name):
            // No connection check: after `name-taken` the session is open but has no name yet.
            input = LineEditor()
            append(.notice("asking for the name \(name)…"), at: now, now: now)
            return [.rename(name)]
        case .quit:
            input = LineEditor()
            return [.quit]
        case .ignore, .unignore:
            input = LineEditor()
            guard let (notice, changed) = ignoreList.run(line) else { return [] }
            append(.notice(notice), at: now, now: now)
            return changed ? [.saveIgnoreList(ignoreList)] : []
        case .reconnect:
            input = LineEditor()
            append(.notice("reconnecting…"), at: now, now: now)
            if case .connected = status { isReconnectRequested = true }
            return [.reconnect]
        case .set(let key, let value):
            input = LineEditor()
            return [.set(key: key, value: value)]
        case .filter(nil):
            append(.notice("usage: /filter smart|all (now: \(joinFilter.rawValue))"), at: now, now: now)
        case .filter(let filter?):
            input = LineEditor()
            joinFilter = filter
            let what =
                filter == .smart
                ? "joins and leaves of users quiet for 10 minutes are hidden" : "every join and leave is shown"
            append(.notice("filter \(filter.rawValue): \(what)"), at: now, now: now)
        case .help:
            input = LineEditor()
            for line in TypedLine.helpLines { append(.help(line), at: now, now: now) }
        case .who:
            input = LineEditor()
            append(.notice(whoLine), at: now, now: now)
        case .clear:
            input = LineEditor()
            clearLines()
        case .usage(let text):
            append(.notice("usage: " + text), at: now, now: now)
        case .unknown(let name):
            append(.notice("unknown command \(name): type /help for the list (not sent)"), at: now, now: now)
        }
        return []
    }

    /// Shows what `/set` did or found, as local lines (the client loop carries `/set` out).
    public mutating func noteSetting(_ lines: [String], isError: Bool = false, now: Timestamp) {
        for line in lines { append(isError ? .error(line) : .notice(line), at: now, now: now) }
    }

    /// Sets the join filter (from the configuration file).
    public mutating func setJoinFilter(_ filter: JoinFilter) {
        joinFilter = filter
    }

    var whoLine: String { memberList.whoLine(ownName: ownName) }
}
