import LobbyCore
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import LobbyPostgres
@testable import LobbyStore

/// Several nodes on one PostgreSQL database: the room log, leases, reaping and fencing, with
/// two stores (two nodes) on a fresh database.
@Suite("PostgresStore cluster", .enabled(if: TestPostgres.configured != nil))
struct PostgresClusterTests {
    private func node(_ id: String, on url: PostgresURL, leaseMilliseconds: Int64 = 10_000) async throws
        -> PostgresStore
    {
        var options = PostgresStore.Options()
        options.nodeID = id
        options.leaseMilliseconds = leaseMilliseconds
        return try await PostgresStore.open(url, options: options, logger: TestPostgres.logger)
    }

    private func withNodes(
        leaseMilliseconds: Int64 = 10_000, _ body: (PostgresStore, PostgresStore, PostgresURL) async throws -> Void
    ) async throws {
        try await TestPostgres.withDatabase { url in
            let a = try await node("a", on: url, leaseMilliseconds: leaseMilliseconds)
            let b = try await node("b", on: url, leaseMilliseconds: leaseMilliseconds)
            do {
                try await body(a, b, url)
            } catch {
                await a.shutdown()
                await b.shutdown()
                throw error
            }
            await a.shutdown()
            await b.shutdown()
        }
    }

