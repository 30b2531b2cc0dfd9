import Foundation
import LobbyCore
import LobbyPostgres
import Testing

@testable import LobbyStore

/// A fresh directory under the system temporary directory, removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lobby-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// The adapters every conformance test runs against.
///
/// PostgreSQL runs when `LOBBY_TEST_POSTGRES_URL` names a server (`make test` starts a private
/// one, see scripts/postgres-private.sh); without it the PostgreSQL cases are left out and
/// ``PostgresAvailabilityTests`` says so.
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The kinds this run can test: all of them, or all but PostgreSQL without a server.
    static var available: [StoreKind] {
        allCases.filter { $0 != .postgres || TestPostgres.configured != nil }
    }

    /// A new, empty store of this kind, released (and its file or database removed) after `body`.
    func withStore<T>(_ body: (any LobbyStore) async throws -> T) async throws -> T {
        switch self {
        case .memory:
            return try await body(InMemoryStore())
        case .sqlite:
            return try await withTemporaryDirectory { directory in
                try await body(SQLiteStore(path: directory.appendingPathComponent("lobby.sqlite").path))
            }
        case .postgres:
            return try await TestPostgres.withDatabase { url in
                let store = try await PostgresStore.open(url, logger: TestPostgres.logger)
                do {
                    let result = try await body(store)
                    await store.shutdown()
                    return result
                } catch {
                    await store.shutdown()
                    throw error
                }
            }
        }
    }
}

/// Milliseconds since 1970, kept small so expectations read easily.
func at(_ milliseconds: Int64) -> Timestamp {
    Timestamp(millisecondsSince1970: 1_700_000_000_000 + milliseconds)
}

func start(_ id: SessionID, at time: Int64, transport: String = "websocket", remoteAddress: String? = "127.0.0.1")
    -> StoreWrite
{
    .sessionStarted(SessionStart(id: id, transport: transport, remoteAddress: remoteAddress, at: at(time)))
}

func message(_ text: String, by user: String = "alice", at time: Int64 = 0) -> StoreWrite {
    .message(user: user, text: text, at: at(time))
}

/// A store in front of another that records each batch and can be told to fail.
final class InstrumentedStore: LobbyStore {
    struct Failure: Error, Equatable {}

    private let base: any LobbyStore
    private let state = Locked(State())

    private struct State {
        var batchSizes: [Int] = []
        var failingBatches: Set<Int> = []
        var gate: Gate?
        var entered: AsyncStream<Int>.Continuation?
    }

    init(_ base: any LobbyStore = InMemoryStore()) {
        self.base = base
    }

    /// The size of each batch `apply` was called with, in call order.
    var batchSizes: [Int] { state.withLock { $0.batchSizes } }

    /// Makes the batches with these 0-based call numbers throw ``Failure`` without writing.
    func fail(batches: Set<Int>) {
        state.withLock { $0.failingBatches = batches }
    }

    /// Holds every `apply` until `gate` opens; reports each batch size on the stream as the
    /// call starts, so a test knows a batch is in flight.
    func hold(at gate: Gate) -> AsyncStream<Int> {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        state.withLock {
            $0.gate = gate
            $0.entered = continuation
        }
        return stream
    }

    func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage] {
        let (fails, gate, entered) = state.withLock { state in
            state.batchSizes.append(batch.count)
            return (state.failingBatches.contains(state.batchSizes.count - 1), state.gate, state.entered)
        }
        entered?.yield(batch.count)
        await gate?.wait()
        if fails { throw Failure() }
        return try await base.apply(batch)
    }

    func recentMessages(limit: Int) async throws -> [ChatMessage] {
        try await base.recentMessages(limit: limit)
    }

    func closeOpenSessions(reason: LeaveReason, at time: Timestamp) async throws -> Int {
        try await base.closeOpenSessions(reason: reason, at: time)
    }

    func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord] {
        try await base.sessions(includeEnded: includeEnded, limit: limit)
    }

    func nameClaim(_ name: String) async throws -> NameClaimRecord? {
        try await base.nameClaim(name)
    }

    func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord] {
        try await base.claimNames(requests)
    }

    func nameClaims() async throws -> [NameClaimRecord] {
        try await base.nameClaims()
    }

    func releaseNameClaim(_ name: String) async throws -> Bool {
        try await base.releaseNameClaim(name)
    }

    func pruneSessions(endedBefore time: Timestamp) async throws -> Int {
        try await base.pruneSessions(endedBefore: time)
    }

    func shutdown() async {
        await base.shutdown()
    }

    func messages(before: Int64?, limit: Int) async throws -> [ChatMessage] {
        try await base.messages(before: before, limit: limit)
    }

    func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage] {
        try await base.searchMessages(words: words, limit: limit)
    }

    func directMessages(of user: String, limit: Int) async throws -> [ChatMessage] {
        try await base.directMessages(of: user, limit: limit)
    }

    func awayStatuses() async throws -> [String: String] {
        try await base.awayStatuses()
    }
}

/// A one-way barrier: `wait()` suspends until `open()`, and returns at once afterwards.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        guard !isOpen else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        for waiter in waiters {
            waiter.resume()
        }
        waiters = []
    }
}

/// Collects what completions report, from whatever thread they run on.
final class Recorder<Value: Sendable>: Sendable {
    private let values = Locked<[Value]>([])

    func append(_ value: Value) {
        values.withLock { $0.append(value) }
    }

    var all: [Value] { values.withLock { $0 } }
}

/// Rows that break the schema's NOT NULL and CHECK rules, the same for every SQL engine: each
/// must be refused.
let inconsistentRowsSQL = [
    "INSERT INTO sessions (session_id, connected_at, ended_at, reason, transport) VALUES ('x', 0, 1, 'renamed', 't')",
    "INSERT INTO sessions (session_id, connected_at, ended_at, reason, transport) VALUES ('x', 0, 1, 'bogus', 't')",
    "INSERT INTO sessions (session_id, connected_at, ended_at, transport) VALUES ('x', 0, 1, 't')",
    "INSERT INTO sessions (session_id, connected_at, user_name, transport) VALUES ('x', 0, 'alice', 't')",
    "INSERT INTO sessions (session_id, connected_at) VALUES ('x', 0)",
    "INSERT INTO sessions (connected_at, transport) VALUES (0, 't')",
    "INSERT INTO messages (user_name, at) VALUES ('alice', 0)",
    "INSERT INTO messages (text, at) VALUES ('hi', 0)",
]

extension [SessionRecord] {
    /// The records with no node: only a shared store names one, and the conformance tests
    /// compare what every store records.
    var withoutNodes: [SessionRecord] {
        map { record in
            var record = record
            record.node = nil
            return record
        }
    }
}
