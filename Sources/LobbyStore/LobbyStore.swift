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
}
