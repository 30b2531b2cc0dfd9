/// What a presence update means for the room: a user appeared or disappeared.
///
/// Changes are per user, not per session: a second terminal of `alice` changes her session
/// count but announces nothing.
public enum PresenceChange: Sendable, Equatable {
    /// The user's first session was identified. `sessions` is the count after the change (1).
    case joined(UserName, sessions: Int)
    /// The user's last session ended (or, with ``LeaveReason/renamed``, took another name).
    /// `sessions` is the count after the change (0).
    case left(UserName, reason: LeaveReason, sessions: Int)

    /// The user the change is about.
    public var user: UserName {
        switch self {
        case .joined(let user, _), .left(let user, _, _): user
        }
    }

    /// The `/topic/presence` payload announcing this change.
    public func event(at time: Timestamp) -> PresenceEvent {
        switch self {
        case .joined(let user, let sessions):
            .join(user.rawValue, sessions: sessions, at: time)
        case .left(let user, let reason, let sessions):
            .leave(user.rawValue, reason: reason, sessions: sessions, at: time)
        }
    }
}

/// Who is in the room: which session belongs to which user, as pure state.
///
/// Modelled on Phoenix Presence: a user may hold several sessions (two terminals, or a
/// reconnect racing its own dead predecessor), `join` is announced for the first and `leave`
/// for the last. Because a session is removed at most once, a late end of an old session can
/// never remove a user whose newer session is alive, and a leave is never announced twice.
///
/// ```swift
/// var presence = Presence()
/// presence.track("s1", as: alice)            // [.joined(alice, sessions: 1)]
/// presence.track("s2", as: alice)            // []
/// presence.untrack("s1", reason: .closed)    // nil: s2 still holds alice
/// presence.untrack("s2", reason: .quit)      // .left(alice, reason: .quit, sessions: 0)
/// ```
///
/// The type does no locking: the server keeps it inside one owner (a lock or an actor) so
/// that each change and the announcement it returns are decided together.
public struct Presence: Sendable {
    private var userBySession: [SessionID: UserName] = [:]
    /// Only users with at least one session have an entry, so the keys are the member list.
    private var sessionsByUser: [UserName: Set<SessionID>] = [:]
    /// The keys of `sessionsByUser`, kept sorted as users come and go, so the member list of a
    /// welcome costs one pass instead of a sort on every identify.
    private var sortedUsers: [UserName] = []

    public init() {}

    /// Records that `session` identified as `user`.
    ///
    /// - Returns: `[.joined]` for the user's first session; `[]` for another session of a
    ///   present user or a repeat of the same identity. A session that identifies again under
    ///   a new name is a rename: `.left(old, reason: .renamed)` if it was the old name's last
    ///   session, then `.joined(new)` if the new name had no session, in that order.
    public mutating func track(_ session: SessionID, as named: UserName) -> [PresenceChange] {
        // Names are one user when their skeletons are equal (`alice`, `Alice`): the form the
        // user's first live session typed is the one listed, joined and left, so the list
        // never holds a member that no leave can remove.
        let user = sessionsByUser.index(forKey: named).map { sessionsByUser[$0].key } ?? named
        var changes: [PresenceChange] = []
        if let previous = userBySession[session] {
            if previous == user { return [] }
            if let left = remove(session, from: previous, reason: .renamed) {
                changes.append(left)
            }
        }
        userBySession[session] = user
        sessionsByUser[user, default: []].insert(session)
        if sessionsByUser[user]?.count == 1 {
            sortedUsers.insert(user, at: insertionIndex(of: user))
            changes.append(.joined(user, sessions: 1))
        }
        return changes
    }

    /// Records that `session` ended.
    ///
    /// - Returns: `.left(user, reason:, sessions: 0)` when it was the user's last session;
    ///   `nil` when the user still has another session, and for a session that is unknown or
    ///   was already untracked, so each session's end is counted exactly once.
    public mutating func untrack(_ session: SessionID, reason: LeaveReason) -> PresenceChange? {
        guard let user = userBySession.removeValue(forKey: session) else { return nil }
        return remove(session, from: user, reason: reason)
    }

    /// The user `session` identified as, if it is tracked.
    public func user(of session: SessionID) -> UserName? {
        userBySession[session]
    }

    /// The live sessions of `user` (0 when absent).
    /// Whether the user has a live session.
    public func isPresent(_ user: UserName) -> Bool {
        sessionsByUser[user] != nil
    }

    /// The present user `user` is (by skeleton), in the form it is listed under: `/msg BOB`
    /// reaches `bob` as `bob`. Nil when absent.
    public func member(named user: UserName) -> UserName? {
        sessionsByUser.index(forKey: user).map { sessionsByUser[$0].key }
    }

    public func sessionCount(of user: UserName) -> Int {
        sessionsByUser[user]?.count ?? 0
    }

    /// The sessions `user` holds, in id order.
    public func sessions(of user: UserName) -> [SessionID] {
        (sessionsByUser[user] ?? []).sorted()
    }

    /// Each present user once, sorted by name (case-insensitive, then exact), with the number
    /// of live sessions: the member list of the `welcome` reply.
    public var members: [Member] {
        sortedUsers.map { Member(user: $0.rawValue, sessions: sessionsByUser[$0]?.count ?? 0) }
    }

    /// Whether nobody is present.
    public var isEmpty: Bool { userBySession.isEmpty }

    /// Removes `session` from `user`'s sessions; announces the leave when it was the last one.
    private mutating func remove(_ session: SessionID, from user: UserName, reason: LeaveReason) -> PresenceChange? {
        guard var sessions = sessionsByUser[user], sessions.remove(session) != nil else { return nil }
        if sessions.isEmpty {
            sessionsByUser[user] = nil
            let index = insertionIndex(of: user)
            if index < sortedUsers.count, sortedUsers[index] == user {
                sortedUsers.remove(at: index)
            }
            return .left(user, reason: reason, sessions: 0)
        }
        sessionsByUser[user] = sessions
        return nil
    }

    /// Where `user` is, or would go, in `sortedUsers` (binary search).
    private func insertionIndex(of user: UserName) -> Int {
        var low = 0
        var high = sortedUsers.count
        while low < high {
            let middle = (low + high) / 2
            if sortedUsers[middle] < user { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
