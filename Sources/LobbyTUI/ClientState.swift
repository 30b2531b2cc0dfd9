import LobbyCore

/// Everything the terminal client shows, as a value: network events and key presses in,
/// state out.
///
/// The client loop feeds ``apply(_:now:)`` with what the network reports and
/// ``handle(_:now:)`` with key presses, performs the returned ``ClientCommand``s, and draws
/// with ``Screen/render(_:on:now:)``. Nothing here does I/O or reads the clock, so every rule
/// (dedupe, presence, scrolling, commands) is a plain test.
///
/// ```swift
/// var state = ClientState(ownName: "alice", now: now)
/// state.resize(width: 80, height: 24)
/// state.apply(.welcome(welcome), now: now)
/// let commands = state.handle(.enter, now: now)
/// ```
public struct ClientState: Sendable {
    /// The name this client chats as: the one it asked for, then the one the server confirmed.
    public private(set) var ownName: String
    public private(set) var status: ConnectionStatus = .connecting(attempt: 1)
    /// Each user once, sorted by name.
    public var members: [Member] { memberList.members }
    private(set) var memberList = MemberList()
    /// The user's own away message (from the welcome and their own away changes), nil when here.
    public var ownAway: String? { memberList.away(of: ownName) }
    /// Whether ``members`` is the room as it stands; while disconnected it is the last list known.
    public var membersAreKnown: Bool { memberList.isKnown }
    public internal(set) var lines: [ChatLine] = []
    public internal(set) var input = LineEditor()
    /// How many rows the message area is scrolled up from the newest line; 0 follows new lines.
    public internal(set) var scrollOffset = 0
    /// The terminal size the scrolling rules use (a page is the message area's height).
    public private(set) var terminalSize: (width: Int, height: Int) = (80, 24)
    public let timeZone: TimeZoneRule

    /// Every message id ever shown, so a reconnect's history and a late duplicate are skipped
    /// (kept after `/clear` too: cleared lines must not come back with the next welcome).
    var shownMessageIDs: Set<Int64> = []
    /// The day of the last line that has a time, for day-change lines.
    private var lastDay: LocalTime?
    private var hasBeenConnected = false
    /// The last connection failure shown since the last successful connection: a server that
    /// stays down fails every attempt the same way, and one line says so.
    private var lastFailureShown: String?
    /// `/reconnect` closed the connection on purpose: its end is no "connection lost".
    var isReconnectRequested = false

    /// A strftime format for message times (config `timestamp`); nil: `HH:MM`.
    public var timestampFormat: String?
    /// Ring the bell on a mention or a private message (config `bell`).
    public var bell = true
    /// Words that highlight a message as the user's own name does (config `highlight`).
    public var highlightWords: [String] = []
    /// Users whose messages, private messages and presence lines are hidden (`/ignore`); set it
    /// from the saved file at start.
    public var ignoreList = IgnoreList(text: "")
    /// Which join and leave lines are shown (`/filter`).
    public internal(set) var joinFilter: JoinFilter = .all
    /// While scrolled up: messages and mentions that arrived below the view.
    public internal(set) var unseenMessages = 0
    public internal(set) var unseenMentions = 0

    /// Private messages shown, so a reconnect's welcome does not repeat them.
    var shownDirectIDs: Set<Int64> = []
    /// The oldest room message loaded: where the next history page ends.
    var oldestMessageID: Int64?
    /// `/clear` emptied the area and no history page has been put above since.
    var hasUnmarkedClear = false
    /// A history request is on its way: PgUp sends one at a time.
    var isHistoryRequested = false
    /// The server answered a history request with nothing: there is nothing older.
    var reachedBeginningOfHistory = false
    /// Flaps, reconnects and server restarts: which joins read `is back`, which are not shown.
    var continuity = RoomContinuity()
    /// When each user last said something, for the smart filter.
    var lastSpoke: [String: Timestamp] = [:]

    var inputHistory: [String] = []
    var historyPosition: Int?
    var draft = ""
    var completion: NameCompletion?

    /// Older lines are dropped past this many, so a long-running client stays small.
    static let maximumLines = 5000
    static let maximumInputHistory = 100

    public init(ownName: String, now: Timestamp, timeZone: TimeZoneRule = .system) {
        self.ownName = ownName
        self.timeZone = timeZone
        // Nothing depends on the start time yet: each event brings its own `now` (the first
        // line's day-change is decided against it).
        _ = now
    }

