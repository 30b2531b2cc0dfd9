import LobbyCore
import NIOCore
import Synchronization

/// The deliveries of one event loop: one task per publish hands the message to all of the
/// loop's subscribers, and the flushes wait until no other fan-out task is queued on the loop.
/// A lone message is flushed at the end of its own task; in a burst, the messages held for a
/// connection are written as one buffer and leave in one system call instead of one each.
final class LoopFanout: Sendable {
    static let maximumUnflushed = 16_384

    let loop: any EventLoop
    private let queuedTasks = Atomic<Int>(0)
    /// What the loop's fan-out tasks wrote since the last flush.
    private struct Unflushed {
        /// Each session that holds frames, once.
        var sessions: [any SessionHandle] = []
        /// Deliveries held in all: the bound on how long a burst is held back.
        var deliveries = 0
    }
    private let unflushed: NIOLoopBoundBox<Unflushed>

    init(loop: any EventLoop) {
        self.loop = loop
        self.unflushed = .makeBoxSendingValue(Unflushed(), eventLoop: loop)
    }

    /// Hands `frame` to every session of `sessions` (all on this loop) but the `excluded`, in one
    /// task on the loop.
    func submit(_ sessions: [any SessionHandle], frame: EncodedFrame, excluding excluded: Set<SessionID> = []) {
        queuedTasks.add(1, ordering: .relaxed)
        loop.execute { [self] in
            let excluding = !excluded.isEmpty
            for session in sessions {
                if excluding, excluded.contains(session.id) { continue }
                if session.writeOnEventLoop(frame) {
                    unflushed.value.sessions.append(session)
                }
            }
            unflushed.value.deliveries += sessions.count
            let stillQueued = queuedTasks.subtract(1, ordering: .relaxed).newValue
            // Flush when the burst is over, or when a long one has piled up enough writes that
            // holding them longer would only add latency (and memory).
            guard stillQueued == 0 || unflushed.value.deliveries >= Self.maximumUnflushed else { return }
            let owingFlush = unflushed.value.sessions
            unflushed.value.sessions.removeAll(keepingCapacity: true)
            unflushed.value.deliveries = 0
            for session in owingFlush {
                session.flushOnEventLoop()
            }
        }
    }
}
