import LobbyCore
import LobbyStore
import Logging
import PostgresNIO
import Synchronization

/// The PostgreSQL store, through postgres-nio's `PostgresClient` (a connection pool).
///
/// It keeps the same promises as `SQLiteStore` (the same conformance tests run against
/// both): a batch is one transaction, at most one open row per session id, message ids only
/// grow. It creates and migrates its schema itself when it opens.
///
/// The pool runs in a task the store owns; ``shutdown()`` ends it and closes the connections.
///
/// ```swift
/// let store = try await PostgresStore.open(PostgresURL(parsing: "postgres://lobby@127.0.0.1:5432/lobby"))
/// let closed = try await store.closeOpenSessions(reason: .restart, at: .now())
/// await store.shutdown()
/// ```
public final class PostgresStore: LobbyStore {
    /// How the store connects; the defaults suit one lobby-server.
    public struct Options: Sendable {
        /// Connections the pool may open. The server writes one batch at a time, so a few are
        /// plenty; more only help concurrent readers.
        public var maximumConnections = 4
        /// Connections kept open while idle, so a write after a quiet spell does not wait for a connect.
        public var minimumConnections = 1
        /// How long a connection attempt may take; also how long the pool keeps trying before
        /// queries fail fast while the database is unreachable.
        public var connectTimeout: Duration = .seconds(10)
        /// How long one store access (a batch, a read) may take, waiting for a connection
        /// included, before it fails: while the database is unreachable, writes are refused
        /// within this time rather than queued for ever.
        public var operationTimeout: Duration = .seconds(5)
        /// Whether opening creates and migrates the schema (the server) or only checks that it
        /// is there and current (`lobby-server sessions`, which must not create tables).
        public var migratesSchema = true
        /// `application_name`, as `pg_stat_activity` shows the store's connections.
        public var applicationName = "lobby-server"
        /// This node's name in the cluster: its sessions' rows carry it, and its lease is
        /// kept under it (see ``SharedRoom``).
        public var nodeID = "local"
        /// How long the node's lease lasts without renewal.
        public var leaseMilliseconds: Int64 = 10_000

        public init() {}
    }

    /// Where the store is connected (``PostgresURL/description`` hides the password).
    public let url: PostgresURL
    public let nodeID: String
    let leaseMilliseconds: Int64
    let client: PostgresClient
    /// This node's epoch once it joined the cluster; from then on every write checks that the
    /// lease still holds (fencing).
    let epoch = Mutex<Int64?>(nil)
    /// Where `lobby-server kick` reaches this node, once the server listens (see ``advertiseAdmin(url:token:)``).
    let adminEndpoint = Mutex<(url: String, token: String)?>(nil)
    /// Ends the listening tasks of ``changes()`` at shutdown.
    let listeners = Mutex<[Task<Void, Never>]>([])
    private let runner: Task<Void, Never>
    let logger: Logger
    let options: Options

    /// Starts the pool's task; ``open(_:options:logger:)`` waits for `started` before using it.
    private init(
        url: PostgresURL, options: Options, client: PostgresClient, logger: Logger,
        started: AsyncStream<Void>.Continuation
    ) {
        self.url = url
        self.options = options
        self.nodeID = options.nodeID
        self.leaseMilliseconds = options.leaseMilliseconds
        self.client = client
        self.logger = logger
        // Detached: the pool belongs to the store, not to the task (or service) that opened it,
        // and must not stop when that one is cancelled or shut down.
        runner = Task.detached {
            started.finish()
            await client.run()
        }
    }

    deinit {
        runner.cancel()
    }

    /// Parses `url` and opens the store (see ``open(_:options:logger:)``).
    ///
    /// - Throws: ``PostgresURLError`` for a URL that does not parse, ``StoreError`` otherwise.
    public static func open(
        url: String, options: Options = Options(), logger: Logger = Logger(label: "lobby.postgres")
    ) async throws -> PostgresStore {
        try await open(PostgresURL(parsing: url), options: options, logger: logger)
    }

