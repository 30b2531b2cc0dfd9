import LobbyCore
import LobbyStore
import Logging
import PostgresNIO

/// Several lobby-server nodes on one database: the room log, leases, reaping and fencing.
///
/// **The room lock.** Every transaction that appends to `room_log` first takes one
/// transaction-scoped advisory lock, so appends are serialised across nodes: sequence numbers
/// are handed out (`max(seq) + 1`) and committed in the same order, with no gaps, and a
/// reader that has seen entry N never later finds a smaller one. The same lock makes each
/// presence decision (does this identity make a first session, does this end leave a user
/// with none?) one serialised step of the log, which every node replays the same way.
///
/// **Leases.** A node's row in `nodes` holds an epoch and `lease_until` (the database's clock,
/// so nodes' clocks do not matter). A node renews every quarter lease; a renewal or a write
/// is refused once the lease lapsed or a newer run took the node id (a new epoch): the node is
/// fenced. Any node reaps a lapsed node: it deletes the node's row and ends its open
/// sessions with `node-lost`, logged like any other end.
extension PostgresStore: SharedRoom {
    /// The room lock's key: "lobbyroom" in ASCII, truncated to 63 bits.
    static let roomLockKey: Int64 = 0x6C6F_6262_7972_6F6F
    /// The notification channel: its payload is empty, a wake-up to read the log.
    static let roomChannel = "lobby_room"

    /// The columns an `UPDATE … RETURNING` of closed sessions gives ``logEnds(from:)``.
    static let closedColumns = "serial, session_id, user_name, reason, ended_at"

    /// An `INSERT` that logs the ends of the identified sessions in the CTE `source`, which
    /// returns ``closedColumns`` (the statement's other parts do not see the rows it updated).
    static func logEnds(from source: String) -> String {
        """
        INSERT INTO room_log (seq, kind, session_id, user_name, reason, at)
        SELECT (SELECT coalesce(max(seq), 0) FROM room_log) + row_number() OVER (ORDER BY serial), 'ended',
               session_id, user_name, reason, ended_at
        FROM \(source)
        WHERE user_name IS NOT NULL
        """
    }

