import LobbyCore

/// Where the connection to the server stands, as the status line shows it.
public enum ConnectionStatus: Sendable, Equatable {
    case connecting(attempt: Int)
    case connected(user: String, sessionID: String)
    case reconnecting(inSeconds: Int)
    case disconnected(String)
}

/// What the network layer reports to ``ClientState``.
public enum ClientEvent: Sendable, Equatable {
    case status(ConnectionStatus)
    /// Replaces the member list (it is authoritative: presence events that arrived before it are
    /// superseded); merges the history without repeating lines already shown.
    case welcome(Welcome)
    /// A chat message; one already shown (same id) is ignored.
    case message(ChatMessage)
    /// A join or leave (a rename is a leave with reason `renamed` and a join). A batch of presence
    /// changes is applied as one of these per event, in order.
    case presence(PresenceEvent)
    /// A private `error` from the server.
    case serverError(ErrorEvent)
    /// A STOMP `ERROR`, a session id mismatch or a transport failure, in words.
    case protocolError(String)
    /// A private message to or from this user.
    case direct(DirectMessage)
    /// Older room messages, oldest first (the answer to a history request).
    case history(HistoryReply)
    /// Search results, newest first.
    case search(SearchReply)
}

/// A key press, as the terminal reports it.
public enum Key: Sendable, Equatable {
    /// A printable grapheme cluster (or one scalar of it; the line editor joins them).
    case character(Character)
    case enter
    case backspace
    case delete
    case left
    case right
    case home
    case end
    case up
    case down
    case pageUp
    case pageDown
    case tab
    /// Ctrl plus a letter, lowercased: `.control("a")` is Ctrl-A.
    case control(Character)
    /// Alt (Meta) plus a character: the terminal sends Escape then the character.
    case alt(Character)
    /// The terminal changed size.
    case resize
    case escape
    /// Text pasted while bracketed paste is on, line breaks as `\n`: it goes into the input line
    /// whole, so a pasted block is one message.
    case paste(String)
    /// The mouse wheel, a few rows at a time.
    case wheelUp
    case wheelDown
}

/// Which join and leave lines the message area shows (`/filter`); the member pane always
/// follows every change.
public enum JoinFilter: String, Sendable, Equatable, CaseIterable {
    /// Every join and leave.
    case all
    /// Only those of users who spoke in the last 10 minutes (WeeChat's smart filter).
    case smart
}

/// What the client loop must do after a key press.
public enum ClientCommand: Sendable, Equatable {
    /// Send this text to `/app/chat`. `/me waves` is sent as the text `/me waves`.
    case sendChat(String)
    /// Say goodbye (STOMP `DISCONNECT`), restore the terminal and exit.
    case quit
    /// Repaint the whole terminal from scratch (Ctrl-L).
    case redraw
    /// Send a private message (`/app/direct`).
    case sendDirect(to: String, text: String)
    /// Set the away message, or clear it with nil (`/app/status`).
    case setAway(String?)
    /// Ask for room messages older than `before` (`/app/history`).
    case requestHistory(before: Int64, limit: Int)
    /// Search the room (`/app/search`).
    case search(String)
    /// Ring the terminal bell: a mention or a private message arrived.
    case bell
    /// Open a new connection now (`/reconnect`).
    case reconnect
    /// Write the ignore list to its file (`/ignore`, `/unignore` changed it).
    case saveIgnoreList(IgnoreList)
    /// `/set`: show the settings or one of them, or change one (KEY and VALUE as typed). The
    /// client loop owns the configuration file: it reads or rewrites it, applies what takes effect
    /// at once, and says what happened with ``ClientState/noteSetting(_:now:)``.
    case set(key: String?, value: String?)
    /// Identify again under another name (`/nick`); needs an open session, not a welcome, so it
    /// is the way out of a taken name.
    case rename(String)
}
