import LobbyCore
import Logging
import PostgresNIO
import Testing

@testable import LobbyPostgres
@testable import LobbyStore

/// What only the PostgreSQL adapter promises: its schema and migrations, several stores on one
/// database, clear errors when it cannot open, and a clean shutdown. Runs when
/// `LOBBY_TEST_POSTGRES_URL` names a server (see ``PostgresAvailabilityTests``).
@Suite("PostgresStore", .enabled(if: TestPostgres.configured != nil))
struct PostgresStoreTests {
    private func open(_ url: PostgresURL, migrating: Bool = true) async throws -> PostgresStore {
        var options = PostgresStore.Options()
        options.migratesSchema = migrating
        return try await PostgresStore.open(url, options: options, logger: TestPostgres.logger)
    }

    /// Runs `body` with a store on a fresh database, shut down afterwards.
    private func withStore(_ body: (PostgresStore, PostgresURL) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { url in
            let store = try await open(url)
            do {
                try await body(store, url)
                await store.shutdown()
            } catch {
                await store.shutdown()
                throw error
            }
        }
    }

    private func versions(at url: PostgresURL) async throws -> [Int32] {
        try await TestPostgres.rows("SELECT version FROM lobby_schema ORDER BY version", on: url)
            .map { try $0.decode(Int32.self) }
    }

    @Test func dataSurvivesReopening() async throws {
        try await TestPostgres.withDatabase { url in
            let first = try await open(url)
            let stored = try await first.apply([
                message("before restart"), start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1)),
            ])
            await first.shutdown()

