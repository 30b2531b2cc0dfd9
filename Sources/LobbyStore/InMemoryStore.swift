import LobbyCore

/// A store that keeps everything in memory: for tests, and for running without a disk.
///
/// It behaves exactly like ``SQLiteStore`` (the same conformance tests run against both) but
/// forgets everything when it is released.
public final class InMemoryStore: LobbyStore {
    private struct State {
        var messages: [ChatMessage] = []
        var lastMessageID: Int64 = 0
        /// In insertion order, which breaks ties between equal connection times.
        var sessions: [SessionRecord] = []
        /// The index in `sessions` of each id's open row.
        var openSession: [String: Int] = [:]
        /// By ``NameClaimRecord/key(for:)``.
        var claims: [String: NameClaimRecord] = [:]
        /// Away messages by user.
        var awayByUser: [String: String] = [:]

        mutating func apply(_ write: StoreWrite) -> ChatMessage? {
            switch write {
            case .sessionStarted(let start):
                endOpenRow(of: start.id, reason: .closed, at: start.at)
                openSession[start.id.rawValue] = sessions.count
                sessions.append(
                    SessionRecord(
                        id: start.id.rawValue, connectedAt: start.at, remoteAddress: start.remoteAddress,
                        transport: start.transport))
                return nil
            case .sessionIdentified(let id, let user, let time):
                if let index = openSession[id.rawValue] {
                    sessions[index].user = user
                    sessions[index].identifiedAt = time
                }
                let key = NameClaimRecord.key(for: user)
                if let lastUsed = claims[key]?.lastUsed, lastUsed < time {
                    claims[key]?.lastUsed = time
                }
                return nil
            case .sessionEnded(let id, let reason, let time):
                endOpenRow(of: id, reason: reason, at: time)
                return nil
            case .message(let user, let text, let time, let to):
                lastMessageID += 1
                let message = ChatMessage(id: lastMessageID, user: user, text: text, at: time, to: to)
                messages.append(message)
                return message
            case .status(let user, let away, _):
                awayByUser[user] = away
                return nil
            }
        }

        mutating func endOpenRow(of id: SessionID, reason: LeaveReason, at time: Timestamp) {
            guard let index = openSession.removeValue(forKey: id.rawValue) else { return }
            sessions[index].endedAt = time
            sessions[index].reason = reason
        }
    }

    private let state = Locked(State())

    public init() {}

    public func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage] {
        // Validation is the only way a batch can fail here, so checking every write first
        // makes the batch all-or-nothing like a transaction.
        for write in batch {
            try write.validate()
        }
        return state.withLock { state in batch.compactMap { state.apply($0) } }
    }

    public func recentMessages(limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return state.withLock { Array($0.messages.lazy.filter { $0.to == nil }.suffix(limit)) }
    }

    public func closeOpenSessions(reason: LeaveReason, at time: Timestamp) async throws -> Int {
        try reason.validateAsEndReason()
        return state.withLock { state in
            let open = state.openSession
            for id in open.keys {
                state.endOpenRow(of: SessionID(id), reason: reason, at: time)
            }
            return open.count
        }
    }

    public func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            // Newest connection first; among equal times the later row, as SQLite orders by
            // (connected_at, serial) descending.
            let newestFirst = state.sessions.enumerated().sorted { lhs, rhs in
                lhs.element.connectedAt != rhs.element.connectedAt
                    ? lhs.element.connectedAt > rhs.element.connectedAt : lhs.offset > rhs.offset
            }
            return Array(newestFirst.lazy.map(\.element).filter { includeEnded || $0.isOpen }.prefix(limit))
        }
    }

    public func nameClaim(_ name: String) async throws -> NameClaimRecord? {
        state.withLock { $0.claims[NameClaimRecord.key(for: name)] }
    }

    public func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord] {
        state.withLock { state in
            requests.map { request in
                let key = NameClaimRecord.key(for: request.name)
                if let standing = state.claims[key], standing.isInForce(lapsedBefore: request.lapsedBefore) {
                    return standing
                }
                let claim = NameClaimRecord(
                    name: request.name, tokenHash: request.tokenHash, claimedAt: request.at, lastUsed: request.at)
                state.claims[key] = claim
                return claim
            }
        }
    }

    public func nameClaims() async throws -> [NameClaimRecord] {
        state.withLock { $0.claims.values.sorted { $0.name < $1.name } }
    }

    public func shutdown() async {}

    public func pruneSessions(endedBefore time: Timestamp) async throws -> Int {
        state.withLock { state in
            let before = state.sessions.count
            state.sessions.removeAll { session in session.endedAt.map { $0 < time } ?? false }
            // Indices moved: find each open row again.
            state.openSession = [:]
            for (index, session) in state.sessions.enumerated() where session.isOpen {
                state.openSession[session.id] = index
            }
            return before - state.sessions.count
        }
    }

    public func releaseNameClaim(_ name: String) async throws -> Bool {
        state.withLock { $0.claims.removeValue(forKey: NameClaimRecord.key(for: name)) != nil }
    }

    public func messages(before: Int64?, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            Self.withinPageBudget(
                Array(state.messages.lazy.filter { $0.to == nil && $0.id < (before ?? .max) }.suffix(limit)).reversed()
            ).reversed()
        }
    }

    /// The first of `newestFirst` whose texts fit in ``ReplyBudget/pageBytes``, as the SQL
    /// stores select them.
    private static func withinPageBudget(_ newestFirst: some Sequence<ChatMessage>) -> [ChatMessage] {
        var total = 0
        var kept: [ChatMessage] = []
        for message in newestFirst {
            total += message.text.utf8.count
            guard total <= ReplyBudget.pageBytes else { break }
            kept.append(message)
        }
        return kept
    }

    public func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage] {
        guard limit > 0, !words.isEmpty else { return [] }
        return state.withLock { state in
            Self.withinPageBudget(
                state.messages.reversed().lazy.filter { message in
                    message.to == nil && SearchWords.matches(message.text, words: words)
                }.prefix(limit))
        }
    }

    public func directMessages(of user: String, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return state.withLock { state in
            Array(state.messages.lazy.filter { $0.to != nil && ($0.to == user || $0.user == user) }.suffix(limit))
        }
    }

    public func awayStatuses() async throws -> [String: String] {
        state.withLock { $0.awayByUser }
    }
}
