import Foundation
import GRDB
import LobbyCore

/// The embedded store: one SQLite file in WAL mode, through a GRDB `DatabasePool`.
///
/// WAL lets `lobby-server sessions` (or a second store on the same file) read while the
/// server writes. Commits use `synchronous = FULL`, so a batch whose completion reported
/// success survives a power loss, not just a crash: acknowledged data is never lost, and
/// group commit (``StoreWriter``) pays the fsync once per batch rather than once per message.
///
/// ```swift
/// let store = try SQLiteStore(path: "lobby.sqlite")
/// let closed = try await store.closeOpenSessions(reason: .restart, at: .now())
/// ```
public final class SQLiteStore: LobbyStore {
    /// The file this store opened.
    public let path: String
    let pool: DatabasePool
    /// The device and inode of the file opened: a file deleted or replaced under a running
    /// server takes writes into an unlinked inode that nobody will ever read again, so every
    /// access checks that `path` is still this file (nil: not a regular file, not checked).
    private let openedFile: FileIdentity?

    /// How long a write waits for another connection's lock (another `SQLiteStore` or
    /// `sqlite3` on the same file) before it fails with `SQLITE_BUSY`.
    static let busyTimeoutSeconds: Double = 5

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeoutSeconds)
        configuration.label = "lobby"
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB turns WAL on with `synchronous = NORMAL`, which may drop the last commits
            // on power loss; FULL syncs the WAL on every commit. It is a per-connection
            // setting, and the pool's single writer connection lives as long as the pool.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
        } catch {
            throw StoreError(.cannotOpen(path: path), underlying: error)
        }
        openedFile = FileIdentity(path: path)
    }

    /// The pool's connections close when the store is released: nothing to wait for here.
    public func shutdown() async {}

    /// Throws when `path` is no longer the file this store opened (deleted or replaced).
    func checkFile() throws {
        guard let openedFile else { return }
        guard let current = FileIdentity(path: path) else {
            throw StoreError.database("using the database", underlying: DatabaseFileGone(path: path, replaced: false))
        }
        guard current == openedFile else {
            throw StoreError.database("using the database", underlying: DatabaseFileGone(path: path, replaced: true))
        }
    }

    public func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage] {
        guard !batch.isEmpty else { return [] }
        for write in batch {
            try write.validate()
        }
        try checkFile()
        // The transaction runs on the calling thread, not through GRDB's async hop to its
        // writer queue and back: ``StoreWriter`` calls this from its own thread, where waiting
        // for the commit's fsync blocks no one, and the two thread switches saved per batch
        // cost more CPU than the SQL itself.
        return try blockingWrite("writing a batch") { db in
            var stored: [ChatMessage] = []
            for write in batch {
                if let message = try Self.apply(write, in: db) {
                    stored.append(message)
                }
            }
            return stored
        }
    }

    public func recentMessages(limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return try await database("reading recent messages") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM (
                            SELECT id, user_name, text, at FROM messages WHERE to_user IS NULL ORDER BY id DESC LIMIT ?
                        )
                        ORDER BY id
                        """,
                    arguments: [limit]
                ).map { row in
                    ChatMessage(
                        id: row["id"], user: row["user_name"], text: row["text"],
                        at: Timestamp(millisecondsSince1970: row["at"]))
                }
            }
        }
    }

    public func closeOpenSessions(reason: LeaveReason, at time: Timestamp) async throws -> Int {
        try reason.validateAsEndReason()
        return try await database("closing open sessions") {
            try await pool.write { db in
                try db.execute(
                    sql: "UPDATE sessions SET ended_at = ?, reason = ? WHERE ended_at IS NULL",
                    arguments: [time.millisecondsSince1970, reason.rawValue])
                return db.changesCount
            }
        }
    }

    public func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord] {
        guard limit > 0 else { return [] }
        return try await database("listing sessions") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM sessions \(includeEnded ? "" : "WHERE ended_at IS NULL")
                        ORDER BY connected_at DESC, serial DESC LIMIT ?
                        """,
                    arguments: [limit]
                ).map(Self.sessionRecord)
            }
        }
    }

    /// One write inside the batch's transaction; returns the stored message of a `.message`.
    private static func apply(_ write: StoreWrite, in db: Database) throws -> ChatMessage? {
        switch write {
        case .sessionStarted(let start):
            try endOpenRow(of: start.id, reason: .closed, at: start.at, in: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO sessions (session_id, connected_at, remote_address, transport)
                    VALUES (?, ?, ?, ?)
                    """
            ).execute(arguments: [
                start.id.rawValue, start.at.millisecondsSince1970, start.remoteAddress, start.transport,
            ])
            return nil
        case .sessionIdentified(let id, let user, let time):
            try db.cachedStatement(
                sql: "UPDATE sessions SET user_name = ?, identified_at = ? WHERE session_id = ? AND ended_at IS NULL"
            ).execute(arguments: [user, time.millisecondsSince1970, id.rawValue])
            try touchNameClaim(user, at: time, in: db)
            return nil
        case .sessionEnded(let id, let reason, let time):
            try endOpenRow(of: id, reason: reason, at: time, in: db)
            return nil
        case .message(let user, let text, let time, let to):
            try db.cachedStatement(sql: "INSERT INTO messages (user_name, text, at, to_user) VALUES (?, ?, ?, ?)")
                .execute(arguments: [user, text, time.millisecondsSince1970, to])
            return ChatMessage(id: db.lastInsertedRowID, user: user, text: text, at: time, to: to)
        case .status(let user, let away, let time):
            if let away {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO user_status (user_name, away, at) VALUES (?, ?, ?)
                        ON CONFLICT (user_name) DO UPDATE SET away = excluded.away, at = excluded.at
                        """
                ).execute(arguments: [user, away, time.millisecondsSince1970])
            } else {
                try db.cachedStatement(sql: "DELETE FROM user_status WHERE user_name = ?").execute(arguments: [user])
            }
            return nil
        }
    }

    private static func endOpenRow(of id: SessionID, reason: LeaveReason, at time: Timestamp, in db: Database) throws {
        try db.cachedStatement(
            sql: "UPDATE sessions SET ended_at = ?, reason = ? WHERE session_id = ? AND ended_at IS NULL"
        ).execute(arguments: [time.millisecondsSince1970, reason.rawValue, id.rawValue])
    }

    private static func sessionRecord(_ row: Row) -> SessionRecord {
        func timestamp(_ column: String) -> Timestamp? {
            (row[column] as Int64?).map(Timestamp.init(millisecondsSince1970:))
        }
        return SessionRecord(
            id: row["session_id"],
            user: row["user_name"],
            connectedAt: Timestamp(millisecondsSince1970: row["connected_at"]),
            identifiedAt: timestamp("identified_at"),
            endedAt: timestamp("ended_at"),
            // The CHECK constraint admits only known reasons; a reason written by a newer
            // version that this one does not know reads as "ended, reason unknown".
            reason: (row["reason"] as String?).flatMap(LeaveReason.init(rawValue:)),
            remoteAddress: row["remote_address"],
            transport: row["transport"])
    }

    /// A write transaction on the calling thread, engine errors wrapped like ``database(_:_:)``.
    private func blockingWrite<T>(_ operation: String, _ updates: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(updates)
        } catch {
            throw Self.storeError(error, operation: operation)
        }
    }

    /// Runs a database access, wrapping engine errors so callers need not import GRDB.
    func database<T>(_ operation: String, _ access: () async throws -> T) async throws -> T {
        try checkFile()
        do {
            return try await access()
        } catch {
            throw Self.storeError(error, operation: operation)
        }
    }

    /// A store error as it is, any other error wrapped as a failed `operation`.
    private static func storeError(_ error: any Error, operation: String) -> StoreError {
        error as? StoreError ?? StoreError(.database(operation: operation), underlying: error)
    }
}