            let reopened = try await open(url)
            #expect(try await reopened.recentMessages(limit: 10).map(\.text) == ["before restart"])
            #expect(try await reopened.sessions(includeEnded: false, limit: 10).map(\.user) == ["alice"])
            #expect(try await reopened.closeOpenSessions(reason: .restart, at: at(2)) == 1)
            let next = try await reopened.apply([message("after restart")])
            #expect(next[0].id > stored[0].id)
            await reopened.shutdown()
        }
    }

    @Test func migrationsRunOnceAndReopeningIsIdempotent() async throws {
        try await TestPostgres.withDatabase { url in
            let first = try await open(url)
            #expect(try await versions(at: url) == [1, 2, 3, 4, 5, 6, 7])
            _ = try await first.apply([message("kept")])
            await first.shutdown()
            for _ in 0..<3 {
                let again = try await open(url)
                #expect(try await again.recentMessages(limit: 10).map(\.text) == ["kept"])
                await again.shutdown()
            }
            #expect(try await versions(at: url) == [1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test func storesOpeningTogetherMigrateOnce() async throws {
        try await TestPostgres.withDatabase { url in
            let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await open(url) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(stores.count == 4)
            #expect(try await versions(at: url) == [1, 2, 3, 4, 5, 6, 7])
            for store in stores {
                await store.shutdown()
            }
        }
    }

    @Test func secondStoreOnTheSameDatabaseSeesCommittedData() async throws {
        try await withStore { server, url in
            let observer = try await open(url)
            _ = try await server.apply([start("s1", at: 0), message("from server")])
            #expect(try await observer.sessions(includeEnded: false, limit: 10).map(\.id) == ["s1"])
            #expect(try await observer.recentMessages(limit: 10).map(\.text) == ["from server"])

            let fromObserver = try await observer.apply([message("from observer")])
            let fromServer = try await server.apply([message("from server again")])
            #expect(fromObserver[0].id < fromServer[0].id)
            #expect(
                try await server.recentMessages(limit: 10).map(\.text) == [
                    "from server", "from observer", "from server again",
                ])
            await observer.shutdown()
        }
    }

    @Test func manyOneStatementBatchesDoNotExhaustThePool() async throws {
        // One-statement batches skip the transaction and discard the (empty) row sequence; each
        // must still hand its connection back, or the pool (4 connections) would run dry.
        try await withStore { store, _ in
            for index in 0..<20 {
                _ = try await store.apply([start(SessionID("s\(index)"), at: Int64(index))])
                _ = try await store.apply([.sessionEnded(SessionID("s\(index)"), reason: .quit, at: at(Int64(index)))])
            }
            #expect(try await store.sessions(includeEnded: true, limit: 100).count == 20)
            #expect(try await store.sessions(includeEnded: false, limit: 100) == [])
        }
    }

    @Test func aFailingStatementRollsBackTheWholeBatch() async throws {
        try await withStore { store, url in
            // A constraint the store does not know about makes the last write of the batch fail.
            try await TestPostgres.execute(
                "ALTER TABLE messages ADD CONSTRAINT no_bad_words CHECK (text <> 'poison')", on: url)
            await #expect {
                try await store.apply([
                    start("s1", at: 0), .sessionIdentified("s1", user: "alice", at: at(1)), message("fine"),
                    message("poison"),
                ])
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                // The constraint is named; the failing row (its chat text) is not shown.
                return error.kind == .database(operation: "writing a batch")
                    && "\(error)".contains("no_bad_words") && !"\(error)".contains("poison")
            }
            #expect(try await store.sessions(includeEnded: true, limit: 10) == [])
            #expect(try await store.recentMessages(limit: 10) == [])
            // The pool's connection is usable afterwards (the transaction was rolled back).
            #expect(try await store.apply([start("s2", at: 2), message("next")]).map(\.text) == ["next"])
        }
    }

    @Test func textWithNULIsStoredWithAReplacementCharacter() async throws {
        // PostgreSQL text cannot hold U+0000; one such message must not fail its batch.
        try await withStore { store, _ in
            let stored = try await store.apply([message("a\u{0}b", by: "alice"), message("plain")])
            #expect(stored.map(\.text) == ["a\u{FFFD}b", "plain"])
            #expect(try await store.recentMessages(limit: 10) == stored)
        }
    }

    @Test func schemaAllowsOneOpenRowPerSessionId() async throws {
        try await withStore { _, url in
            let insertOpen: PostgresQuery =
                "INSERT INTO sessions (session_id, connected_at, transport) VALUES ('s1', 0, 'websocket')"
            try await TestPostgres.execute(insertOpen, on: url)
            await #expect(throws: PSQLError.self) { try await TestPostgres.execute(insertOpen, on: url) }
            try await TestPostgres.execute(
                "INSERT INTO sessions (session_id, connected_at, ended_at, reason, transport) VALUES ('s1', 0, 1, 'quit', 'websocket')",
                on: url)
        }
    }

    @Test(arguments: inconsistentRowsSQL + ["INSERT INTO messages (user_name, text) VALUES ('alice', 'hi')"])
    func schemaRejectsInconsistentRows(sql: String) async throws {
        try await withStore { _, url in
            await #expect(throws: PSQLError.self) {
                try await TestPostgres.execute(PostgresQuery(unsafeSQL: sql), on: url)
            }
        }
    }

    @Test func aNewerSchemaIsRefused() async throws {
        try await TestPostgres.withDatabase { url in
            try await open(url).shutdown()
            try await TestPostgres.execute(
                "INSERT INTO lobby_schema (version, description) VALUES (99, 'from the future')", on: url)
            await #expect {
                try await open(url)
            } throws: { error in
                "\(error)".contains("the database schema is version 99, newer than this lobby-server knows (7)")
            }
        }
    }

    @Test func readingWithoutMigratingNeitherCreatesTablesNorOpensAnEmptyDatabase() async throws {
        try await TestPostgres.withDatabase { url in
            await #expect {
                try await open(url, migrating: false)
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.kind == .cannotOpen(path: url.description)
                    && "\(error)".hasSuffix("the database has no Lobby tables (no lobby-server has run on it yet)")
            }
            let tables = try await TestPostgres.rows(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", on: url)
            #expect(try tables.map { try $0.decode(Int64.self) } == [0])

            try await open(url).shutdown()
            let reader = try await open(url, migrating: false)
            #expect(try await reader.sessions(includeEnded: true, limit: 10) == [])
            await reader.shutdown()
        }
    }

    @Test func aMissingDatabaseFailsWithTheServersWords() async throws {
        let base = try #require(try TestPostgres.configured?.get())
        let url = base.with(database: "lobby_no_such_database")
        await #expect {
            try await open(url)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.kind == .cannotOpen(path: url.description)
                && "\(error)".contains("3D000")
                && "\(error)".contains("database \"lobby_no_such_database\" does not exist")
        }
    }

    @Test func aClosedPortFailsWithTheConnectErrorWithoutShowingThePassword() async throws {
        // Port 1 on loopback: nothing listens there, so the connect is refused at once.
        let url = PostgresURL(
            user: "lobby", password: "hunter2", host: "127.0.0.1", port: 1, database: "d", sslMode: .disable)
        // The first connection is made directly, not through the pool: the error is the
        // connect's own, not the pool's "circuit breaker tripped" after its retries.
        await #expect {
            try await open(url)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("cannot open the database at postgres://lobby:***@127.0.0.1:1/d?sslmode=disable: ")
                && text.contains("could not connect") && !text.contains("hunter2")
        }
    }

    @Test func requireFailsClearlyAgainstAServerWithoutTLS() async throws {
        // The private test server has no certificate; `prefer` falls back to plain TCP, `require` must not.
        var url = try #require(try TestPostgres.configured?.get())
        url.sslMode = .prefer
        try await open(url).shutdown()
        url.sslMode = .require
        await #expect {
            try await open(url)
        } throws: { error in
            "\(error)".contains("the server does not support TLS")
        }
    }

    @Test func callsAfterShutdownFailAsStoreErrors() async throws {
        try await TestPostgres.withDatabase { url in
            let store = try await open(url)
            await store.shutdown()
            await #expect(throws: StoreError.self) { try await store.apply([message("too late")]) }
            await #expect(throws: StoreError.self) { try await store.recentMessages(limit: 1) }
        }
    }

    @Test func databaseErrorsAreWrappedWithTheServersMessage() async throws {
        try await withStore { store, url in
            try await TestPostgres.execute("DROP TABLE messages", on: url)
            await #expect {
                try await store.apply([message("lost table")])
            } throws: { error in
                guard let error = error as? StoreError else { return false }
                return error.kind == .database(operation: "writing a batch")
                    && "\(error)".contains("42P01") && !"\(error)".contains("lost table")
            }
        }
    }
}
