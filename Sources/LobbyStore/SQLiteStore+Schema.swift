import Foundation
import GRDB
import LobbyCore

extension SQLiteStore {
    /// The schema, one registered migration per change. A migration is never edited after it
    /// shipped: files created by earlier versions replay only the migrations they lack.
    ///
    /// Times are INTEGER milliseconds since 1970-01-01 UTC (``Timestamp``): exact, and they
    /// sort as numbers (`datetime(at / 1000, 'unixepoch')` reads them in `sqlite3`).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: messages and sessions") { db in
            // AUTOINCREMENT: a message id is never reused, even if old history is deleted,
            // so clients can keep using ids to order and deduplicate.
            try db.execute(
                sql: """
                    CREATE TABLE messages (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        user_name TEXT NOT NULL,
                        text TEXT NOT NULL,
                        at INTEGER NOT NULL
                    )
                    """)

            // The reasons are spelled out rather than generated from LeaveReason: a migration
            // must mean the same thing forever, and a new reason needs a new migration.
            try db.execute(
                sql: """
                    CREATE TABLE sessions (
                        serial INTEGER PRIMARY KEY AUTOINCREMENT,
                        session_id TEXT NOT NULL,
                        user_name TEXT,
                        connected_at INTEGER NOT NULL,
                        identified_at INTEGER,
                        ended_at INTEGER,
                        reason TEXT CHECK (reason IN ('quit', 'closed', 'timeout', 'slow', 'kicked', 'shutdown', 'restart')),
                        remote_address TEXT,
                        transport TEXT NOT NULL,
                        CHECK ((ended_at IS NULL) = (reason IS NULL)),
                        CHECK ((user_name IS NULL) = (identified_at IS NULL))
                    )
                    """)
            // Session ids repeat across time (a client may reuse one), but only one connection
            // holds an id at a time: at most one open row per id. It is also the index that
            // finds the open row of an id, and all open rows at start-up.
            try db.execute(sql: "CREATE UNIQUE INDEX sessions_open_id ON sessions (session_id) WHERE ended_at IS NULL")
            // `lobby-server sessions` lists newest first.
            try db.execute(sql: "CREATE INDEX sessions_connected_at ON sessions (connected_at, serial)")
        }
        migrator.registerMigration("v2: reason node-lost") { db in
            // SQLite cannot change a CHECK constraint in place: the table is rebuilt with the
            // new list (its rows, serials and indexes kept), inside the migration's transaction.
            try db.execute(
                sql: """
                    CREATE TABLE sessions_v2 (
                        serial INTEGER PRIMARY KEY AUTOINCREMENT,
                        session_id TEXT NOT NULL,
                        user_name TEXT,
                        connected_at INTEGER NOT NULL,
                        identified_at INTEGER,
                        ended_at INTEGER,
                        reason TEXT CHECK (reason IN (
                            'quit', 'closed', 'timeout', 'slow', 'kicked', 'shutdown', 'restart', 'node-lost')),
                        remote_address TEXT,
                        transport TEXT NOT NULL,
                        CHECK ((ended_at IS NULL) = (reason IS NULL)),
                        CHECK ((user_name IS NULL) = (identified_at IS NULL))
                    )
                    """)
            try db.execute(
                sql: """
                    INSERT INTO sessions_v2 (serial, session_id, user_name, connected_at, identified_at, ended_at,
                                             reason, remote_address, transport)
                    SELECT serial, session_id, user_name, connected_at, identified_at, ended_at,
                           reason, remote_address, transport
                    FROM sessions
                    """)
            try db.execute(sql: "DROP TABLE sessions")
            try db.execute(sql: "ALTER TABLE sessions_v2 RENAME TO sessions")
            try db.execute(sql: "CREATE UNIQUE INDEX sessions_open_id ON sessions (session_id) WHERE ended_at IS NULL")
            try db.execute(sql: "CREATE INDEX sessions_connected_at ON sessions (connected_at, serial)")
        }
        migrator.registerMigration("v3: name claims") { db in
            // One row per claimed name (NFC); only the secret's SHA-256 is stored.
            try db.execute(
                sql: """
                    CREATE TABLE name_claims (
                        name TEXT PRIMARY KEY,
                        token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
                        claimed_at INTEGER NOT NULL,
                        last_used INTEGER NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("v4: private messages, away, search") { db in
            // A private message is a row of `messages` with its recipient; the room's history and
            // search skip those rows.
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN to_user TEXT")
            try db.execute(
                sql: "CREATE INDEX messages_direct ON messages (to_user, user_name) WHERE to_user IS NOT NULL")
            try db.execute(
                sql: """
                    CREATE TABLE user_status (
                        user_name TEXT PRIMARY KEY,
                        away TEXT NOT NULL,
                        at INTEGER NOT NULL
                    )
                    """)
            // Full-text index of room messages (FTS5, external content: the text stays in
            // `messages` once). Messages are never updated or deleted, so an insert trigger is all
            // it takes to keep it current.
            try db.execute(
                sql: "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id')")
            try db.execute(
                sql: """
                    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.to_user IS NULL
                    BEGIN
                        INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
                    END
                    """)
            try db.execute(sql: "INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages")
        }
        migrator.registerMigration("v5: claims keyed by name skeleton") { db in
            // Claims are looked up by the name's skeleton (Unicode TS #39), and the name as its
            // owner typed it is kept for display. Of old claims whose names now share a
            // skeleton (`alice` and `Alice`), the most recently used stays.
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM name_claims")
            let claims = rows.map { row in
                NameClaimRecord(
                    name: row["name"], tokenHash: Array(row["token_hash"] as Data),
                    claimedAt: Timestamp(millisecondsSince1970: row["claimed_at"]),
                    lastUsed: Timestamp(millisecondsSince1970: row["last_used"]))
            }
            try db.execute(sql: "DROP TABLE name_claims")
            try db.execute(
                sql: """
                    CREATE TABLE name_claims (
                        name TEXT PRIMARY KEY,
                        display_name TEXT NOT NULL,
                        token_hash BLOB NOT NULL CHECK (length(token_hash) = 32),
                        claimed_at INTEGER NOT NULL,
                        last_used INTEGER NOT NULL
                    )
                    """)
            let byKey = Dictionary(grouping: claims) { NameClaimRecord.key(for: $0.name) }
            for (key, group) in byKey {
                guard let claim = NameClaimRecord.survivor(of: group) else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO name_claims (name, display_name, token_hash, claimed_at, last_used)
                        VALUES (?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        key, claim.name, Data(claim.tokenHash), claim.claimedAt.millisecondsSince1970,
                        claim.lastUsed.millisecondsSince1970,
                    ])
            }
        }
        migrator.registerMigration("v6: substring search for scripts without spaces") { db in
            // A trigram index beside the word index: a query word of Han, Kana, Hangul, Thai…
            // is found anywhere in the text (`하세` in "안녕하세요"), as those scripts do not
            // separate words with spaces. Room messages only, like the word index.
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE messages_trgm
                    USING fts5(text, content='messages', content_rowid='id', tokenize='trigram')
                    """)
            try db.execute(
                sql: """
                    CREATE TRIGGER messages_trgm_insert AFTER INSERT ON messages WHEN new.to_user IS NULL
                    BEGIN
                        INSERT INTO messages_trgm (rowid, text) VALUES (new.id, new.text);
                    END
                    """)
            try db.execute(
                sql: "INSERT INTO messages_trgm (rowid, text) SELECT id, text FROM messages WHERE to_user IS NULL")
        }
        return migrator
    }
}
