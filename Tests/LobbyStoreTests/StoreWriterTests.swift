import Foundation
import LobbyCore
import Testing

@testable import LobbyStore

@Suite("StoreWriter")
struct StoreWriterTests {
    /// Runs `writer` in a child task for the duration of `body`, then finishes it and waits
    /// for `run()` to return.
    private func running(_ writer: StoreWriter, _ body: () async throws -> Void) async throws {
        async let drained: Void = writer.run()
        do {
            try await body()
        } catch {
            writer.finish()
            await drained
            throw error
        }
        writer.finish()
        await drained
    }

    @Test func storesMessagesAndReportsThemToTheirCompletions() async throws {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        let results = Recorder<String>()
        try await running(writer) {
            writer.enqueue(message("hi", by: "alice")) { result in
                results.append((try? result.get())?.map { "\($0.id):\($0.text)" } ?? "error")
            }
            writer.enqueue(start("s1", at: 0)) { result in
                switch result {
                case .success(nil): results.append("nil")
                case .success: results.append("message")
                case .failure: results.append("error")
                }
            }
            await writer.flush()
        }
        #expect(results.all == ["1:hi", "nil"])
        #expect(try await store.recentMessages(limit: 10).map(\.text) == ["hi"])
    }

    @Test func completionsRunInEnqueueOrderWithIncreasingIds() async throws {
        let writer = StoreWriter(store: InMemoryStore(), maxBatch: 7)
        let completed = Recorder<(id: Int64, text: String)>()
        let enqueued = Recorder<String>()
        let order = Locked<Void>(())
        try await running(writer) {
            // Concurrent producers; the lock makes "enqueue order" observable for the test.
            await withTaskGroup(of: Void.self) { group in
                for producer in 0..<4 {
                    group.addTask {
                        for index in 0..<50 {
                            let text = "p\(producer)-\(index)"
                            order.withLock { _ in
                                enqueued.append(text)
                                writer.enqueue(message(text)) { result in
                                    if let stored = try? result.get() { completed.append((stored.id, stored.text)) }
                                }
                            }
                        }
                    }
                }
            }
            await writer.flush()
        }
        let ids = completed.all.map(\.id)
        #expect(ids.count == 200)
        #expect(ids == Array(1...200))
        #expect(completed.all.map(\.text) == enqueued.all)
    }

    @Test func writesQueuedTogetherGoInOneTransaction() async throws {
        let store = InstrumentedStore()
        let writer = StoreWriter(store: store)
        for index in 0..<100 {
            writer.enqueue(message("m\(index)"))
        }
        #expect(writer.pendingCount == 100)
        writer.finish()
        await writer.run()
        #expect(store.batchSizes == [100])
        #expect(writer.pendingCount == 0)
    }

    @Test func batchesAreCappedAtMaxBatch() async throws {
        let store = InstrumentedStore()
        let writer = StoreWriter(store: store, maxBatch: 30)
        for index in 0..<100 {
            writer.enqueue(message("m\(index)"))
        }
        writer.finish()
        await writer.run()
        #expect(store.batchSizes == [30, 30, 30, 10])
        #expect(try await store.recentMessages(limit: 200).map(\.id) == Array(1...100))
    }

    @Test func writesArrivingDuringACommitFormTheNextBatch() async throws {
        let store = InstrumentedStore()
        let gate = Gate()
        var batchesStarted = store.hold(at: gate).makeAsyncIterator()
        let writer = StoreWriter(store: store)
        try await running(writer) {
            writer.enqueue(message("first"))
            #expect(await batchesStarted.next() == 1)
            for index in 0..<49 {
                writer.enqueue(message("m\(index)"))
            }
            await gate.open()
            await writer.flush()
        }
        #expect(store.batchSizes == [1, 49])
    }

    @Test func finishDrainsWhatWasQueuedThenRunReturns() async throws {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        let done = Recorder<Int64>()
        for index in 0..<5 {
            writer.enqueue(message("m\(index)")) { if let id = try? $0.get()?.id { done.append(id) } }
        }
        writer.finish()
        await writer.run()
        #expect(done.all == [1, 2, 3, 4, 5])
        #expect(try await store.recentMessages(limit: 10).count == 5)
    }

    @Test func writesAfterFinishAreRejectedAtOnce() async throws {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        writer.finish()
        let outcome = Recorder<String>()
        writer.enqueue(message("too late")) { result in
            if case .failure(let error as StoreError) = result, error.kind == .writerFinished {
                outcome.append("rejected")
            }
        }
        #expect(outcome.all == ["rejected"])
        await writer.run()
        #expect(try await store.recentMessages(limit: 10) == [])
    }