    /// Connects, brings the schema up to date (or, without ``Options/migratesSchema``, checks
    /// it) and starts the pool.
    ///
    /// The first connection is made directly rather than through the pool, so that a wrong
    /// host, user or database fails at once with the server's own words instead of the pool's
    /// retries.
    ///
    /// - Throws: ``StoreError`` (`cannot open the database at postgres://…`) with the reason.
    public static func open(
        _ url: PostgresURL, options: Options = Options(), logger: Logger = Logger(label: "lobby.postgres")
    ) async throws -> PostgresStore {
        let clientConfiguration = try clientConfiguration(url, options: options)
        // postgres-nio logs a failed connect at info; the error thrown below says it already.
        var connectLogger = logger
        connectLogger.logLevel = max(logger.logLevel, .warning)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try connectionConfiguration(url, options: options), id: 0, logger: connectLogger)
            do {
                if options.migratesSchema {
                    try await PostgresSchema.migrate(on: connection, logger: logger)
                } else {
                    try await PostgresSchema.check(on: connection, logger: logger)
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try? await connection.close()
        } catch {
            throw StoreError.cannotOpen(url.description, underlying: PostgresFailure(error))
        }
        // The pool logs every failed connection attempt at info, several a second while the
        // database is away; the store's own errors say it once.
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: poolLogger)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let store = PostgresStore(url: url, options: options, client: client, logger: logger, started: signal)
        // The pool warns when used before its task has called `run()`: the task signals just before.
        for await _ in started {}
        return store
    }

    /// Stops the pool and closes its connections; calls after this fail. Waits until the
    /// pool has finished.
    public func shutdown() async {
        for listener in listeners.withLock({ $0 }) {
            listener.cancel()
            await listener.value
        }
        runner.cancel()
        await runner.value
    }

    // MARK: LobbyStore

    public func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage] {
        guard !batch.isEmpty else { return [] }
        try StoreWrite.validate(batch)
        let steps = plan(batch)
        let epoch = epoch.withLock { $0 }
        // One transaction under the room lock: the log rows it appends take the next sequence
        // numbers and commit before any other node's (see `appendingToRoomLog`).
        return try await database("writing a batch") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                try await lockRoom(on: connection, epoch: epoch)
                var stored: [ChatMessage] = []
                for step in steps {
                    switch step {
                    case .statement(let query):
                        try await connection.query(query, logger: logger)
                    case .messages(let messages):
                        stored += try await insert(messages, on: connection)
                    }
                }
                try await notifyRoom(on: connection)
                return stored
            }
        }
    }

    public func recentMessages(limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return try await database("reading recent messages") { [client, logger] in
            let rows = try await client.query(
                """
                SELECT id, user_name, text, at
                FROM (SELECT id, user_name, text, at FROM messages WHERE to_user IS NULL ORDER BY id DESC LIMIT \(limit))
                     AS recent
                ORDER BY id
                """, logger: logger
            ).collect()
            return try rows.map { row in
                let (id, user, text, at) = try row.decode((Int64, String, String, Int64).self)
                return ChatMessage(id: id, user: user, text: text, at: Timestamp(millisecondsSince1970: at))
            }
        }
    }

    /// Closes this node's open rows (its sessions from a run that crashed); other nodes'
    /// sessions are theirs, or ``reapLostNodes(at:)``'s.
    public func closeOpenSessions(reason: LeaveReason, at time: Timestamp) async throws -> Int {
        try StoreWrite.validate(endReason: reason)
        let epoch = epoch.withLock { $0 }
        return try await database("closing open sessions") { [self] in
            try await client.withTransaction(logger: logger) { connection in
                try await lockRoom(on: connection, epoch: epoch)
                let rows = try await connection.query(
                    """
                    WITH closed AS (
                        UPDATE sessions SET ended_at = \(time.millisecondsSince1970), reason = \(reason.rawValue)
                        WHERE ended_at IS NULL AND node_id = \(nodeID)
                        RETURNING \(unescaped: Self.closedColumns)
                    ), logged AS (
                        \(unescaped: Self.logEnds(from: "closed"))
                    )
                    SELECT count(*) FROM closed
                    """, logger: logger
                ).collect()
                try await notifyRoom(on: connection)
                return Int(try rows.first?.decode(Int64.self) ?? 0)
            }
        }
    }

    public func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord] {
        guard limit > 0 else { return [] }
        return try await database("listing sessions") { [client, logger] in
            let rows = try await client.query(
                """
                SELECT session_id, user_name, connected_at, identified_at, ended_at, reason, remote_address, transport,
                       node_id
                FROM sessions \(unescaped: includeEnded ? "" : "WHERE ended_at IS NULL")
                ORDER BY connected_at DESC, serial DESC
                LIMIT \(limit)
                """, logger: logger
            ).collect()
            return try rows.map(Self.sessionRecord)
        }
    }

    // MARK: Statements

    private struct PendingMessage {
        var user: String
        var text: String
        var at: Timestamp
        /// The recipient of a private message.
        var to: String?
    }

    private enum Step {
        case statement(PostgresQuery)
        case messages([PendingMessage])
    }

    /// The batch as statements in batch order (the room log follows it), consecutive messages
    /// gathered into one insert.
    private func plan(_ batch: [StoreWrite]) -> [Step] {
        var steps: [Step] = []
        for write in batch {
            if case .message(let user, let text, let time, let to) = write {
                let message = PendingMessage(user: storable(user), text: storable(text), at: time, to: to.map(storable))
                if case .messages(let previous)? = steps.last {
                    steps[steps.count - 1] = .messages(previous + [message])
                } else {
                    steps.append(.messages([message]))
                }
            } else if let query = query(for: write) {
                steps.append(.statement(query))
            }
        }
        return steps
    }

    /// The statement of one session write. Identities and ends of identified sessions go into
    /// the room log in the same statement, only when a row actually changed: a session ended
    /// twice, or reaped by another node first, is logged once.
    private func query(for write: StoreWrite) -> PostgresQuery? {
        switch write {
        case .sessionStarted(let start):
            // A stale open row of the id is closed first; the INSERT reads the count of closed
            // rows, so the UPDATE has finished before the new open row goes into the unique index.
            let id = storable(start.id.rawValue)
            let time = start.at.millisecondsSince1970
            return """
                WITH stale AS (
                    UPDATE sessions SET ended_at = \(time), reason = 'closed'
                    WHERE session_id = \(id) AND ended_at IS NULL
                    RETURNING \(unescaped: Self.closedColumns)
                ), logged AS (
                    \(unescaped: Self.logEnds(from: "stale"))
                )
                INSERT INTO sessions (session_id, connected_at, remote_address, transport, node_id)
                SELECT \(id), \(time), \(start.remoteAddress.map(storable)), \(storable(start.transport)), \(nodeID)
                FROM (SELECT count(*) FROM stale) AS closed
                """
        case .sessionIdentified(let id, let user, let time):
            return """
                WITH changed AS (
                    UPDATE sessions SET user_name = \(storable(user)), identified_at = \(time.millisecondsSince1970)
                    WHERE session_id = \(storable(id.rawValue)) AND ended_at IS NULL
                    RETURNING session_id, user_name, identified_at
                ), touched AS (
                    UPDATE name_claims SET last_used = \(time.millisecondsSince1970)
                    WHERE name = \(storable(NameClaimRecord.key(for: user))) AND last_used < \(time.millisecondsSince1970)
                )
                INSERT INTO room_log (seq, kind, session_id, user_name, at)
                SELECT (SELECT coalesce(max(seq), 0) FROM room_log) + 1, 'identified', session_id, user_name, identified_at
                FROM changed
                """
        case .sessionEnded(let id, let reason, let time):
            return """
                WITH closed AS (
                    UPDATE sessions SET ended_at = \(time.millisecondsSince1970), reason = \(reason.rawValue)
                    WHERE session_id = \(storable(id.rawValue)) AND ended_at IS NULL
                    RETURNING \(unescaped: Self.closedColumns)
                )
                \(unescaped: Self.logEnds(from: "closed"))
                """
        case .message:
            return nil
        case .status(let user, let away, let time):
            // The away message and its room log row in one statement, like an identity.
            let at = time.millisecondsSince1970
            let name = storable(user)
            let message = away.map(storable)
            return away == nil
                ? """
                WITH cleared AS (DELETE FROM user_status WHERE user_name = \(name))
                INSERT INTO room_log (seq, kind, user_name, away, at)
                SELECT (SELECT coalesce(max(seq), 0) FROM room_log) + 1, 'status', \(name), NULL, \(at)
                """
                : """
                WITH stored AS (
                    INSERT INTO user_status (user_name, away, at) VALUES (\(name), \(message), \(at))
                    ON CONFLICT (user_name) DO UPDATE SET away = excluded.away, at = excluded.at
                )
                INSERT INTO room_log (seq, kind, user_name, away, at)
                SELECT (SELECT coalesce(max(seq), 0) FROM room_log) + 1, 'status', \(name), \(message), \(at)
                """
        }
    }

    /// Inserts the messages with one statement, and their room log rows with a second, and
    /// returns them with their ids, in order.
    ///
    /// The ids are drawn from the sequence first and handed out in ascending order by each
    /// message's position in the batch: a later message of the batch always gets a larger id,
    /// whatever order the database inserts the rows in.
    private func insert(_ messages: [PendingMessage], on connection: PostgresConnection) async throws -> [ChatMessage] {
        guard !messages.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            WITH drawn AS (
                SELECT id, row_number() OVER (ORDER BY id) AS position
                FROM (SELECT nextval('message_ids') AS id FROM generate_series(1, \(messages.count))) AS ids
            )
            INSERT INTO messages (id, user_name, text, at, to_user)
            SELECT drawn.id, batch.user_name, batch.text, batch.at, nullif(batch.to_user, '')
            FROM unnest(\(messages.map(\.user))::text[], \(messages.map(\.text))::text[],
                        \(messages.map(\.at.millisecondsSince1970))::bigint[],
                        \(messages.map { $0.to ?? "" })::text[])
                 WITH ORDINALITY AS batch(user_name, text, at, to_user, position)
            JOIN drawn USING (position)
            RETURNING id
            """, logger: logger
        ).collect()
        let ids = try rows.map { try $0.decode(Int64.self) }.sorted()
        guard ids.count == messages.count else {
            throw PostgresStoreError.missingIds(expected: messages.count, got: ids.count)
        }
        try await connection.query(
            """
            INSERT INTO room_log (seq, kind, user_name, message_id, at)
            SELECT (SELECT coalesce(max(seq), 0) FROM room_log) + row_number() OVER (ORDER BY id), 'message',
                   user_name, id, at
            FROM messages WHERE id = ANY(\(ids)::bigint[])
            """, logger: logger)
        return zip(ids, messages).map { id, message in
            ChatMessage(id: id, user: message.user, text: message.text, at: message.at, to: message.to)
        }
    }

    private static func sessionRecord(_ row: PostgresRow) throws -> SessionRecord {
        let (id, user, connectedAt, identifiedAt, endedAt, reason, remoteAddress, transport, node) = try row.decode(
            (String, String?, Int64, Int64?, Int64?, String?, String?, String, String).self)
        return SessionRecord(
            id: id, user: user, connectedAt: Timestamp(millisecondsSince1970: connectedAt),
            identifiedAt: identifiedAt.map(Timestamp.init(millisecondsSince1970:)),
            endedAt: endedAt.map(Timestamp.init(millisecondsSince1970:)),
            // The CHECK constraint admits only known reasons; a reason written by a newer
            // version that this one does not know reads as "ended, reason unknown".
            reason: reason.flatMap(LeaveReason.init(rawValue:)),
            remoteAddress: remoteAddress, transport: transport, node: node)
    }

    /// Runs a database access, wrapping engine errors in ``StoreError`` so callers need not
    /// import PostgresNIO.
    ///
    /// The pool waits for a connection as long as the database is unreachable; an access that
    /// has not finished within ``Options/operationTimeout`` fails, so a chat message gets its
    /// `store-unavailable` answer instead of hanging. (A statement already sent may still
    /// commit after that answer: the error says "could not be stored" only as far as this
    /// node knows; the room log is what everyone, the sender included, then sees.)
    func database<T: Sendable>(
        _ operation: String, _ access: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let timeout = options.operationTimeout
        do {
            return try await Self.withDeadline(timeout, access)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.database(operation, underlying: PostgresFailure(error))
        }
    }
}

/// PostgreSQL `text` cannot hold U+0000, which a Swift string (and a JSON chat message) can:
/// it is stored as U+FFFD, so such a message does not fail the whole batch it is in.
func storable(_ text: String) -> String {
    guard text.utf8.contains(0) else { return text }
    return String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) })
}

/// A failure of the PostgreSQL store itself rather than of the server.
enum PostgresStoreError: Error, CustomStringConvertible {
    case missingIds(expected: Int, got: Int)
    case timedOut(after: Duration)
    case missingClaim(name: String)

    var description: String {
        switch self {
        case .missingIds(let expected, let got): "the database returned \(got) message ids for \(expected) messages"
        case .timedOut(let limit): "no answer from the database within \(limit)"
        case .missingClaim(let name): "the database returned no claim for the name \(name)"
        }
    }
}