extension SQLiteStore {
    /// The identifiers of the migrations applied to the file, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// A pragma's current value on a reader connection, for tests (`journal_mode`…).
    func pragma(_ name: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }

    /// Runs raw SQL in a write transaction: for tests that check the schema's constraints
    /// hold even against writes that bypass ``apply(_:)``.
    func execute(sql: String) async throws {
        try await database("executing SQL") {
            try await pool.write { db in try db.execute(sql: sql) }
        }
    }

    /// A pragma's current value on the writer connection (`synchronous` is per connection).
    func writerPragma(_ name: String) async throws -> String? {
        try await pool.write { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
    }
}

extension SQLiteStore {
    /// Copies the database, consistent as of one moment, into a new file at `path` with SQLite's
    /// online backup API: the server keeps reading and writing meanwhile.
    public func backup(to path: String) throws {
        do {
            let target = try DatabaseQueue(path: path)
            try pool.backup(to: target)
            try target.close()
        } catch {
            throw StoreError.database("backing up to \(path)", underlying: error)
        }
    }
}

/// Which file a path names: its device and inode.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// The database file was deleted or replaced while the store had it open.
struct DatabaseFileGone: Error, CustomStringConvertible {
    let path: String
    let replaced: Bool

    var description: String {
        replaced
            ? "the database file \(path) was replaced by another file while the server ran: restart the server"
            : "the database file \(path) was deleted while the server ran: restore it or restart the server"
    }
}