    @Test func flushWaitsForEverythingEnqueuedBefore() async throws {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store, maxBatch: 3)
        try await running(writer) { () async throws in
            await writer.flush()  // nothing pending: returns at once
            for index in 0..<10 {
                writer.enqueue(message("m\(index)"))
            }
            await writer.flush()
            #expect(try await store.recentMessages(limit: 20).count == 10)
            writer.enqueue(message("m10"))
            await writer.flush()
            #expect(try await store.recentMessages(limit: 20).count == 11)
        }
    }

    @Test func flushBeforeRunStartsReturnsOnceRunHasWritten() async throws {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        writer.enqueue(message("queued before run"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await writer.flush()
                writer.finish()
            }
            group.addTask { await writer.run() }
        }
        #expect(try await store.recentMessages(limit: 10).map(\.text) == ["queued before run"])
    }

    @Test func aFailedBatchFailsEveryCompletionInItAndLaterBatchesGoOn() async throws {
        let store = InstrumentedStore()
        store.fail(batches: [0])
        let writer = StoreWriter(store: store, maxBatch: 3)
        let outcomes = Recorder<String>()
        for index in 0..<6 {
            let write = index == 1 ? start("s1", at: 0) : message("m\(index)")
            writer.enqueue(write) { result in
                switch result {
                case .success(let stored): outcomes.append(stored.map { "stored \($0.id)" } ?? "stored")
                case .failure(let error): outcomes.append(error is InstrumentedStore.Failure ? "failed" : "\(error)")
                }
            }
        }
        writer.finish()
        await writer.run()
        #expect(outcomes.all == ["failed", "failed", "failed", "stored 1", "stored 2", "stored 3"])
        #expect(try await store.recentMessages(limit: 10).map(\.text) == ["m3", "m4", "m5"])
        #expect(try await store.sessions(includeEnded: true, limit: 10) == [])
    }

    @Test func anInvalidWriteFailsAloneInItsTurn() async throws {
        let store = InstrumentedStore()
        let writer = StoreWriter(store: store)
        let outcomes = Recorder<String>()
        let writes: [StoreWrite] = [
            message("before"), start("s1", at: 0), .sessionEnded("s1", reason: .renamed, at: at(1)), message("after"),
        ]
        for write in writes {
            writer.enqueue(write) { result in
                switch result {
                case .success(let stored): outcomes.append(stored?.text ?? "ok")
                case .failure(let error): outcomes.append((error as? StoreError).map { "\($0.kind)" } ?? "other")
                }
            }
        }
        writer.finish()
        await writer.run()
        #expect(
            outcomes.all == [
                "before", "ok", "\(StoreError.Kind.invalidWrite("'renamed' is not a reason for a session to end"))",
                "after",
            ])
        #expect(store.batchSizes == [3])
        #expect(try await store.sessions(includeEnded: false, limit: 10).map(\.id) == ["s1"])
    }

    @Test func cancellingRunStillWritesWhatWasAccepted() async throws {
        // SQLite, because GRDB's async access throws CancellationError in a cancelled task:
        // the writer must shield accepted writes from that.
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory.appendingPathComponent("lobby.sqlite").path)
            let writer = StoreWriter(store: store)
            let outcomes = Recorder<Bool>()
            for index in 0..<20 {
                writer.enqueue(message("m\(index)")) { outcomes.append((try? $0.get()) != nil) }
            }
            let task = Task { await writer.run() }
            task.cancel()
            await task.value
            #expect(outcomes.all == Array(repeating: true, count: 20))
            #expect(try await store.recentMessages(limit: 50).count == 20)

            // Cancelling is finishing: later writes are refused.
            writer.enqueue(message("late")) { outcomes.append((try? $0.get()) != nil) }
            #expect(outcomes.all.count == 21 && outcomes.all.last == false)
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/thread-self/comm")))
    func batchesAndCompletionsRunOnTheWritersOwnThread() async throws {
        // A commit blocks in fsync: it must never run on Swift's cooperative pool.
        let writer = StoreWriter(store: InMemoryStore())
        let threads = Recorder<String>()
        try await running(writer) {
            for index in 0..<3 {
                writer.enqueue(message("m\(index)")) { _ in threads.append(systemThreadName()) }
            }
            await writer.flush()
        }
        #expect(threads.all == Array(repeating: "lobby-writer", count: 3))
    }

    @Test func runsInFrontOfSQLite() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteStore(path: directory.appendingPathComponent("lobby.sqlite").path)
            let writer = StoreWriter(store: store)
            try await running(writer) {
                writer.enqueue(start("s1", at: 0))
                writer.enqueue(.sessionIdentified("s1", user: "alice", at: at(1)))
                writer.enqueue(message("hello", by: "alice", at: 2))
                writer.enqueue(.sessionEnded("s1", reason: .quit, at: at(3)))
                await writer.flush()
            }
            #expect(try await store.recentMessages(limit: 10).map(\.text) == ["hello"])
            #expect(try await store.sessions(includeEnded: true, limit: 10).map(\.reason) == [.quit])
        }
    }
}

/// The calling thread's name as the system knows it (what `ps -L` and profilers show).
private func systemThreadName() -> String {
    let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
    return comm?.trimmingCharacters(in: .newlines) ?? "unknown"
}
