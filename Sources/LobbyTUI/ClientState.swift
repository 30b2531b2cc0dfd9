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
    public private(set) var members: [Member] = []
    public private(set) var lines: [ChatLine] = []
    public internal(set) var input = LineEditor()
    /// How many rows the message area is scrolled up from the newest line; 0 follows new lines.
    public internal(set) var scrollOffset = 0
    /// The terminal size the scrolling rules use (a page is the message area's height).
    public private(set) var terminalSize: (width: Int, height: Int) = (80, 24)
    public let timeZone: TimeZoneRule

    /// Every message id ever shown, so a reconnect's history and a late duplicate are skipped
    /// (kept after `/clear` too: cleared lines must not come back with the next welcome).
    private var shownMessageIDs: Set<Int64> = []
    /// The day of the last line that has a time, for day-change lines.
    private var lastDay: LocalTime?
    private var hasBeenConnected = false
    /// The last connection failure shown since the last successful connection: a server that
    /// stays down fails every attempt the same way, and one line says so.
    private var lastFailureShown: String?

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

    public mutating func apply(_ event: ClientEvent, now: Timestamp) {
        switch event {
        case .status(let newStatus):
            updateStatus(to: newStatus, now: now)
        case .welcome(let welcome):
            ownName = welcome.user
            members = Self.sorted(welcome.members)
            for message in welcome.history.sorted(by: { $0.id < $1.id }) {
                show(message, now: now)
            }
        case .message(let message):
            show(message, now: now)
        case .presence(let event):
            updateMembers(with: event)
            switch event.type {
            case .join: append(.join(user: event.user), at: event.at, now: now)
            case .leave: append(.leave(user: event.user, reason: event.reason), at: event.at, now: now)
            case .status:
                let text = event.away.map { "\(event.user) is away: \($0)" } ?? "\(event.user) is back"
                append(.notice(text), at: event.at, now: now)
            }
        case .direct(let direct):
            append(.notice("*\(direct.from)* -> *\(direct.to)* \(direct.text)"), at: direct.at, now: now)
        case .history(let history):
            for message in history.messages { show(message, now: now) }
        case .search(let search):
            append(.notice("-- search: \(search.query) (\(search.messages.count) results) --"), at: now, now: now)
        case .serverError(let error):
            append(.error("\(error.message) (\(error.code))"), at: now, now: now)
        case .protocolError(let text):
            append(.error(text), at: now, now: now)
        }
    }

    private mutating func updateStatus(to newStatus: ConnectionStatus, now: Timestamp) {
        let old = status
        status = newStatus
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
        case (.connected, .connecting):
            append(.notice("connection lost; reconnecting"), at: now, now: now)
        case (_, .disconnected(let reason)) where reason != lastFailureShown:
            lastFailureShown = reason
            append(.error("disconnected: \(reason)"), at: now, now: now)
        default:
            break
        }
    }

    private mutating func show(_ message: ChatMessage, now: Timestamp) {
        guard shownMessageIDs.insert(message.id).inserted else { return }
        let isOwn = message.user == ownName
        let kind: ChatLine.Kind =
            if message.text.hasPrefix("/me ") {
                .action(user: message.user, text: String(message.text.dropFirst(4)), isOwn: isOwn)
            } else {
                .message(user: message.user, text: message.text, isOwn: isOwn)
            }
        append(kind, at: message.at, now: now, messageID: message.id)
    }

    /// One join or leave on top of the list: a binary search in the sorted list, so a batch of
    /// thousands of events (a reconnect storm) costs no more than it has to.
    private mutating func updateMembers(with event: PresenceEvent) {
        let key = Self.order(event.user)
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if Self.order(members[middle].user) < key { low = middle + 1 } else { high = middle }
        }
        let isListed = low < members.count && members[low].user == event.user
        if event.type == .join || event.sessions > 0 {
            let member = Member(user: event.user, sessions: max(event.sessions, 1))
            if isListed { members[low] = member } else { members.insert(member, at: low) }
        } else if isListed {
            members.remove(at: low)
        }
    }

    private static func sorted(_ members: [Member]) -> [Member] {
        var byName: [String: Member] = [:]
        for member in members { byName[member.user] = member }
        return byName.values.sorted { order($0.user) < order($1.user) }
    }

    /// The member pane's order: case-insensitive, ties broken by the exact name.
    private static func order(_ user: String) -> (String, String) {
        (user.lowercased(), user)
    }

    /// Adds a line, preceded by a day-change line when its day differs from the previous
    /// line's (or, for the first line, from today).
    mutating func append(_ kind: ChatLine.Kind, at timestamp: Timestamp, now: Timestamp, messageID: Int64? = nil) {
        let local = timeZone.localTime(of: timestamp)
        var added: [ChatLine] = []
        if !local.isSameDay(as: lastDay ?? timeZone.localTime(of: now)) {
            added.append(ChatLine(kind: .dayChange(local.longDate), at: timestamp, time: local.clock))
        }
        lastDay = local
        added.append(ChatLine(kind: kind, at: timestamp, time: local.clock, messageID: messageID))
        lines += added
        if scrollOffset > 0 {
            // Scrolled up: keep the same rows in view instead of following the new ones.
            let width = ScreenLayout(width: terminalSize.width, height: terminalSize.height).messageWidth
            scrollOffset += added.reduce(0) { $0 + Self.rowCount(of: $1, width: width) }
        }
        if lines.count > Self.maximumLines {
            lines.removeFirst(lines.count - Self.maximumLines)
            if scrollOffset > 0 { scrollOffset = min(scrollOffset, maximumScrollOffset) }
        }
    }

    /// Empties the message area (`/clear`).
    mutating func clearLines() {
        lines.removeAll()
        scrollOffset = 0
    }

    static func rowCount(of line: ChatLine, width: Int) -> Int {
        wrap(line.runs, width: width, indent: ChatLine.continuationIndent).count
    }

    /// The furthest the message area can scroll up: until the oldest row is at the top, with
    /// the bottom row taken by the "more below" mark.
    var maximumScrollOffset: Int {
        let layout = ScreenLayout(width: terminalSize.width, height: terminalSize.height)
        let totalRows = lines.reduce(0) { $0 + Self.rowCount(of: $1, width: layout.messageWidth) }
        return totalRows > layout.messageHeight ? totalRows - (layout.messageHeight - 1) : 0
    }
}
