import Foundation
import GRDB
import LobbyCore
import Testing

@testable import LobbyStore

/// What only the SQLite adapter promises: durability, schema, WAL, sharing a file.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
    private func withDatabasePath(_ body: (String) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            try await body(directory.appendingPathComponent("lobby.sqlite").path)
        }
    }

    @Test func dataSurvivesReopeningTheFile() async throws {
        try await withDatabasePath { path in
            do {
                let store = try SQLiteStore(path: path)
                _ = try await store.apply([
                    message("before restart"), start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1)),
                ])
            }
            let reopened = try SQLiteStore(path: path)
            #expect(try await reopened.recentMessages(limit: 10).map(\.text) == ["before restart"])
            #expect(try await reopened.sessions(includeEnded: false, limit: 10).map(\.user) == ["alice"])
            #expect(try await reopened.closeOpenSessions(reason: .restart, at: at(2)) == 1)
            let next = try await reopened.apply([message("after restart")])
            #expect(next.map(\.id) == [2])
        }
    }

    @Test func migrationsRunOnceAndReopeningIsIdempotent() async throws {
        try await withDatabasePath { path in
            let first = try SQLiteStore(path: path)
            let migrations = try await first.appliedMigrations()
            #expect(
                migrations == [
                    "v1: messages and sessions", "v2: reason node-lost", "v3: name claims",
                    "v4: private messages, away, search", "v5: claims keyed by name skeleton",
                    "v6: substring search for scripts without spaces",
                ])
            _ = try await first.apply([message("kept")])
            for _ in 0..<3 {
                let again = try SQLiteStore(path: path)
                #expect(try await again.appliedMigrations() == migrations)
                #expect(try await again.recentMessages(limit: 10).map(\.text) == ["kept"])
            }
        }
    }

    /// v5 rekeys claims by skeleton: of `alice` and `Alice`, claimed by two people before, the
    /// one used last stays (under its owner's spelling); a claim with no look-alike stays as it was.
    @Test func aVersion4FileKeepsTheLastUsedOfLookAlikeClaims() async throws {
        try await withDatabasePath { path in
            do {
                let v4 = try DatabaseQueue(path: path)
                try SQLiteStore.migrator.migrate(v4, upTo: "v4: private messages, away, search")
                try await v4.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO name_claims (name, token_hash, claimed_at, last_used)
                            VALUES ('alice', zeroblob(32), 1, 10), ('Alice', randomblob(32), 2, 20),
                                   ('Ana María', randomblob(32), 3, 30)
                            """)
                }
            }
            let store = try SQLiteStore(path: path)
            #expect(try await store.nameClaims().map(\.name) == ["Alice", "Ana María"])
            let claim = try await store.nameClaim("alice")
            #expect(claim?.lastUsed == Timestamp(millisecondsSince1970: 20), "\(String(describing: claim))")
            #expect(try await store.nameClaim("ANA MARÍA")?.claimedAt == Timestamp(millisecondsSince1970: 3))
        }
    }

    /// Issue 21: with the file deleted under a running server, receipts went on and every
    /// later message was lost. Writes and reads now fail, naming the file.
    @Test func aDeletedOrReplacedFileFailsEveryAccess() async throws {
        try await withDatabasePath { path in
            let store = try SQLiteStore(path: path)
            _ = try await store.apply([message("before")])
            try FileManager.default.removeItem(atPath: path)
            await #expect {
                _ = try await store.apply([message("lost")])
            } throws: { error in
                "\(error)".contains("was deleted while the server ran")
            }
            await #expect(throws: StoreError.self) { _ = try await store.recentMessages(limit: 1) }
            // Another file at the same path is not the one the store has open.
            _ = try SQLiteStore(path: path)
            await #expect {
                _ = try await store.apply([message("lost")])
            } throws: { error in
                "\(error)".contains("was replaced")
            }
        }
    }

    @Test func aVersion1FileKeepsItsRowsAndAcceptsNodeLostAfterMigrating() async throws {
        try await withDatabasePath { path in
            // A file as the first release left it: only v1, one ended and one open session.
            do {
                let v1 = try DatabaseQueue(path: path)
                try SQLiteStore.migrator.migrate(v1, upTo: "v1: messages and sessions")
                try await v1.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO sessions (session_id, user_name, connected_at, identified_at, ended_at,
                                                  reason, transport)
                            VALUES ('old', 'alice', 1, 2, 3, 'quit', 'websocket'),
                                   ('open', 'bob', 4, 5, NULL, NULL, 'websocket')
                            """)
                    #expect(throws: (any Error).self) {
                        try db.execute(
                            sql: "UPDATE sessions SET ended_at = 6, reason = 'node-lost' WHERE session_id = 'open'")
                    }
                }
            }
            let store = try SQLiteStore(path: path)
            #expect(try await store.appliedMigrations().last == "v6: substring search for scripts without spaces")
            let all = try await store.sessions(includeEnded: true, limit: 10)
            #expect(all.map(\.id) == ["open", "old"])
            #expect(all.map(\.reason) == [nil, .quit])
            _ = try await store.apply([.sessionEnded("open", reason: .nodeLost, at: at(7))])
            #expect(try await store.sessions(includeEnded: true, limit: 10).map(\.reason) == [.nodeLost, .quit])
            // The unique index on open ids came back with the table.
            _ = try await store.apply([start("again", at: 8)])
            #expect(try await store.sessions(includeEnded: false, limit: 10).map(\.id) == ["again"])
        }
    }

    @Test func journalIsWALAndCommitsAreFullySynced() async throws {
        try await withDatabasePath { path in
            let store = try SQLiteStore(path: path)
            #expect(try await store.pragma("journal_mode") == "wal")
            #expect(try await store.writerPragma("synchronous") == "2")  // FULL
            #expect(try await store.writerPragma("busy_timeout") == "5000")
        }
    }

    @Test func secondStoreOnTheSameFileSeesCommittedData() async throws {
        try await withDatabasePath { path in
            let server = try SQLiteStore(path: path)
            let observer = try SQLiteStore(path: path)
            _ = try await server.apply([start("s1", at: 0), message("from server")])
            #expect(try await observer.sessions(includeEnded: false, limit: 10).map(\.id) == ["s1"])
            #expect(try await observer.recentMessages(limit: 10).map(\.text) == ["from server"])

            // Both can write; ids stay unique because SQLite assigns them.
            let fromObserver = try await observer.apply([message("from observer")])
            let fromServer = try await server.apply([message("from server again")])
            #expect(fromObserver.map(\.id) == [2])
            #expect(fromServer.map(\.id) == [3])
        }
    }

    @Test func schemaAllowsOneOpenRowPerSessionId() async throws {
        try await withDatabasePath { path in
            let store = try SQLiteStore(path: path)
            let insertOpen = "INSERT INTO sessions (session_id, connected_at, transport) VALUES ('s1', 0, 'websocket')"
            try await store.execute(sql: insertOpen)
            await #expect(throws: StoreError.self) { try await store.execute(sql: insertOpen) }
            // Ended rows with the same id are fine: ids repeat across time.
            try await store.execute(
                sql: "INSERT INTO sessions (session_id, connected_at, ended_at, reason, transport) "
                    + "VALUES ('s1', 0, 1, 'quit', 'websocket')")
        }
    }

    @Test(arguments: inconsistentRowsSQL)
    func schemaRejectsInconsistentRows(sql: String) async throws {
        try await withDatabasePath { path in
            let store = try SQLiteStore(path: path)
            await #expect(throws: StoreError.self) { try await store.execute(sql: sql) }
        }
    }

    @Test func openingInAMissingDirectoryFailsWithThePath() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("missing/lobby.sqlite").path
            #expect {
                try SQLiteStore(path: path)
            } throws: { error in
                (error as? StoreError)?.kind == .cannotOpen(path: path)
                    && "\(error)".hasPrefix("cannot open the database at \(path): ")
            }
        }
    }

    @Test func openingAFileThatIsNotADatabaseFails() async throws {
        try await withDatabasePath { path in
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            #expect(throws: StoreError.self) { try SQLiteStore(path: path) }
        }
    }

    @Test func databaseErrorsAreWrappedWithTheEngineError() async throws {
        try await withDatabasePath { path in
            let store = try SQLiteStore(path: path)
            try await store.execute(sql: "DROP TABLE messages")
            await #expect {
                try await store.apply([message("lost table")])
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.kind == .database(operation: "writing a batch") && error.underlying != nil
            }
        }
    }
}