    @Test func bothNodesWritesFormOneLogInCommitOrder() async throws {
        try await withNodes { a, b, _ in
            #expect(try await a.joinCluster(at: at(0), leftoversReason: .restart) == 0)
            #expect(try await b.joinCluster(at: at(0), leftoversReason: .restart) == 0)
            _ = try await a.apply([start("a1", at: 1), .sessionIdentified("a1", user: "alice", at: at(2))])
            _ = try await b.apply([
                start("b1", at: 3), .sessionIdentified("b1", user: "bob", at: at(4)), message("hi", by: "bob", at: 5),
            ])
            _ = try await a.apply([
                .sessionEnded("a1", reason: .closed, at: at(6)), .sessionEnded("a1", reason: .timeout, at: at(7)),
            ])
            let entries = try await b.entries(after: 0, limit: 100)
            #expect(entries.map(\.sequence) == [1, 2, 3, 4])
            #expect(
                entries.map(\.change) == [
                    .identified("a1", user: "alice", at: at(2)),
                    .identified("b1", user: "bob", at: at(4)),
                    .message(ChatMessage(id: 1, user: "bob", text: "hi", at: at(5))),
                    .ended("a1", reason: .closed, at: at(6)),
                ])
            #expect(try await a.entries(after: 2, limit: 1).map(\.sequence) == [3])
            // The snapshot is the log's state: bob is here, alice is not.
            let snapshot = try await a.snapshot(historyLimit: 10)
            #expect(snapshot.sequence == 4)
            #expect(snapshot.sessions.map(\.session) == ["b1"])
            #expect(snapshot.history.map(\.text) == ["hi"])
            // Sessions carry their node.
            #expect(Set(try await a.sessions(includeEnded: true, limit: 10).map(\.node)) == ["a", "b"])
        }
    }

    /// Issue 21: the room log grew for ever. What every live node has read goes; the newest
    /// entry stays, so the next is numbered after it.
    @Test func theLogBelowEveryLiveNodesReadPositionIsPruned() async throws {
        try await withNodes { a, b, _ in
            _ = try await a.joinCluster(at: at(0), leftoversReason: .restart)
            _ = try await b.joinCluster(at: at(0), leftoversReason: .restart)
            for index in 1...4 {
                _ = try await a.apply([message("m\(index)", by: "alice", at: Int64(index))])
            }
            #expect(try await a.entries(after: 0, limit: 100).map(\.sequence) == [1, 2, 3, 4])
            #expect(try await a.renewLease(readThrough: 3))
            _ = try await a.reapLostNodes(at: at(5))
            #expect(try await a.entries(after: 0, limit: 100).count == 4, "b has read nothing yet")
            #expect(try await b.renewLease(readThrough: 2))
            _ = try await b.reapLostNodes(at: at(6))
            #expect(try await a.entries(after: 0, limit: 100).map(\.sequence) == [2, 3, 4])
            #expect(try await a.renewLease(readThrough: 4))
            #expect(try await b.renewLease(readThrough: 4))
            _ = try await a.reapLostNodes(at: at(7))
            #expect(try await a.entries(after: 0, limit: 100).map(\.sequence) == [4])
            _ = try await b.apply([message("m5", by: "bob", at: 8)])
            #expect(try await a.entries(after: 4, limit: 100).map(\.sequence) == [5])
            // A read position never moves back: 4 and 5 stay until both nodes read 5.
            #expect(try await a.renewLease(readThrough: 1))
            _ = try await a.reapLostNodes(at: at(9))
            #expect(try await a.entries(after: 0, limit: 100).map(\.sequence) == [4, 5])
        }
    }

    @Test func aLapsedNodeIsReapedWithNodeLostOnceAndThenFenced() async throws {
        try await withNodes { a, b, url in
            _ = try await a.joinCluster(at: at(0), leftoversReason: .restart)
            _ = try await b.joinCluster(at: at(0), leftoversReason: .restart)
            _ = try await b.apply([
                start("b1", at: 1), .sessionIdentified("b1", user: "bob", at: at(2)), start("b2", at: 3),
            ])
            #expect(try await a.reapLostNodes(at: at(4)) == 0, "b's lease still holds")
            #expect(try await a.renewLease(readThrough: 0))
            // b stops renewing: its lease runs out (set on the database's clock, not waited for).
            try await TestPostgres.execute(
                "UPDATE nodes SET lease_until = now() - interval '1 second' WHERE node_id = 'b'", on: url)
            #expect(try await a.reapLostNodes(at: at(6)) == 2)
            #expect(try await a.reapLostNodes(at: at(7)) == 0, "reaped once")
            let ends = try await a.entries(after: 0, limit: 100).filter {
                if case .ended = $0.change { return true }
                return false
            }
            // Only the identified session is announced; both rows are closed.
            #expect(ends.map(\.change) == [.ended("b1", reason: .nodeLost, at: at(6))])
            #expect(try await a.sessions(includeEnded: false, limit: 10).isEmpty)
            // b wakes up: its renewal and its writes are refused.
            #expect(try await b.renewLease(readThrough: 0) == false)
            await #expect(throws: StoreError.self) {
                _ = try await b.apply([message("from a fenced node", by: "bob")])
            }
            #expect(try await a.recentMessages(limit: 10).isEmpty)
            // b joins again under a new epoch and works.
            _ = try await b.joinCluster(at: at(8), leftoversReason: .nodeLost)
            #expect(try await b.apply([message("back", by: "bob")]).map(\.text) == ["back"])
        }
    }

    @Test func aRestartedNodeEndsOnlyItsOwnLeftoversWithRestart() async throws {
        try await withNodes { a, b, url in
            _ = try await a.joinCluster(at: at(0), leftoversReason: .restart)
            _ = try await b.joinCluster(at: at(0), leftoversReason: .restart)
            _ = try await a.apply([start("a1", at: 1), .sessionIdentified("a1", user: "alice", at: at(2))])
            _ = try await b.apply([start("b1", at: 3), .sessionIdentified("b1", user: "bob", at: at(4))])
            // b "crashes" and a new run with its id starts.
            let again = try await node("b", on: url)
            #expect(try await again.joinCluster(at: at(5), leftoversReason: .restart) == 1)
            #expect(try await b.renewLease(readThrough: 0) == false, "the old run is fenced by the new epoch")
            let open = try await a.sessions(includeEnded: false, limit: 10)
            #expect(open.map(\.id) == ["a1"])
            #expect(
                try await a.entries(after: 2, limit: 10).map(\.change) == [.ended("b1", reason: .restart, at: at(5))])
            await again.shutdown()
        }
    }

    @Test func aNotificationWakesTheListenerForACommitThatLogs() async throws {
        try await withNodes { a, b, _ in
            _ = try await a.joinCluster(at: at(0), leftoversReason: .restart)
            let wakeUps = Mutex(0)
            let listening = Task {
                for await _ in b.changes() {
                    wakeUps.withLock { $0 += 1 }
                }
            }
            defer { listening.cancel() }
            // The first wake-up says the listener is in place (and asks for a catch-up read).
            #expect(await eventually { wakeUps.withLock { $0 } == 1 })
            // A listener that failed would wake up again within ~100 ms to retry; a working
            // one stays quiet until something is logged.
            try await Task.sleep(for: .milliseconds(400))
            #expect(wakeUps.withLock { $0 } == 1)
            _ = try await a.apply([message("wake up")])
            #expect(await eventually { wakeUps.withLock { $0 } == 2 })
            #expect(try await b.entries(after: 0, limit: 10).count == 1)
        }
    }

    @Test func aSchemaOneDatabaseMigratesAndItsOpenSessionsAreReapedAsLost() async throws {
        try await TestPostgres.withDatabase { url in
            for statement in PostgresSchema.migrations[0].statements {
                try await TestPostgres.execute(statement, on: url)
            }
            try await TestPostgres.execute(
                """
                CREATE TABLE lobby_schema (version integer PRIMARY KEY, description text NOT NULL,
                                           applied_at timestamptz NOT NULL DEFAULT now())
                """, on: url)
            try await TestPostgres.execute("INSERT INTO lobby_schema (version, description) VALUES (1, 'v1')", on: url)
            try await TestPostgres.execute(
                """
                INSERT INTO sessions (session_id, user_name, connected_at, identified_at, transport)
                VALUES ('old', 'alice', 1, 2, 'websocket')
                """, on: url)
            let a = try await node("a", on: url)
            do {
                _ = try await a.joinCluster(at: at(3), leftoversReason: .restart)
                #expect(try await a.reapLostNodes(at: at(4)) == 1)
                #expect(try await a.sessions(includeEnded: true, limit: 10).map(\.reason) == [.nodeLost])
            } catch {
                await a.shutdown()
                throw error
            }
            await a.shutdown()
        }
    }
}

/// Polls `condition` every 20 ms for up to 5 s.
private func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<250 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
