import LobbyCore
import NIOCore
import STOMP
import Synchronization

/// Topic subscriptions and fan-out.
///
/// `publish` encodes a message once per distinct (subscription id, STOMP version) and enqueues
/// the same bytes on every subscriber without awaiting any of them: each session's bounded queue
/// decides on its own whether its client keeps up.
final class Broker: Sendable {
    struct Subscription: Sendable {
        let session: any SessionHandle
        let subscriptionID: String
        let version: Version
    }

    private struct State {
        /// destination → session → that session's subscriptions there. Keyed by session so a
        /// session that ends is removed in O(destinations), not O(subscribers): a storm of
        /// thousands of drops stays cheap.
        var byDestination: [String: [ObjectIdentifier: [Subscription]]] = [:]
        var nextMessageID: UInt64 = 1
    }

    private let state = Mutex(State())

    func subscribe(_ session: any SessionHandle, id subscriptionID: String, to destination: String, version: Version) {
        state.withLock { state in
            state.byDestination[destination, default: [:]][ObjectIdentifier(session), default: []].append(
                Subscription(session: session, subscriptionID: subscriptionID, version: version))
        }
    }

    /// Removes one subscription by its id; returns whether it existed.
    @discardableResult
    func unsubscribe(_ session: any SessionHandle, id subscriptionID: String) -> Bool {
        let key = ObjectIdentifier(session)
        return state.withLock { state in
            var removed = false
            // A copy of the keys: iterating the live keys view while mutating would force a
            // copy-on-write of every subscriber table, O(subscribers) per call.
            for destination in Array(state.byDestination.keys) {
                guard let subscriptions = state.byDestination[destination]?[key] else { continue }
                let kept = subscriptions.filter { $0.subscriptionID != subscriptionID }
                if kept.count != subscriptions.count {
                    removed = true
                    state.byDestination[destination]?[key] = kept.isEmpty ? nil : kept
                }
            }
            return removed
        }
    }

    /// Forgets every subscription of a session that ended.
    func removeAll(of session: any SessionHandle) {
        let key = ObjectIdentifier(session)
        state.withLock { state in
            // A copy of the keys: see `unsubscribe`.
            for destination in Array(state.byDestination.keys) {
                state.byDestination[destination]?[key] = nil
            }
        }
    }

    func hasSubscription(_ session: any SessionHandle, to destination: String) -> Bool {
        state.withLock { $0.byDestination[destination]?[ObjectIdentifier(session)] != nil }
    }

    func hasSubscription(_ session: any SessionHandle, id subscriptionID: String) -> Bool {
        let key = ObjectIdentifier(session)
        return state.withLock { state in
            state.byDestination.values.contains { sessions in
                sessions[key]?.contains { $0.subscriptionID == subscriptionID } ?? false
            }
        }
    }

    /// Sends a JSON body to every subscriber of `destination` except the session `excluded`.
    func publish(_ body: [UInt8], to destination: String, excluding excluded: SessionID? = nil) {
        let (sessions, messageID) = state.withLock { state in
            defer { state.nextMessageID += 1 }
            return (state.byDestination[destination] ?? [:], state.nextMessageID)
        }
        guard !sessions.isEmpty else { return }
        // Encode once per distinct subscription id and version: clients of one kind all use the
        // same ids (stomp.js "sub-0", our client "chat"), so this is usually a single encoding.
        var encodings: [String: EncodedFrame] = [:]
        // One task per event loop carries all of that loop's deliveries.
        var batches: [ObjectIdentifier: LoopBatch] = [:]
        for subscription in sessions.values.joined() where subscription.session.id != excluded {
            let key = subscription.version.rawValue + ":" + subscription.subscriptionID
            let encoded: EncodedFrame
            if let cached = encodings[key] {
                encoded = cached
            } else {
                encoded = EncodedFrame(
                    Self.messageFrame(
                        body, destination: destination, subscriptionID: subscription.subscriptionID,
                        messageID: messageID),
                    version: subscription.version)
                encodings[key] = encoded
            }
            if let loop = subscription.session.eventLoop {
                batches[ObjectIdentifier(loop), default: LoopBatch(loop: loop)].deliveries.append(
                    (subscription.session, encoded))
            } else {
                subscription.session.enqueue(encoded)
            }
        }
        for batch in batches.values {
            fanout(for: batch.loop).submit(batch.deliveries)
        }
    }

    private struct LoopBatch {
        let loop: any EventLoop
        var deliveries: [(any SessionHandle, EncodedFrame)] = []
    }

    private let fanouts = Mutex<[ObjectIdentifier: LoopFanout]>([:])

    private func fanout(for loop: any EventLoop) -> LoopFanout {
        fanouts.withLock { fanouts in
            if let existing = fanouts[ObjectIdentifier(loop)] { return existing }
            let created = LoopFanout(loop: loop)
            fanouts[ObjectIdentifier(loop)] = created
            return created
        }
    }

    /// Sends a JSON body privately to one session on its subscription to `destination`
    /// (Spring's user destinations: `/user/queue/reply` reaches only the session that subscribed).
    /// Returns false when the session has no such subscription.
    @discardableResult
    func sendPrivately(_ body: [UInt8], to destination: String, session: any SessionHandle) -> Bool {
        let (matches, messageID) = state.withLock { state in
            defer { state.nextMessageID += 1 }
            return (state.byDestination[destination]?[ObjectIdentifier(session)] ?? [], state.nextMessageID)
        }
        for subscription in matches {
            session.enqueue(
                EncodedFrame(
                    Self.messageFrame(
                        body, destination: destination, subscriptionID: subscription.subscriptionID,
                        messageID: messageID),
                    version: subscription.version))
        }
        return !matches.isEmpty
    }

    static func messageFrame(_ body: [UInt8], destination: String, subscriptionID: String, messageID: UInt64)
        -> Frame
    {
        Frame(
            .message,
            headers: Headers([
                ("destination", destination),
                ("content-type", "application/json"),
                ("subscription", subscriptionID),
                ("message-id", String(messageID)),
            ]),
            body: body)
    }
}

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

    func submit(_ deliveries: [(any SessionHandle, EncodedFrame)]) {
        queuedTasks.add(1, ordering: .relaxed)
        loop.execute { [self] in
            for (session, frame) in deliveries where session.writeOnEventLoop(frame) {
                unflushed.value.sessions.append(session)
            }
            unflushed.value.deliveries += deliveries.count
            let stillQueued = queuedTasks.subtract(1, ordering: .relaxed).newValue
            // Flush when the burst is over, or when a long one has piled up enough writes that
            // holding them longer would only add latency (and memory).
            guard stillQueued == 0 || unflushed.value.deliveries >= Self.maximumUnflushed else { return }
            let sessions = unflushed.value.sessions
            unflushed.value.sessions.removeAll(keepingCapacity: true)
            unflushed.value.deliveries = 0
            for session in sessions {
                session.flushOnEventLoop()
            }
        }
    }
}
