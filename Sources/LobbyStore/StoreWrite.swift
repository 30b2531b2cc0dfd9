import LobbyCore

/// A new connection, as the store records it when the transport opens.
public struct SessionStart: Sendable, Equatable {
    public var id: SessionID
    /// How the client connected: `websocket`, `xhr_streaming`, `raw-websocket`…
    public var transport: String
    /// The peer address, when the transport knows it.
    public var remoteAddress: String?
    public var at: Timestamp

    public init(id: SessionID, transport: String, remoteAddress: String? = nil, at: Timestamp) {
        self.id = id
        self.transport = transport
        self.remoteAddress = remoteAddress
        self.at = at
    }
}

/// One change to the store. Writes are applied in batches (see ``LobbyStore/apply(_:)``) and
/// are designed so that a batch only fails for a reason outside the caller's control (a
/// disk error): anything that can be decided from the write alone is checked before the
/// transaction starts, and the session writes tolerate the races of real connections.
public enum StoreWrite: Sendable, Equatable {
    /// Opens a row for a new session.
    ///
    /// A session id is live on one connection at a time, so if the id still has an open row,
    /// that row's end was never recorded: it is closed first with ``LeaveReason/closed`` at the
    /// new start's time, keeping at most one open row per id.
    case sessionStarted(SessionStart)
    /// Sets the user of the session's open row. Identifying again (a rename) overwrites the
    /// user and the time. A session with no open row is ignored. The user's name claim, if
    /// any, is marked used at this time (so it does not lapse while it is in use).
    case sessionIdentified(SessionID, user: String, at: Timestamp)
    /// Closes the session's open row with a reason; rows of earlier sessions with the same id
    /// are never touched. A session with no open row is ignored, so ending twice is harmless.
    /// ``LeaveReason/renamed`` is not an end and is rejected.
    case sessionEnded(SessionID, reason: LeaveReason, at: Timestamp)
    /// Appends a chat message; the store assigns the next id. With `to`, a private message to
    /// that user (same id sequence, never in the room's history or search).
    case message(user: String, text: String, at: Timestamp, to: String? = nil)
    /// Sets (or, with nil, clears) a user's away message. It outlives the user's sessions.
    case status(user: String, away: String?, at: Timestamp)

    /// Rejects what no store could record, before any transaction starts.
    func validate() throws(StoreError) {
        if case .sessionEnded(_, let reason, _) = self {
            try reason.validateAsEndReason()
        }
    }
}

extension LeaveReason {
    /// Every reason a session can end with: all but ``LeaveReason/renamed``, which only
    /// concerns presence (the session lives on under another name).
    static let endReasons: [LeaveReason] = allCases.filter { $0 != .renamed }

    func validateAsEndReason() throws(StoreError) {
        guard self != .renamed else {
            throw StoreError(.invalidWrite("'\(rawValue)' is not a reason for a session to end"))
        }
    }
}
