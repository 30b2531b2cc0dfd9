import Foundation
import LobbyCore
import LobbyStore
import Logging

/// Keeps this node's lease in the shared store, reaps nodes whose lease lapsed, and fences
/// this node when its own lapsed.
///
/// Every quarter lease it renews. A refused renewal (the lease expired, or a newer run took
/// the node id), or no successful one for a whole lease (the database is unreachable, or the
/// process was paused), means a surviving node may already have ended this node's sessions:
/// the lobby is fenced (``Lobby/fence()``) and the node joins again under a new epoch, ending
/// what it had left open with `node-lost`. Time is the monotonic clock: a pause (SIGSTOP)
/// counts as time without renewal.
struct NodeLease: Sendable {
    let room: any SharedRoom
    let lobby: Lobby
    let leaseMilliseconds: Int64
    let logger: Logger

    private var period: Duration { .milliseconds(max(50, leaseMilliseconds / 4)) }

    func run() async {
        var renewedAt = ContinuousClock.now
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { return }
            let lapsed = ContinuousClock.now - renewedAt > .milliseconds(leaseMilliseconds)
            var fenced = lapsed
            if !lapsed {
                do {
                    if try await room.renewLease(readThrough: lobby.roomLoggedThrough) {
                        renewedAt = .now
                    } else {
                        fenced = true
                    }
                } catch {
                    logger.warning("renewing the node lease failed", metadata: ["error": "\(error)"])
                }
            }
            if fenced || ContinuousClock.now - renewedAt > .milliseconds(leaseMilliseconds) {
                lobby.fence()
                await rejoin()
                renewedAt = .now
            }
            do {
                _ = try await room.reapLostNodes(at: .now())
            } catch {
                logger.warning("reaping lost nodes failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Joins again (a new epoch) once the database answers.
    private func rejoin() async {
        while !Task.isCancelled {
            do {
                let ended = try await room.joinCluster(at: .now(), leftoversReason: .nodeLost)
                logger.notice("rejoined the cluster after being fenced", metadata: ["ended": "\(ended)"])
                lobby.rejoined()
                return
            } catch {
                logger.warning("rejoining the cluster failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: period)
            }
        }
    }
}
