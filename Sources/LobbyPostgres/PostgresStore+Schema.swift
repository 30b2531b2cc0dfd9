import LobbyCore
import LobbyStore
import Logging
import NIOCore
import PostgresNIO

/// The PostgreSQL schema, one numbered migration per change, applied by the store itself.
///
/// A migration is never edited after it shipped: a database created by an earlier version
/// replays only the migrations it lacks. `lobby_schema` records which ones ran. Times are
/// `bigint` milliseconds since 1970-01-01 UTC (``Timestamp``), as in the SQLite schema: exact,
/// and `to_timestamp(at / 1000.0)` reads them in `psql`.
struct PostgresSchema {
    struct Migration {
        var version: Int32
        var description: String
        /// Run in order, in one transaction with the version row.
        var statements: [PostgresQuery]
        /// Run after the statements, in the same transaction: a change SQL cannot compute
        /// (a name's skeleton comes from ICU, in this process).
        var rewrite: (@Sendable (PostgresConnection, Logger) async throws -> Void)? = nil
    }

    static let migrations: [Migration] = [
        Migration(
            version: 1, description: "messages and sessions",
            statements: [
                // A sequence of its own: a message id is never reused, even if old history is
                // deleted, so clients can keep using ids to order and deduplicate. The store
                // draws a batch's ids from it explicitly (see `PostgresStore.insertMessages`).
                "CREATE SEQUENCE message_ids AS bigint",
                """
                CREATE TABLE messages (
                    id bigint PRIMARY KEY DEFAULT nextval('message_ids'),
                    user_name text NOT NULL,
                    text text NOT NULL,
                    at bigint NOT NULL
                )
                """,
                "ALTER SEQUENCE message_ids OWNED BY messages.id",
                // The reasons are spelled out rather than generated from LeaveReason: a migration
                // must mean the same thing forever, and a new reason needs a new migration.
                """
                CREATE TABLE sessions (
                    serial bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    session_id text NOT NULL,
                    user_name text,
                    connected_at bigint NOT NULL,
                    identified_at bigint,
                    ended_at bigint,
                    reason text CONSTRAINT sessions_reason_known
                        CHECK (reason IN ('quit', 'closed', 'timeout', 'slow', 'kicked', 'shutdown', 'restart')),
                    remote_address text,
                    transport text NOT NULL,
                    CONSTRAINT sessions_ended_with_reason CHECK ((ended_at IS NULL) = (reason IS NULL)),
                    CONSTRAINT sessions_identified_with_time CHECK ((user_name IS NULL) = (identified_at IS NULL))
                )
                """,
                // Session ids repeat across time (a client may reuse one), but only one connection
                // holds an id at a time: at most one open row per id. It is also the index that
                // finds the open row of an id, and all open rows at start-up.
                "CREATE UNIQUE INDEX sessions_open_id ON sessions (session_id) WHERE ended_at IS NULL",
                // `lobby-server sessions` lists newest first.
                "CREATE INDEX sessions_connected_at ON sessions (connected_at, serial)",
            ]),
        Migration(
            version: 2, description: "several nodes: node ids, leases, the room log, reason node-lost",
            statements: [
                "ALTER TABLE sessions DROP CONSTRAINT sessions_reason_known",
                """
                ALTER TABLE sessions ADD CONSTRAINT sessions_reason_known
                    CHECK (reason IN ('quit', 'closed', 'timeout', 'slow', 'kicked', 'shutdown', 'restart', 'node-lost'))
                """,
                // Rows from before this version belong to the node named '' (no server uses
                // that name): the first node to start reaps them as lost.
                "ALTER TABLE sessions ADD COLUMN node_id text NOT NULL DEFAULT ''",
                "CREATE INDEX sessions_open_node ON sessions (node_id) WHERE ended_at IS NULL",
                // One row per live node. `epoch` grows each time a node (re)joins: a node whose
                // renewal no longer matches its epoch was replaced or reaped, and is fenced.
                // `admin_url`/`admin_token`: where `lobby-server kick` reaches the node (the
                // same token as its `.admin` file; whoever can read this table can kick).
                """
                CREATE TABLE nodes (
                    node_id text PRIMARY KEY,
                    epoch bigint NOT NULL,
                    lease_until timestamptz NOT NULL,
                    admin_url text,
                    admin_token text
                )
                """,
                // The lobby's one order of events. Rows are appended only under the room lock
                // (see PostgresStore+Cluster), so `seq` order is commit order: a node that has
                // read up to seq N never finds a smaller one committed later.
                """
                CREATE TABLE room_log (
                    seq bigint PRIMARY KEY,
                    kind text NOT NULL CHECK (kind IN ('identified', 'ended', 'message')),
                    session_id text,
                    user_name text,
                    reason text,
                    message_id bigint,
                    at bigint NOT NULL
                )
                """,
            ]),
        Migration(
            version: 3, description: "name claims",
            statements: [
                // One row per claimed name (NFC); only the secret's SHA-256 is stored.
                """
                CREATE TABLE name_claims (
                    name text PRIMARY KEY,
                    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
                    claimed_at bigint NOT NULL,
                    last_used bigint NOT NULL
                )
                """
            ]),
        Migration(
            version: 4, description: "private messages, away, search",
            statements: [
                // A private message is a row of `messages` with its recipient; the room's
                // history and search skip those rows.
                "ALTER TABLE messages ADD COLUMN to_user text",
                "CREATE INDEX messages_direct ON messages (to_user, user_name) WHERE to_user IS NOT NULL",
                "CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', text)) WHERE to_user IS NULL",
                """
                CREATE TABLE user_status (
                    user_name text PRIMARY KEY,
                    away text NOT NULL,
                    at bigint NOT NULL
                )
                """,
                // Away changes are room events: logged, so every node announces them in order.
                "ALTER TABLE room_log ADD COLUMN away text",
                "ALTER TABLE room_log DROP CONSTRAINT room_log_kind_check",
                """
                ALTER TABLE room_log ADD CONSTRAINT room_log_kind_known
                    CHECK (kind IN ('identified', 'ended', 'message', 'status'))
                """,
            ]),
        Migration(
            version: 5, description: "claims keyed by name skeleton",
            statements: [
                // Claims are looked up by the name's skeleton (Unicode TS #39); the name as its
                // owner typed it is kept for display.
                "ALTER TABLE name_claims ADD COLUMN display_name text",
                "UPDATE name_claims SET display_name = name",
                "ALTER TABLE name_claims ALTER COLUMN display_name SET NOT NULL",
            ],
            rewrite: rekeyNameClaims),
        Migration(
            version: 6, description: "room log read positions",
            statements: [
                // How far each node has read the room log: entries below every live node's
                // position are pruned (issue 21: the log grew for ever).
                "ALTER TABLE nodes ADD COLUMN read_seq bigint NOT NULL DEFAULT 0"
            ]),
        Migration(
            version: 7, description: "substring search for scripts without spaces",
            statements: [
                // pg_trgm indexes `LIKE '%word%'` for words of Han, Kana, Hangul, Thai… (search
                // finds them anywhere in the text). It is a trusted extension (the database's
                // owner may create it); where it cannot be installed, search still works, by a
                // scan of the newest messages.
                """
                DO $$ BEGIN
                    CREATE EXTENSION IF NOT EXISTS pg_trgm;
                EXCEPTION WHEN OTHERS THEN
                    RAISE NOTICE 'pg_trgm not installed (%): substring search runs without an index', SQLERRM;
                END $$
                """,
                """
                DO $$ BEGIN
                    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                        CREATE INDEX messages_trigrams ON messages USING gin (lower(text) gin_trgm_ops)
                        WHERE to_user IS NULL;
                    END IF;
                END $$
                """,
            ]),
    ]

