import LobbyCore

/// Where Lobby keeps the session-to-user mapping and the chat history.
///
/// A small protocol with one adapter per engine (``SQLiteStore``, ``InMemoryStore``), all
/// held to the same conformance tests. The server does not call ``apply(_:)`` directly but
/// goes through a ``StoreWriter``, which groups concurrent writes into one transaction.
public protocol LobbyStore: Sendable {
    /// Applies the writes in order in one transaction (group commit): all of them or, when it
    /// throws, none.
    ///
    /// - Returns: The stored chat messages of the batch, with their ids, in batch order (one
    ///   per ``StoreWrite/message(user:text:at:)``).
    func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage]

    /// The newest `limit` messages, oldest first: the `history` of a `welcome`.
    func recentMessages(limit: Int) async throws -> [ChatMessage]

    /// Closes every open session row with `reason` at `at`: the start-up step after a crash,
    /// when no session can still be alive.
    ///
    /// - Returns: How many rows were closed.
    func closeOpenSessions(reason: LeaveReason, at: Timestamp) async throws -> Int

    /// Stored sessions, newest connection first, at most `limit` of them: the open ones, or,
    /// with `includeEnded`, open and ended ones together.
    func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord]

    // MARK: Chat features

    /// Up to `limit` room messages with ids below `before` (nil: the newest), oldest first.
    ///
    /// Bounded in bytes too: only the newest whose texts fit in ``ReplyBudget/pageBytes``
    /// together are read, so a page of large messages never loads megabytes.
    func messages(before: Int64?, limit: Int) async throws -> [ChatMessage]

    /// Up to `limit` room messages containing every word of `words` (whole words, any case),
    /// newest first. `words` is non-empty and holds letters and digits only.
    /// As for ``messages(before:limit:)``, the texts fit in ``ReplyBudget/pageBytes`` together.
    func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage]

    /// The newest `limit` private messages sent or received by `user`, oldest first.
    func directMessages(of user: String, limit: Int) async throws -> [ChatMessage]

    /// Every user's away message, for users who set one and did not clear it.
    func awayStatuses() async throws -> [String: String]

    // MARK: Name claims (see ``NameClaimRecord``)

    /// The claim on a name (in force or lapsed), if any.
    func nameClaim(_ name: String) async throws -> NameClaimRecord?

    /// Claims each name whose claim is missing or lapsed (last used before the request's
    /// `lapsedBefore`), in one transaction, in order. A name claimed meanwhile by someone else
    /// (another node, an earlier request of the batch) keeps that claim.
    ///
    /// - Returns: For each request, the claim in force afterwards: the new one (its hash is the
    ///   request's) or the one that stood.
    func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord]

    /// Every stored claim, in force or lapsed, by name.
    func nameClaims() async throws -> [NameClaimRecord]

    /// Forgets a name's claim (the operator's `lobby-server names release`). Returns whether
    /// there was one.
    func releaseNameClaim(_ name: String) async throws -> Bool

    /// Deletes the rows of sessions that ended before `time` (`--session-retention-days`);
    /// open sessions are never touched. Returns how many were deleted.
    func pruneSessions(endedBefore time: Timestamp) async throws -> Int

    /// Closes what the store holds open (PostgreSQL: its pool and listening connection), once
    /// the application that used it has stopped and its writer drained. The store owns its
    /// lifecycle, so the composition root only opens it and the application only shuts it
    /// down. Calls after it fail; a second call does nothing.
    func shutdown() async
}

// MARK: - For adapters in other modules

extension StoreWrite {
    /// Rejects a batch that no store could record (a session ended as
    /// ``LeaveReason/renamed``): the check every adapter makes in ``LobbyStore/apply(_:)``
    /// before its transaction starts, so all of them fail the same way.
    public static func validate(_ batch: [StoreWrite]) throws(StoreError) {
        for write in batch {
            try write.validate()
        }
    }

    /// Rejects a reason that is not a session's end, as ``LobbyStore/closeOpenSessions(reason:at:)`` must.
    public static func validate(endReason reason: LeaveReason) throws(StoreError) {
        try reason.validateAsEndReason()
    }
}

extension StoreError {
    /// The store at `location` (a path, or a URL without its password) could not be opened.
    public static func cannotOpen(_ location: String, underlying: (any Error)?) -> StoreError {
        StoreError(.cannotOpen(path: location), underlying: underlying)
    }

    /// The engine failed during `operation` ("writing a batch", "listing sessions"…).
    public static func database(_ operation: String, underlying: any Error) -> StoreError {
        StoreError(.database(operation: operation), underlying: underlying)
    }
}
