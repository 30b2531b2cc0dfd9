import LobbyCore
import LobbyStore
import Logging

/// Deletes the rows of sessions that ended more than `--session-retention-days` ago, at start
/// and every hour after: without it, a peer opening sessions in a loop grows the database for
/// ever. Open sessions are never touched.
struct SessionPruning: Sendable {
    static let period: Duration = .seconds(3_600)

    let store: any LobbyStore
    let retentionMilliseconds: Int64
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            await pruneOnce(at: .now())
            try? await Task.sleep(for: Self.period)
        }
    }

    func pruneOnce(at now: Timestamp) async {
        let before = Timestamp(millisecondsSince1970: now.millisecondsSince1970 - retentionMilliseconds)
        do {
            let deleted = try await store.pruneSessions(endedBefore: before)
            if deleted > 0 {
                logger.info("pruned ended sessions", metadata: ["rows": "\(deleted)", "ended-before": "\(before)"])
            }
        } catch {
            logger.warning("pruning ended sessions failed", metadata: ["error": "\(error)"])
        }
    }
}
