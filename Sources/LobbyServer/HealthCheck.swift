import LobbyStore
import Synchronization

/// What `/healthz` and `/readyz` answer (docs/operations.md).
///
/// Liveness is the event loop answering at all. Readiness: the lobby accepts sessions (not
/// shutting down, not fenced out of its cluster) and its store answers a small read within
/// ``storeDeadline``. The store's answer is kept for ``cacheMilliseconds`` so that a load
/// balancer probing every node often costs the database one read a second at most.
final class HealthCheck: Sendable {
    static let storeDeadline: Duration = .seconds(2)
    static let cacheMilliseconds: UInt64 = 1_000

    private let lobby: Lobby
    private let store: any LobbyStore
    private let cached = Mutex<(at: UInt64, problem: String?)?>(nil)

    init(lobby: Lobby, store: any LobbyStore) {
        self.lobby = lobby
        self.store = store
    }

    /// Nil when ready; otherwise the one-line reason for a 503.
    func readinessProblem() async -> String? {
        if let problem = lobby.notAcceptingReason { return problem }
        let now = Lobby.now()
        if let cached = cached.withLock({ $0 }), now < cached.at + Self.cacheMilliseconds {
            return cached.problem
        }
        let problem = await probeStore()
        cached.withLock { $0 = (Lobby.now(), problem) }
        return problem
    }

    /// A one-message read, given up after the deadline. Not a task group: a read stuck waiting
    /// for a connection would hold the group (and the answer) past the deadline.
    private func probeStore() async -> String? {
        let store = self.store
        return await withCheckedContinuation { (continuation: CheckedContinuation<String?, Never>) in
            let answer = FirstAnswer(continuation)
            Task {
                do {
                    _ = try await store.recentMessages(limit: 1)
                    answer.give(nil)
                } catch {
                    answer.give("store unavailable: \(error)")
                }
            }
            Task {
                try? await Task.sleep(for: Self.storeDeadline)
                answer.give("store unavailable: no answer within \(Self.storeDeadline)")
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later ones are dropped.
private final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<String?, Never>?>

    init(_ continuation: CheckedContinuation<String?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ problem: String?) {
        continuation.withLock { $0.take() }?.resume(returning: problem)
    }
}