    /// Takes the room lock for this transaction and, given this node's epoch (writes, once it
    /// joined the cluster), checks that its lease still holds. Reaping and the snapshot pass nil:
    /// they only need the lock.
    func lockRoom(on connection: PostgresConnection, epoch: Int64?) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.roomLockKey))", logger: logger)
        guard let epoch else { return }
        let live = try await connection.query(
            "SELECT 1 FROM nodes WHERE node_id = \(nodeID) AND epoch = \(epoch) AND lease_until > now()",
            logger: logger
        ).collect()
        if live.isEmpty { throw StoreError.fenced(node: nodeID) }
    }

    /// Wakes every node's follower once this transaction commits (notifications of one
    /// transaction with the same payload are delivered once).
    func notifyRoom(on connection: PostgresConnection) async throws {
        try await connection.query("SELECT pg_notify(\(Self.roomChannel), '')", logger: logger)
    }

    private var leaseInterval: String { "\(leaseMilliseconds) milliseconds" }

    public func joinCluster(at time: Timestamp, leftoversReason: LeaveReason) async throws -> Int {
        let admin = adminEndpoint.withLock { $0 }
        let epoch = try await database("joining the cluster") { [self] in
            let rows = try await client.query(
                """
                INSERT INTO nodes (node_id, epoch, lease_until, admin_url, admin_token)
                VALUES (\(nodeID), 1, now() + \(leaseInterval)::interval, \(admin?.url), \(admin?.token))
                ON CONFLICT (node_id) DO UPDATE SET epoch = nodes.epoch + 1, lease_until = excluded.lease_until,
                    admin_url = excluded.admin_url, admin_token = excluded.admin_token
                RETURNING epoch
                """, logger: logger
            ).collect()
            return try rows.first?.decode(Int64.self) ?? 0
        }
        self.epoch.withLock { $0 = epoch }
        logger.info("joined the cluster", metadata: ["node": "\(nodeID)", "epoch": "\(epoch)"])
        return try await closeOpenSessions(reason: leftoversReason, at: time)
    }

    public func advertiseAdmin(url: String, token: String) async throws {
        adminEndpoint.withLock { $0 = (url, token) }
        _ = try await database("advertising the admin endpoint") { [self] in
            try await client.query(
                "UPDATE nodes SET admin_url = \(url), admin_token = \(token) WHERE node_id = \(nodeID)",
                logger: logger)
        }
    }

    /// The admin endpoints of the nodes whose lease holds, for `lobby-server kick`.
    public func adminEndpoints() async throws -> [(node: String, url: String, token: String)] {
        try await database("listing nodes") { [self] in
            try await client.query(
                """
                SELECT node_id, admin_url, admin_token FROM nodes
                WHERE lease_until > now() AND admin_url IS NOT NULL AND admin_token IS NOT NULL
                ORDER BY node_id
                """, logger: logger
            ).collect().map { row in
                let (node, url, token) = try row.decode((String, String, String).self)
                return (node: node, url: url, token: token)
            }
        }
    }

    public func renewLease(readThrough sequence: Int64) async throws -> Bool {
        guard let epoch = epoch.withLock({ $0 }) else { return false }
        return try await database("renewing the lease") { [self] in
            let rows = try await client.query(
                """
                UPDATE nodes SET lease_until = now() + \(leaseInterval)::interval,
                                 read_seq = greatest(read_seq, \(sequence))
                WHERE node_id = \(nodeID) AND epoch = \(epoch) AND lease_until > now()
                RETURNING 1
                """, logger: logger
            ).collect()
            return !rows.isEmpty
        }
    }

    public func reapLostNodes(at time: Timestamp) async throws -> Int {
        try await database("reaping lost nodes") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                try await lockRoom(on: connection, epoch: nil)
                let lost = try await connection.query(
                    "DELETE FROM nodes WHERE lease_until < now() AND node_id <> \(nodeID) RETURNING node_id",
                    logger: logger
                ).collect().map { try $0.decode(String.self) }
                // Also rows of nodes with no lease at all (a schema-1 database's sessions).
                let rows = try await connection.query(
                    """
                    WITH closed AS (
                        UPDATE sessions SET ended_at = \(time.millisecondsSince1970), reason = 'node-lost'
                        WHERE ended_at IS NULL AND node_id <> \(nodeID)
                          AND node_id NOT IN (SELECT node_id FROM nodes)
                        RETURNING \(unescaped: Self.closedColumns)
                    ), logged AS (
                        \(unescaped: Self.logEnds(from: "closed"))
                    )
                    SELECT count(*) FROM closed
                    """, logger: logger
                ).collect()
                let reaped = Int(try rows.first?.decode(Int64.self) ?? 0)
                // What every live node has read is of no use to anyone: a node that joins reads a
                // snapshot, not the log. The newest entry stays, since the next one is numbered
                // from it. (A node that joined and has not renewed yet has read_seq 0: nothing goes.)
                try await connection.query(
                    """
                    DELETE FROM room_log
                    WHERE seq < (SELECT min(read_seq) FROM nodes WHERE lease_until > now())
                      AND seq < (SELECT max(seq) FROM room_log)
                    """, logger: logger)
                if reaped > 0 || !lost.isEmpty {
                    try await notifyRoom(on: connection)
                    logger.notice(
                        "reaped lost nodes",
                        metadata: ["nodes": "\(lost.joined(separator: ","))", "sessions": "\(reaped)"])
                }
                return reaped
            }
        }
    }

    public func snapshot(historyLimit: Int) async throws -> RoomSnapshot {
        try await database("reading the room") { [self] in
            // Under the room lock, so no append lands between the three reads.
            try await client.withTransaction(logger: logger) { connection in
                try await lockRoom(on: connection, epoch: nil)
                let sequence =
                    try await connection.query("SELECT coalesce(max(seq), 0) FROM room_log", logger: logger)
                    .collect().first?.decode(Int64.self) ?? 0
                let sessions = try await connection.query(
                    """
                    SELECT session_id, user_name FROM sessions
                    WHERE ended_at IS NULL AND user_name IS NOT NULL
                    ORDER BY identified_at, serial
                    """, logger: logger
                ).collect().map { row in
                    let (session, user) = try row.decode((String, String).self)
                    return (session: SessionID(session), user: user)
                }
                let history = try await connection.query(
                    """
                    SELECT id, user_name, text, at
                    FROM (
                        SELECT id, user_name, text, at FROM messages WHERE to_user IS NULL
                        ORDER BY id DESC LIMIT \(max(0, historyLimit))
                    ) AS recent
                    ORDER BY id
                    """, logger: logger
                ).collect().map(Self.chatMessage)
                var away: [String: String] = [:]
                for row in try await connection.query("SELECT user_name, away FROM user_status", logger: logger)
                    .collect()
                {
                    let (user, message) = try row.decode((String, String).self)
                    away[user] = message
                }
                return RoomSnapshot(sequence: sequence, sessions: sessions, history: history, away: away)
            }
        }
    }

    public func entries(after sequence: Int64, limit: Int) async throws -> [RoomLogEntry] {
        try await database("reading the room log") { [self] in
            let rows = try await client.query(
                """
                SELECT log.seq, log.kind, log.session_id, log.user_name, log.reason, log.message_id, messages.text,
                       log.at, messages.to_user, log.away
                FROM room_log AS log LEFT JOIN messages ON messages.id = log.message_id
                WHERE log.seq > \(sequence)
                ORDER BY log.seq
                LIMIT \(max(1, limit))
                """, logger: logger
            ).collect()
            return try rows.compactMap(Self.logEntry)
        }
    }

    static func chatMessage(_ row: PostgresRow) throws -> ChatMessage {
        let (id, user, text, at) = try row.decode((Int64, String, String, Int64).self)
        return ChatMessage(id: id, user: user, text: text, at: Timestamp(millisecondsSince1970: at))
    }

    /// One log row as a change; nil for a row this version cannot read (written by a newer one).
    private static func logEntry(_ row: PostgresRow) throws -> RoomLogEntry? {
        let (sequence, kind, session, user, reason, messageID, text, at, to, away) = try row.decode(
            (Int64, String, String?, String?, String?, Int64?, String?, Int64, String?, String?).self)
        let time = Timestamp(millisecondsSince1970: at)
        let change: RoomChange? =
            switch kind {
            case "identified":
                session.flatMap { session in
                    user.map { .identified(SessionID(session), user: $0, at: time) }
                }
            case "ended":
                session.flatMap { session in
                    reason.flatMap(LeaveReason.init(rawValue:)).map {
                        .ended(SessionID(session), reason: $0, at: time)
                    }
                }
            case "message":
                messageID.map { id in
                    .message(ChatMessage(id: id, user: user ?? "", text: text ?? "", at: time, to: to))
                }
            case "status":
                user.map { .status(user: $0, away: away, at: time) }
            default:
                nil
            }
        return change.map { RoomLogEntry(sequence: sequence, change: $0) }
    }
}
