import Foundation
import LobbyCore
import LobbyStore
import NIOCore
import STOMP
import Synchronization

@testable import LobbyServer

/// A `SessionHandle` that records what the lobby sends it, decoded back into STOMP frames.
final class RecordingSession: SessionHandle {
    let id: SessionID
    let framing = Framing.raw
    private let received = Mutex<[Frame]>([])
    private let terminations = Mutex<[LeaveReason]>([])

    /// Called with every frame as it is delivered (on the delivering thread).
    private let onDelivery: (@Sendable (Frame) -> Void)?

    init(_ id: SessionID, onDelivery: (@Sendable (Frame) -> Void)? = nil) {
        self.id = id
        self.onDelivery = onDelivery
    }

    func enqueue(_ frame: EncodedFrame) {
        var parser = FrameParser()
        parser.append(Array(frame.stomp.readableBytesView))
        if case .frame(let decoded)? = try? parser.next() {
            onDelivery?(decoded)
            received.withLock { $0.append(decoded) }
        }
    }

    /// No event loop: the broker calls `enqueue` directly.
    var eventLoop: (any EventLoop)? { nil }

    func writeOnEventLoop(_ frame: EncodedFrame) -> Bool {
        enqueue(frame)
        return false
    }

    func flushOnEventLoop() {}

    func terminate(reason: LeaveReason) {
        terminations.withLock { $0.append(reason) }
    }

    var frames: [Frame] { received.withLock { $0 } }
    var terminatedReasons: [LeaveReason] { terminations.withLock { $0 } }

    /// Bodies of MESSAGE frames for `destination`, as JSON objects.
    func messages(on destination: String) -> [[String: Any]] {
        frames.filter { $0.command == .message && $0.headers["destination"] == destination }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]
        }
    }

    /// The events received on `/topic/presence`, batches flattened, in order.
    var presenceEvents: [[String: Any]] {
        messages(on: Destination.presenceTopic).flatMap { message in
            message["type"] as? String == "batch" ? (message["events"] as? [[String: Any]] ?? []) : [message]
        }
    }

    func reset() {
        received.withLock { $0.removeAll() }
    }
}

/// A store that remembers which message ids have been committed, so a test can check, at the
/// moment a message is delivered, that it was stored first.
final class CommitTrackingStore: LobbyStore {
    private let inner = InMemoryStore()
    private let committed = Mutex<Set<Int64>>([])

    func isCommitted(_ id: Int64) -> Bool { committed.withLock { $0.contains(id) } }

    func apply(_ batch: [StoreWrite]) async throws -> [ChatMessage] {
        let stored = try await inner.apply(batch)
        committed.withLock { $0.formUnion(stored.map(\.id)) }
        return stored
    }

    func recentMessages(limit: Int) async throws -> [ChatMessage] {
        try await inner.recentMessages(limit: limit)
    }

    func closeOpenSessions(reason: LeaveReason, at: Timestamp) async throws -> Int {
        try await inner.closeOpenSessions(reason: reason, at: at)
    }

    func sessions(includeEnded: Bool, limit: Int) async throws -> [SessionRecord] {
        try await inner.sessions(includeEnded: includeEnded, limit: limit)
    }

    func nameClaim(_ name: String) async throws -> NameClaimRecord? {
        try await inner.nameClaim(name)
    }

    func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord] {
        try await inner.claimNames(requests)
    }

    func nameClaims() async throws -> [NameClaimRecord] {
        try await inner.nameClaims()
    }

    func releaseNameClaim(_ name: String) async throws -> Bool {
        try await inner.releaseNameClaim(name)
    }

    func pruneSessions(endedBefore time: Timestamp) async throws -> Int {
        try await inner.pruneSessions(endedBefore: time)
    }

    func shutdown() async {
        await inner.shutdown()
    }

    func messages(before: Int64?, limit: Int) async throws -> [ChatMessage] {
        try await inner.messages(before: before, limit: limit)
    }

    func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage] {
        try await inner.searchMessages(words: words, limit: limit)
    }

    func directMessages(of user: String, limit: Int) async throws -> [ChatMessage] {
        try await inner.directMessages(of: user, limit: limit)
    }

    func awayStatuses() async throws -> [String: String] {
        try await inner.awayStatuses()
    }
}
