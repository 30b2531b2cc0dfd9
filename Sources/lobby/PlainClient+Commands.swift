import LobbyClient
import LobbyCore
import LobbyTUI

/// What `--plain` does with one line of its input.
enum PlainAction: Equatable {
    /// A request for the server.
    case send(ClientRequest)
    /// Say goodbye and exit.
    case quit
    /// Identify again under another name.
    case rename(String)
    /// A new connection now.
    case reconnect
    /// `/ignore` or `/unignore`: run on the client's ignore list.
    case changeIgnoreList(TypedLine)
    /// `/set`: show or change the configuration file's settings.
    case set(key: String?, value: String?)
    /// Lines the client prints itself (help, `/who`, a refusal); none for an empty line.
    case say([String])
}

extension PlainClient {
    /// The full-screen client's commands, parsed by the same ``TypedLine``: requests go to the
    /// server, `/help` and `/who` are answered locally, and a refusal (an unknown command, a usage
    /// mistake, text over the limit) is a line of its own: nothing typed as a command is ever
    /// sent as chat text.
    /// Whether the ignore list hides what `event` would print (the same rule as the full-screen
    /// client's: messages, private messages received and presence lines of an ignored user).
    static func isHidden(_ event: ConnectionEvent, by ignoreList: IgnoreList, ownName: String) -> Bool {
        switch event {
        case .session(.message(let message)): ignoreList.contains(message.user)
        case .session(.direct(let direct)): direct.from != ownName && ignoreList.contains(direct.from)
        case .session(.presence(let presence)): ignoreList.contains(presence.user)
        default: false
        }
    }

    static func action(for line: TypedLine, members: MemberList, ownName: String) -> PlainAction {
        if let refusal = line.refusal { return .say(["*** \(refusal) (not sent)"]) }
        switch line {
        case .empty: return .say([])
        case .chat(let text): return .send(.chat(text))
        case .action(let text): return .send(.chat(ChatAction.prefix + text))
        case .direct(let recipient, let text): return .send(.direct(to: recipient, text: text))
        case .away(let message): return .send(.away(message))
        case .back: return .send(.away(nil))
        case .search(let query): return .send(.search(query, limit: ChatLimits.defaultSearchPage))
        case .nick(let name): return .rename(name)
        case .reconnect: return .reconnect
        case .ignore, .unignore: return .changeIgnoreList(line)
        case .set(let key, let value): return .set(key: key, value: value)
        case .quit: return .quit
        case .help: return .say(TypedLine.helpLines.map { "*** " + $0 })
        case .who: return .say(["*** " + printable(members.whoLine(ownName: ownName))])
        case .filter: return .say(["*** /filter is for the full-screen client: --plain prints every line"])
        case .clear: return .say(["*** /clear is for the full-screen client: --plain has no message area"])
        case .usage(let text): return .say(["*** usage: " + text])
        case .unknown(let name): return .say(["*** unknown command \(name): type /help for the list (not sent)"])
        }
    }
}