    /// Sets the terminal size: call it at start and on every resize, before drawing.
    public mutating func resize(width: Int, height: Int) {
        terminalSize = (width, height)
        // Measuring every line is skipped at the bottom: the client loop calls this before each draw.
        if scrollOffset > 0 { scrollOffset = min(scrollOffset, maximumScrollOffset) }
    }

    /// Applies a network event; returns what the client loop must do besides redrawing (ring
    /// the bell on a mention or a private message).
    @discardableResult
    public mutating func apply(_ event: ClientEvent, now: Timestamp) -> [ClientCommand] {
        switch event {
        case .status(let newStatus):
            updateStatus(to: newStatus, now: now)
        case .welcome(let welcome):
            ownName = welcome.user
            memberList.replace(with: welcome.members)
            if let reconnect = continuity.welcomed(welcome, now: now) { showChanges(reconnect, now: now) }
            // A history request sent on the old connection will never be answered.
            isHistoryRequested = false
            for message in welcome.history.sorted(by: { $0.id < $1.id }) {
                show(message, now: now)
            }
            for direct in (welcome.directs ?? []).sorted(by: { $0.id < $1.id }) {
                show(direct, now: now)
            }
        case .message(let message):
            return show(message, now: now) ? alert() : []
        case .presence(let event):
            // Before this connection's welcome (subscribed, not yet identified) a change is already
            // in the welcome's list: the reconnect's comparison announces it, not a line of its own.
            guard memberList.isKnown else { return [] }
            memberList.apply(event)
            showPresence(event, now: now)
        case .direct(let direct):
            return show(direct, now: now) && direct.from != ownName ? alert() : []
        case .history(let history):
            prependHistory(history.messages, now: now)
        case .search(let search):
            showSearchResults(search, now: now)
        case .serverError(let error) where error.code == ErrorCode.nameTaken:
            append(.error("\(error.message) (\(error.code))"), at: now, now: now)
            if case .connected = status {
                // A refused /nick: the session keeps its name.
                append(.notice("you are still \(ownName)"), at: now, now: now)
            } else {
                // The first identity was refused: nothing happens until the user picks a way out.
                status = .disconnected("the name is taken: /nick ANOTHER or /quit")
                append(.notice("type /nick ANOTHERNAME to take another name, or /quit"), at: now, now: now)
            }
        case .serverError(let error) where error.code == ErrorCode.notHere:
            // The server's message names the user ("bob is not here"): the code adds nothing.
            append(.error(error.message), at: now, now: now)
        case .serverError(let error):
            append(.error("\(error.message) (\(error.code))"), at: now, now: now)
        case .protocolError(let text):
            append(.error(text), at: now, now: now)
        }
        return []
    }

    private func alert() -> [ClientCommand] { bell ? [.bell] : [] }

    private mutating func updateStatus(to newStatus: ConnectionStatus, now: Timestamp) {
        let old = status
        status = newStatus
        let isConnected = if case .connected = newStatus { true } else { false }
        if !isConnected, memberList.isKnown {
            // Nobody tells a disconnected client who comes and goes.
            continuity.connectionLost(members: memberList.members)
            memberList.forget()
        }
        switch (old, newStatus) {
        case (.connected, .connected):
            break
        case (_, .connected(let user, _)):
            ownName = user
            lastFailureShown = nil
            append(.notice((hasBeenConnected ? "reconnected as " : "connected as ") + user), at: now, now: now)
            hasBeenConnected = true
        case (.connected, .reconnecting(let seconds)):
            append(.notice("connection lost; reconnecting in \(seconds) s"), at: now, now: now)
        case (.connected, .connecting) where isReconnectRequested:
            isReconnectRequested = false
        case (.connected, .connecting):
            append(.notice("connection lost; reconnecting"), at: now, now: now)
        case (_, .disconnected(let reason)) where reason != lastFailureShown:
            isHistoryRequested = false
            lastFailureShown = reason
            append(.error("disconnected: \(reason)"), at: now, now: now)
        default:
            break
        }
    }

