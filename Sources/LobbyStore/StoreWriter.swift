import LobbyCore

/// Group commit in front of any ``LobbyStore``.
///
/// Sessions enqueue writes from any thread without awaiting; one drain task (``run()``), on a
/// thread of its own, applies everything pending as one batch, so a burst of chat messages
/// costs one transaction and one fsync instead of one each. Completions run on the drain task, in
/// enqueue order, after the batch committed: the server broadcasts a chat message from its
/// completion, so messages go out in id order and only once they are stored.
///
/// ```swift
/// let writer = StoreWriter(store: store)
/// Task { await writer.run() }
/// writer.enqueue(.message(user: "alice", text: "hi", at: .now())) { result in
///     if case .success(let message?) = result { broker.publish(message) }
/// }
/// ```
///
/// If a batch fails (a disk error), every completion of the batch gets the error and the
/// writer goes on with the next batch; nothing is retried behind the caller's back, and
/// nothing is reported stored that was not committed.
public final class StoreWriter: Sendable {
    /// Called once per write with the stored message (for `.message`), `nil` for other
    /// writes, or the error.
    public typealias Completion = @Sendable (Result<ChatMessage?, any Error>) -> Void

    private struct Entry {
        var write: StoreWrite
        var completion: Completion?
        /// Set when the write can never be applied; it still completes in its turn.
        var invalid: StoreError?
    }

    private struct Flush {
        /// The flush returns once this many writes have completed.
        var target: UInt64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var queue: [Entry] = []
        var accepting = true
        var running = false
        /// Writes accepted so far.
        var enqueued: UInt64 = 0
        /// Writes whose completion has run.
        var completed: UInt64 = 0
        /// The drain task, parked while the queue is empty.
        var idle: CheckedContinuation<Void, Never>?
        var flushes: [Flush] = []
    }

    public let store: any LobbyStore
    private let maxBatch: Int
    private let state = Locked(State())
    private let batchObserver = Locked<(@Sendable () -> Void)?>(nil)
    private let transactionObserver = Locked<(@Sendable (Int, Duration) -> Void)?>(nil)

    /// - Parameter maxBatch: The most writes in one transaction, so that one huge backlog
    ///   does not hold the database's write lock for long.
    public init(store: any LobbyStore, maxBatch: Int = 512) {
        precondition(maxBatch > 0, "maxBatch must be positive")
        self.store = store
        self.maxBatch = maxBatch
    }

    /// Sets what runs after each batch's completions, on the drain task: the point where
    /// everything one transaction committed has been handed to its completions. The server
    /// gathers the announcements of one batch there (one presence message for a storm of joins).
    /// A write rejected after ``finish()`` counts as a batch of its own.
    public func onBatchCompleted(_ observer: @escaping @Sendable () -> Void) {
        batchObserver.withLock { $0 = observer }
    }

    /// Sets what learns each transaction's size and how long the store took (for metrics).
    public func onTransaction(_ observer: @escaping @Sendable (_ writes: Int, _ duration: Duration) -> Void) {
        transactionObserver.withLock { $0 = observer }
    }

    /// Queues a write without waiting. `completion` runs on the drain task once the write's
    /// batch is stored (or failed); after ``finish()`` it runs at once with an error.
    public func enqueue(_ write: StoreWrite, completion: Completion? = nil) {
        var invalid: StoreError?
        do { try write.validate() } catch { invalid = error }
        let entry = Entry(write: write, completion: completion, invalid: invalid)
        let (accepted, idle): (Bool, CheckedContinuation<Void, Never>?) = state.withLock { state in
            guard state.accepting else { return (false, nil) }
            state.queue.append(entry)
            state.enqueued += 1
            defer { state.idle = nil }
            return (true, state.idle)
        }
        guard accepted else {
            completion?(.failure(StoreError(.writerFinished)))
            batchObserver.withLock { $0 }?()
            return
        }
        idle?.resume()
    }

