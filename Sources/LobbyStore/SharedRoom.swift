import LobbyCore

/// A change to the room as the shared store ordered it: one entry of the room log.
public enum RoomChange: Sendable, Equatable {
    /// A session (on any node) identified as `user`.
    case identified(SessionID, user: String, at: Timestamp)
    /// A session (on any node) ended.
    case ended(SessionID, reason: LeaveReason, at: Timestamp)
    /// A chat message was stored (a private one has its recipient in `to`).
    case message(ChatMessage)
    /// A user set (or, nil, cleared) their away message.
    case status(user: String, away: String?, at: Timestamp)
}

/// One entry of the room log: its place in the lobby's single order, and the change.
public struct RoomLogEntry: Sendable, Equatable {
    public var sequence: Int64
    public var change: RoomChange

    public init(sequence: Int64, change: RoomChange) {
        self.sequence = sequence
        self.change = change
    }
}

/// The room as the log left it at `sequence`: what a node starts from before it follows the log.
public struct RoomSnapshot: Sendable, Equatable {
    public var sequence: Int64
    /// Identified open sessions of every node, with their users.
    public var sessions: [(session: SessionID, user: String)]
    /// The newest messages, oldest first.
    public var history: [ChatMessage]
    /// Away messages by user.
    public var away: [String: String]

    public init(
        sequence: Int64, sessions: [(session: SessionID, user: String)], history: [ChatMessage],
        away: [String: String] = [:]
    ) {
        self.sequence = sequence
        self.sessions = sessions
        self.history = history
        self.away = away
    }

    public static func == (lhs: RoomSnapshot, rhs: RoomSnapshot) -> Bool {
        lhs.sequence == rhs.sequence && lhs.history == rhs.history && lhs.away == rhs.away
            && lhs.sessions.map(\.session) == rhs.sessions.map(\.session)
            && lhs.sessions.map(\.user) == rhs.sessions.map(\.user)
    }
}

/// What several lobby-server nodes share besides the tables: the room log (one order of
/// identities, ends and messages for the whole lobby) and the nodes' leases.
///
/// A store that implements it (PostgreSQL) appends to the log in the same transaction as
/// each session and message write, so every node derives the same presence and sees the same
/// order. The server follows the log (``entries(after:limit:)``, woken by ``changes()``) and
/// keeps its lease (``renewLease()``); a node whose lease lapsed is fenced: its writes fail
/// with a fenced ``StoreError`` and a surviving node ends its sessions (``reapLostNodes(at:)``).
public protocol SharedRoom: Sendable {
    /// This node's name in the cluster.
    var nodeID: String { get }

    /// Registers this node (a new epoch, a fresh lease, which fences any earlier run under the
    /// same id) and ends the sessions this node id left open with `leftoversReason`:
    /// ``LeaveReason/restart`` at start-up, ``LeaveReason/nodeLost`` after being fenced.
    ///
    /// - Returns: How many leftover sessions were ended.
    func joinCluster(at time: Timestamp, leftoversReason: LeaveReason) async throws -> Int

    /// Publishes where this node's admin endpoint listens (`lobby-server kick` on any node
    /// reaches every node through it), kept across rejoins.
    func advertiseAdmin(url: String, token: String) async throws

    /// Extends this node's lease and records that it has read the room log through
    /// `sequence` (the log below what every live node has read is pruned by
    /// ``reapLostNodes(at:)``). Returns false when the node is fenced: its lease lapsed and
    /// another node may already have reaped it, or a newer run took its id.
    func renewLease(readThrough sequence: Int64) async throws -> Bool

    /// Ends, with ``LeaveReason/nodeLost``, the open sessions of every node whose lease has
    /// expired, and forgets those nodes; then deletes the room log entries every live node has
    /// read (keeping the newest, which numbers the next). Safe to run on every node at once.
    ///
    /// - Returns: How many sessions were ended.
    func reapLostNodes(at time: Timestamp) async throws -> Int

    /// The room at the latest entry of the log.
    func snapshot(historyLimit: Int) async throws -> RoomSnapshot

    /// Up to `limit` log entries after `sequence`, in order.
    func entries(after sequence: Int64, limit: Int) async throws -> [RoomLogEntry]

    /// Yields whenever the log may have grown (a notification from any node), and once after
    /// every reconnect of the listening connection, so the follower catches up on what it
    /// could not hear. Ends when the store shuts down.
    func changes() -> AsyncStream<Void>
}
