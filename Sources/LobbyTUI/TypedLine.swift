import LobbyCore

/// What a line typed in the input means: text for the room or one of the `/` commands. The one
/// parser of both clients: the full-screen client and `lobby --plain` each carry out what it says.
///
/// A line starting with `/` is a command (one word, then its argument), unless it starts with
/// `//` (sent as text without the first `/`, the IRC way to begin a message with a slash) or holds
/// a line break (a pasted block is text).
///
/// ```swift
/// TypedLine(parsing: "/msg bob see you at 3")  // .direct(to: "bob", text: "see you at 3")
/// TypedLine(parsing: "//etc/hosts is wrong")   // .chat("/etc/hosts is wrong")
/// TypedLine(parsing: "/mgs hi")                // .unknown("/mgs")
/// ```
public enum TypedLine: Sendable, Equatable {
    /// Nothing but whitespace.
    case empty
    /// Text for the room, as typed (the server trims it).
    case chat(String)
    /// `/me TEXT`: sent as the chat text `/me TEXT`.
    case action(String)
    /// `/msg NAME TEXT`.
    case direct(to: String, text: String)
    /// `/away [TEXT]` (TEXT defaults to `away`).
    case away(String)
    /// `/back`.
    case back
    /// `/search TEXT`.
    case search(String)
    /// `/nick NAME`: identify again under another name.
    case nick(String)
    /// `/reconnect`: a new connection now.
    case reconnect
    /// `/ignore NAME` hides a user; `/ignore` alone lists who is hidden.
    case ignore(String?)
    /// `/unignore NAME`.
    case unignore(String)
    /// `/set` lists the settings, `/set KEY` shows one, `/set KEY VALUE` changes it and saves it to
    /// the configuration file (VALUE as typed: the client checks it with the file's parser).
    case set(key: String?, value: String?)
    /// `/filter smart|all`; nil when the argument is neither.
    case filter(JoinFilter?)
    case help
    case who
    case clear
    /// `/quit` or `/exit`.
    case quit
    /// A known command without what it needs: the text is how to use it.
    case usage(String)
    /// A `/` word that is no command: never sent as text.
    case unknown(String)

    public init(parsing typed: String) {
        let trimmed = typed.trimmed(where: \.isWhitespace)
        guard !trimmed.isEmpty else {
            self = .empty
            return
        }
        guard trimmed.hasPrefix("/"), !trimmed.hasPrefix("//"), !trimmed.contains("\n") else {
            self = .chat(trimmed.hasPrefix("//") ? String(trimmed.dropFirst()) : typed)
            return
        }
        let name = trimmed.prefix { !$0.isWhitespace }.lowercased()
        let argument = trimmed.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
        switch name {
        case "/quit", "/exit": self = .quit
        case "/me": self = argument.isEmpty ? .usage("/me TEXT, for example /me waves") : .action(argument)
        case "/msg":
            let recipient = argument.prefix { !$0.isWhitespace }
            let text = argument.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
            self =
                recipient.isEmpty || text.isEmpty
                ? .usage("/msg NAME TEXT, for example /msg bob see you at 3")
                : .direct(to: String(recipient), text: text)
        case "/away": self = .away(argument.isEmpty ? Self.defaultAwayMessage : argument)
        case "/back": self = .back
        case "/search":
            self = argument.isEmpty ? .usage("/search TEXT, for example /search release date") : .search(argument)
        case "/filter": self = .filter(JoinFilter(rawValue: argument.lowercased()))
        case "/nick": self = argument.isEmpty ? .usage("/nick NAME, for example /nick alice2") : .nick(argument)
        case "/reconnect": self = .reconnect
        case "/ignore": self = .ignore(argument.isEmpty ? nil : argument)
        case "/unignore":
            self = argument.isEmpty ? .usage("/unignore NAME, for example /unignore bob") : .unignore(argument)
        case "/set":
            let key = argument.prefix { !$0.isWhitespace }
            let value = argument.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
            self = .set(key: key.isEmpty ? nil : String(key), value: value.isEmpty ? nil : value)
        case "/help": self = .help
        case "/who": self = .who
        case "/clear": self = .clear
        default: self = .unknown(name)
        }
    }

    /// Why the client refuses to send this line, or nil: text over the server's limits
    /// (``ChatLimits``) is refused before it leaves, so it can stay in the input to be shortened.
    public var refusal: String? {
        switch self {
        case .chat(let text):
            return ChatLimits.textProblem(text.trimmed(where: \.isWhitespace))
        case .action(let text):
            return ChatLimits.textProblem(ChatAction.prefix + text)
        case .direct(_, let text):
            return ChatLimits.textProblem(text)
        case .nick(let name):
            do {
                _ = try UserName(validating: name)
                return nil
            } catch {
                return "/nick: \(error)"
            }
        case .away(let message) where message.count > ChatLimits.awayLength.upperBound:
            let limit = ChatLimits.awayLength.upperBound
            return "an away message must be at most \(limit) characters (this is \(message.count))"
        case .away(let message) where message.utf8.count > ChatLimits.maximumAwayBytes:
            return "an away message must be at most \(ChatLimits.maximumAwayBytes) bytes of UTF-8"
        default:
            return nil
        }
    }

    /// What a bare `/away` sends: the server needs a text, and every client reads this one as
    /// plain "away" (``MemberList/awayText(user:message:)``).
    public static let defaultAwayMessage = "away"

    /// Every command, for `/help` and Tab completion.
    public static let commandNames = [
        "/away", "/back", "/clear", "/filter", "/help", "/ignore", "/me", "/msg", "/nick", "/quit", "/reconnect",
        "/search", "/set", "/unignore", "/who",
    ]

    public static let helpLines = [
        "commands:",
        "  /help             this help",
        "  /who              who is here (and who is away)",
        "  /me TEXT          an action: * you TEXT",
        "  /msg NAME TEXT    a private message to NAME",
        "  /away [TEXT]      mark yourself away (TEXT defaults to \"away\")",
        "  /back             no longer away",
        "  /search TEXT      find older room messages containing TEXT",
        "  /nick NAME        take another name (a taken name needs its owner's token)",
        "  /filter smart|all smart: hide joins and leaves of users quiet for 10 minutes",
        "  /ignore [NAME]    hide NAME's messages and joins (kept across restarts); alone: the list",
        "  /unignore NAME    show NAME again",
        "  /set [KEY VALUE]  show the settings, or change one (saved to config.toml)",
        "  /clear            clear the message area",
        "  /reconnect        a new connection now (also after a kick)",
        "  /quit             leave (also Ctrl-C, or Ctrl-D on an empty line)",
        "  //TEXT            send TEXT starting with a single /",
        "keys: PgUp/PgDn and the mouse wheel scroll (PgUp at the top loads older messages),",
        "      Tab completes names and commands, Up/Down recall lines, Ctrl-L redraws",
    ]
}