    /// Applies queued writes until ``finish()`` was called and the queue is empty.
    ///
    /// Run it once, in a task or a service group. Cancelling it acts as ``finish()``: what
    /// was accepted is still written (each batch runs in its own task, so cancellation never
    /// aborts a transaction), then `run()` returns.
    public func run() async {
        state.withLock { state in
            precondition(!state.running, "StoreWriter.run() is already running")
            state.running = true
        }
        defer { state.withLock { $0.running = false } }
        let thread = WriterThread(name: "lobby-writer")
        defer { thread.shutdown() }
        // One task for the whole drain, on the writer's own thread, and never cancelled:
        // cancelling run() only stops new writes (finish()), so a transaction is never aborted
        // half-way (GRDB throws CancellationError in cancelled tasks) and everything accepted
        // is still written.
        let drain = Task(executorPreference: thread) { [self] in
            while let batch = await nextBatch() {
                await apply(batch)
            }
        }
        await withTaskCancellationHandler {
            await drain.value
        } onCancel: {
            finish()
        }
    }

    /// Stops accepting writes; ``run()`` drains what is queued, then returns.
    public func finish() {
        let idle: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.accepting = false
            defer { state.idle = nil }
            return state.idle
        }
        idle?.resume()
    }

    /// Waits until every write enqueued before the call has completed. Needs ``run()`` to be
    /// running (or to run later).
    public func flush() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state in
                guard state.completed < state.enqueued else { return true }
                state.flushes.append(Flush(target: state.enqueued, continuation: continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Writes queued and not yet handed to the store.
    public var pendingCount: Int {
        state.withLock { $0.queue.count }
    }

    /// The next batch to apply, waiting for writes while the queue is empty; `nil` once
    /// finished and drained.
    private func nextBatch() async -> [Entry]? {
        enum Next {
            case batch([Entry])
            case wait
            case drained
        }
        while true {
            let next: Next = state.withLock { state in
                guard !state.queue.isEmpty else { return state.accepting ? .wait : .drained }
                if state.queue.count <= maxBatch {
                    defer { state.queue = [] }
                    return .batch(state.queue)
                }
                defer { state.queue.removeFirst(maxBatch) }
                return .batch(Array(state.queue.prefix(maxBatch)))
            }
            switch next {
            case .batch(let batch):
                return batch
            case .drained:
                return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    // Checked again under the lock: a write or finish() may have come in between.
                    let park = state.withLock { state in
                        guard state.queue.isEmpty, state.accepting else { return false }
                        state.idle = continuation
                        return true
                    }
                    if !park { continuation.resume() }
                }
            }
        }
    }

    private func apply(_ batch: [Entry]) async {
        let writes = batch.compactMap { $0.invalid == nil ? $0.write : nil }
        let stored: Result<[ChatMessage], any Error>
        let started = ContinuousClock.now
        do {
            stored = .success(try await store.apply(writes))
        } catch {
            stored = .failure(error)
        }
        if !writes.isEmpty {
            transactionObserver.withLock { $0 }?(writes.count, ContinuousClock.now - started)
        }

        var messages = ((try? stored.get()) ?? []).makeIterator()
        for entry in batch {
            let result: Result<ChatMessage?, any Error>
            if let invalid = entry.invalid {
                result = .failure(invalid)
            } else if case .failure(let error) = stored {
                result = .failure(error)
            } else if case .message = entry.write {
                result = messages.next().map { .success($0) } ?? .failure(StoreError(.missingResult))
            } else {
                result = .success(nil)
            }
            entry.completion?(result)
        }
        batchObserver.withLock { $0 }?()

        let finishedFlushes: [Flush] = state.withLock { state in
            state.completed += UInt64(batch.count)
            let completed = state.completed
            let (done, waiting) = state.flushes.partitioned { $0.target <= completed }
            state.flushes = waiting
            return done
        }
        for flush in finishedFlushes {
            flush.continuation.resume()
        }
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the rest, each in order.
    fileprivate func partitioned(by belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = []
        var rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