    /// Rewrites every claim under its skeleton key; of old claims whose names now share a
    /// skeleton (`alice` and `Alice`), the most recently used stays (``NameClaimRecord/survivor(of:)``).
    @Sendable static func rekeyNameClaims(on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            "SELECT name, token_hash, claimed_at, last_used FROM name_claims", logger: logger
        ).collect()
        let claims = try rows.map { row in
            let (name, hash, claimedAt, lastUsed) = try row.decode((String, ByteBuffer, Int64, Int64).self)
            return NameClaimRecord(
                name: name, tokenHash: Array(hash.readableBytesView),
                claimedAt: Timestamp(millisecondsSince1970: claimedAt),
                lastUsed: Timestamp(millisecondsSince1970: lastUsed))
        }
        try await connection.query("DELETE FROM name_claims", logger: logger)
        for (key, group) in Dictionary(grouping: claims, by: { NameClaimRecord.key(for: $0.name) }) {
            guard let claim = NameClaimRecord.survivor(of: group) else { continue }
            try await connection.query(
                """
                INSERT INTO name_claims (name, display_name, token_hash, claimed_at, last_used)
                VALUES (\(storable(key)), \(claim.name), \(ByteBuffer(bytes: claim.tokenHash)),
                        \(claim.claimedAt.millisecondsSince1970), \(claim.lastUsed.millisecondsSince1970))
                """, logger: logger)
        }
    }

    static var latestVersion: Int32 { migrations.last?.version ?? 0 }

    /// Serialises migrations of several servers starting at once on one database
    /// (`pg_advisory_xact_lock`); the value is "lobby" in ASCII.
    static let migrationLockKey: Int64 = 0x6C6F_6262_79

    /// The schema version recorded in the database, 0 when it has no Lobby tables yet.
    static func version(on connection: PostgresConnection, logger: Logger) async throws -> Int32 {
        let exists = try await connection.query(
            PostgresQuery("SELECT to_regclass('lobby_schema') IS NOT NULL"), logger: logger
        ).collect()
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        let version = try await connection.query(
            PostgresQuery("SELECT coalesce(max(version), 0) FROM lobby_schema"), logger: logger
        ).collect()
        return try version.first?.decode(Int32.self) ?? 0
    }

    /// Brings the schema up to date in one transaction; returns the versions it applied.
    ///
    /// - Throws: ``PostgresSchemaError/newerThanThisServer(found:known:)`` when a newer
    ///   lobby-server already migrated the database: this one would misread it.
    @discardableResult
    static func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [Int32] {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query(
                PostgresQuery("SELECT pg_advisory_xact_lock(\(migrationLockKey))"), logger: logger)
            try await connection.query(
                PostgresQuery(
                    """
                    CREATE TABLE IF NOT EXISTS lobby_schema (
                        version integer PRIMARY KEY,
                        description text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """), logger: logger)
            let current = try await version(on: connection, logger: logger)
            guard current <= latestVersion else {
                throw PostgresSchemaError.newerThanThisServer(found: current, known: latestVersion)
            }
            var applied: [Int32] = []
            for migration in migrations where migration.version > current {
                for statement in migration.statements {
                    try await connection.query(statement, logger: logger)
                }
                try await migration.rewrite?(connection, logger)
                try await connection.query(
                    PostgresQuery(
                        "INSERT INTO lobby_schema (version, description) VALUES (\(migration.version), \(migration.description))"
                    ), logger: logger)
                applied.append(migration.version)
            }
            if !applied.isEmpty {
                logger.notice(
                    "migrated the PostgreSQL schema",
                    metadata: ["from": "\(current)", "to": "\(latestVersion)"])
            }
            return applied
        }
    }

    /// Checks, without changing anything, that the database has exactly the schema this
    /// version of the store reads (for `lobby-server sessions`, which must not create tables).
    static func check(on connection: PostgresConnection, logger: Logger) async throws {
        let current = try await version(on: connection, logger: logger)
        if current == 0 { throw PostgresSchemaError.missing }
        if current > latestVersion {
            throw PostgresSchemaError.newerThanThisServer(found: current, known: latestVersion)
        }
        if current < latestVersion { throw PostgresSchemaError.older(found: current, known: latestVersion) }
    }
}

/// The database's schema is not one this store can use as it is.
enum PostgresSchemaError: Error, Equatable, CustomStringConvertible {
    /// No Lobby tables: no lobby-server has run on this database yet.
    case missing
    /// A newer lobby-server migrated the database.
    case newerThanThisServer(found: Int32, known: Int32)
    /// An older schema that only a running lobby-server migrates.
    case older(found: Int32, known: Int32)

    var description: String {
        switch self {
        case .missing:
            "the database has no Lobby tables (no lobby-server has run on it yet)"
        case .newerThanThisServer(let found, let known):
            "the database schema is version \(found), newer than this lobby-server knows (\(known)): upgrade it"
        case .older(let found, let known):
            "the database schema is version \(found), older than \(known): start lobby-server once to migrate it"
        }
    }
}