    /// Shows a room message not shown before; returns whether it mentions this user (and is new).
    @discardableResult
    private mutating func show(_ message: ChatMessage, now: Timestamp) -> Bool {
        guard shownMessageIDs.insert(message.id).inserted, !ignoreList.contains(message.user) else { return false }
        oldestMessageID = min(oldestMessageID ?? message.id, message.id)
        lastSpoke[message.user] = max(lastSpoke[message.user] ?? message.at, message.at)
        let isMention =
            message.user != ownName
            && ([ownName] + highlightWords).contains { mentions($0, in: message.text) }
        if scrollOffset > 0 {
            unseenMessages += 1
            if isMention { unseenMentions += 1 }
        }
        append(
            Self.kind(of: message, ownName: ownName), at: message.at, now: now, messageID: message.id,
            isMention: isMention)
        return isMention
    }

    static func kind(of message: ChatMessage, ownName: String) -> ChatLine.Kind {
        let isOwn = message.user == ownName
        return if let action = ChatAction.text(of: message.text) {
            .action(user: message.user, text: action, isOwn: isOwn)
        } else {
            .message(user: message.user, text: message.text, isOwn: isOwn)
        }
    }

    /// Adds a line, preceded by a day-change line when its day differs from the previous
    /// line's (or, for the first line, from today).
    mutating func append(
        _ kind: ChatLine.Kind, at timestamp: Timestamp, now: Timestamp, messageID: Int64? = nil, isMention: Bool = false
    ) {
        let local = timeZone.localTime(of: timestamp)
        var added: [ChatLine] = []
        if !local.isSameDay(as: lastDay ?? timeZone.localTime(of: now)) {
            added.append(ChatLine(kind: .dayChange(local.longDate), at: timestamp, time: local.clock))
        }
        lastDay = local
        added.append(
            ChatLine(
                kind: kind, at: timestamp, time: clock(of: timestamp, local), messageID: messageID, isMention: isMention
            ))
        lines += added
        if scrollOffset > 0 {
            // Scrolled up: keep the same rows in view instead of following the new ones.
            let width = ScreenLayout(width: terminalSize.width, height: terminalSize.height).messageWidth
            scrollOffset += added.reduce(0) { $0 + Self.rowCount(of: $1, width: width) }
        }
        if lines.count > Self.maximumLines { dropOldestLines() }
    }

    /// Keeps the newest ``maximumLines``. The dropped messages can be fetched again with PgUp:
    /// their ids are forgotten and the next history page starts above the oldest kept message.
    private mutating func dropOldestLines() {
        let dropped = lines.prefix(lines.count - Self.maximumLines)
        for case let id? in dropped.map(\.messageID) { shownMessageIDs.remove(id) }
        lines.removeFirst(dropped.count)
        oldestMessageID = lines.first { $0.messageID != nil }?.messageID
        reachedBeginningOfHistory = false
        if scrollOffset > 0 { scrollOffset = min(scrollOffset, maximumScrollOffset) }
    }

    /// Adds a line that carries its own date (a marker, a search result): no day-change line.
    mutating func appendUndated(_ kind: ChatLine.Kind, time: String = "", now: Timestamp) {
        lines.append(ChatLine(kind: kind, at: now, time: time))
        if scrollOffset > 0 {
            let width = ScreenLayout(width: terminalSize.width, height: terminalSize.height).messageWidth
            scrollOffset += Self.rowCount(of: lines[lines.count - 1], width: width)
        }
    }

    /// A line's time: the configured format, else `HH:MM`.
    func clock(of timestamp: Timestamp, _ local: LocalTime) -> String {
        timestampFormat.map { timeZone.format(timestamp, strftime: $0) } ?? local.clock
    }

    /// Empties the message area (`/clear`). History loaded with PgUp afterwards is older than
    /// what was cleared: ``hasUnmarkedClear`` puts a marker where the cleared lines were.
    mutating func clearLines() {
        lines.removeAll()
        scrollOffset = 0
        hasUnmarkedClear = true
    }

    static func rowCount(of line: ChatLine, width: Int) -> Int {
        line.rows(width: width).count
    }

    /// The furthest the message area can scroll up: until the oldest row is at the top, with
    /// the bottom row taken by the "more below" mark.
    var maximumScrollOffset: Int {
        let layout = ScreenLayout(width: terminalSize.width, height: terminalSize.height)
        let totalRows = lines.reduce(0) { $0 + Self.rowCount(of: $1, width: layout.messageWidth) }
        return totalRows > layout.messageHeight ? totalRows - (layout.messageHeight - 1) : 0
    }
}
