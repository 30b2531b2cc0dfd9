import LobbyCore

/// Who is here, each user once, in the member pane's order: the welcome's list, then every join,
/// leave and away change on top of it. The full-screen client's pane and `/who` in both clients
/// read it.
///
/// ```swift
/// var list = MemberList()
/// list.replace(with: welcome.members)
/// list.apply(.join("bob", sessions: 1, at: now))
/// list.whoLine(ownName: "alice")  // "2 members: alice (you), bob"
/// ```
public struct MemberList: Sendable, Equatable {
    /// Each user once, sorted by name (case-insensitive, ties broken by the exact name).
    public private(set) var members: [Member] = []
    /// Whether `members` is the room as it stands: a welcome set it and the connection has not
    /// been lost since. While not, `members` is the last list known, shown greyed.
    public private(set) var isKnown = false

    public init() {}

    /// The connection was lost (or never made): who is here is unknown until the next welcome.
    /// The last list is kept, to be shown as such and compared with the next welcome.
    public mutating func forget() {
        isKnown = false
    }

    /// Takes a welcome's list: it is authoritative, so events that arrived before it are superseded.
    public mutating func replace(with members: [Member]) {
        isKnown = true
        var byName: [String: Member] = [:]
        for member in members { byName[member.user] = member }
        self.members = byName.values.sorted { Self.order($0.user) < Self.order($1.user) }
    }

    /// One join, leave or away change: a binary search in the sorted list, so a batch of
    /// thousands of events (a reconnect storm) costs no more than it has to.
    public mutating func apply(_ event: PresenceEvent) {
        let key = Self.order(event.user)
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if Self.order(members[middle].user) < key { low = middle + 1 } else { high = middle }
        }
        let isListed = low < members.count && members[low].user == event.user
        if event.type == .status {
            // Away changes who is away, never who is here.
            if isListed { members[low].away = event.away }
        } else if event.type == .join || event.sessions > 0 {
            // Another session joining keeps the user's away message.
            let away = isListed ? members[low].away : nil
            let member = Member(user: event.user, sessions: max(event.sessions, 1), away: away)
            if isListed { members[low] = member } else { members.insert(member, at: low) }
        } else if isListed {
            members.remove(at: low)
        }
    }

    /// How an away change reads, in every client: `bob is away: lunch`, `bob is away` (a bare
    /// `/away`, whose text is the default `away`), `bob is back`.
    public static func awayText(user: String, message: String?) -> String {
        guard let message else { return "\(user) is back" }
        return message == TypedLine.defaultAwayMessage ? "\(user) is away" : "\(user) is away: \(message)"
    }

    /// What to tell someone sending `user` a private message: that they are away, and why.
    public func awayNotice(forDirectTo user: String) -> String? {
        guard isKnown, let member = members.first(where: { $0.user == user }), let away = member.away else {
            return nil
        }
        return Self.awayText(user: user, message: away)
    }

    /// The user's own away message, if they are away.
    public func away(of user: String) -> String? {
        members.first { $0.user == user }?.away
    }

    /// What `/who` says: `3 members: alice (you), bob (away: lunch), carol`.
    public func whoLine(ownName: String) -> String {
        guard isKnown else {
            return "who is here is unknown while disconnected; the list is refreshed on reconnect"
        }
        guard !members.isEmpty else { return "no members known yet" }
        let names = members.map { member in
            var text = member.user == ownName ? "\(member.user) (you)" : member.user
            if let away = member.away { text += away == TypedLine.defaultAwayMessage ? " (away)" : " (away: \(away))" }
            return text
        }
        return "\(members.count) \(members.count == 1 ? "member" : "members"): " + names.joined(separator: ", ")
    }

    /// The member pane's order: case-insensitive, ties broken by the exact name.
    private static func order(_ user: String) -> (String, String) {
        (user.lowercased(), user)
    }
}
