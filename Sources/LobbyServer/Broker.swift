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
        /// Each destination's subscribers grouped for fan-out, built at the first publish after
        /// its subscriptions changed: a chat message to a stable room costs no per-subscriber
        /// work on the publishing thread.
        var plans: [String: FanoutPlan] = [:]
        /// Counts subscription changes; a plan built from an older snapshot is not kept.
        var generation: UInt64 = 0

        mutating func subscriptionsChanged(at destination: String) {
            plans[destination] = nil
            generation &+= 1
        }
    }

    private let state = Mutex(State())

    func subscribe(_ session: any SessionHandle, id subscriptionID: String, to destination: String, version: Version) {
        state.withLock { state in
            state.byDestination[destination, default: [:]][ObjectIdentifier(session), default: []].append(
                Subscription(session: session, subscriptionID: subscriptionID, version: version))
            state.subscriptionsChanged(at: destination)
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
                    state.subscriptionsChanged(at: destination)
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
            for destination in Array(state.byDestination.keys)
            where state.byDestination[destination]?.removeValue(forKey: key) != nil {
                state.subscriptionsChanged(at: destination)
            }
        }
    }

    /// Whether anyone subscribed to `destination`: publishers skip building a body nobody reads.
    func hasSubscribers(to destination: String) -> Bool {
        state.withLock { !($0.byDestination[destination]?.isEmpty ?? true) }
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

    /// Sends a JSON body to every subscriber of `destination` except the sessions `excluded`.
    /// - Returns: How many subscriptions it went to (the `lobby_deliveries_total` metric).
    @discardableResult
    func publish(_ body: [UInt8], to destination: String, excluding excluded: Set<SessionID> = []) -> Int {
        let (cached, snapshot, generation, messageID) = state.withLock { state in
            defer { state.nextMessageID += 1 }
            let cached = state.plans[destination]
            return (
                cached, cached == nil ? state.byDestination[destination] : nil, state.generation, state.nextMessageID
            )
        }
        let plan: FanoutPlan
        if let cached {
            plan = cached
        } else {
            // Built outside the lock (it is O(subscribers)); kept only if nothing changed since.
            plan = FanoutPlan(snapshot ?? [:], fanouts: fanout(for:))
            state.withLock { state in
                if state.generation == generation { state.plans[destination] = plan }
            }
        }
        guard !plan.groups.isEmpty else { return 0 }
        // Encoded once per distinct subscription id and version: clients of one kind all use
        // the same ids (stomp.js "sub-0", our client "chat"), so this is usually one encoding.
        let encodings = plan.encodings.map { key in
            EncodedFrame(
                Self.messageFrame(
                    body, destination: destination, subscriptionID: key.subscriptionID, messageID: messageID),
                version: key.version)
        }
        // Counted here, over the sessions the plan really holds: an excluded session need not be
        // a subscriber (a welcomed session that never subscribed to presence), so subtracting the
        // size of `excluded` from the plan's count could go below zero.
        var delivered = 0
        for group in plan.groups {
            let frame = encodings[group.encoding]
            if excluded.isEmpty {
                delivered += group.sessions.count
            } else {
                delivered += group.sessions.count { !excluded.contains($0.id) }
            }
            if let fanout = group.fanout {
                fanout.submit(group.sessions, frame: frame, excluding: excluded)
            } else {
                for session in group.sessions where excluded.isEmpty || !excluded.contains(session.id) {
                    session.enqueue(frame)
                }
            }
        }
        return delivered
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
                    version: subscription.version, framing: session.framing))
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

/// One destination's subscribers, grouped the way `Broker.publish` sends to them: by event loop
/// (one fan-out task per loop) and by encoding (subscription id + STOMP version).
struct FanoutPlan: Sendable {
    struct Encoding: Hashable, Sendable {
        let version: Version
        let subscriptionID: String
    }

    struct Group: Sendable {
        /// The loop's fan-out; nil for sessions without an event loop (they are enqueued one by one).
        let fanout: LoopFanout?
        /// Index into `encodings`.
        let encoding: Int
        var sessions: [any SessionHandle]
    }

    private(set) var encodings: [Encoding] = []
    private(set) var groups: [Group] = []

    init(_ subscribers: [ObjectIdentifier: [Broker.Subscription]], fanouts: (any EventLoop) -> LoopFanout) {
        var encodingIndex: [Encoding: Int] = [:]
        var groupIndex: [GroupKey: Int] = [:]
        for subscription in subscribers.values.joined() {
            let encoding = Encoding(version: subscription.version, subscriptionID: subscription.subscriptionID)
            let encodingNumber: Int
            if let known = encodingIndex[encoding] {
                encodingNumber = known
            } else {
                encodingNumber = encodings.count
                encodingIndex[encoding] = encodingNumber
                encodings.append(encoding)
            }
            let loop = subscription.session.eventLoop
            let key = GroupKey(loop: loop.map(ObjectIdentifier.init), encoding: encodingNumber)
            if let index = groupIndex[key] {
                groups[index].sessions.append(subscription.session)
            } else {
                groupIndex[key] = groups.count
                groups.append(
                    Group(fanout: loop.map(fanouts), encoding: encodingNumber, sessions: [subscription.session]))
            }
        }
    }

    private struct GroupKey: Hashable {
        let loop: ObjectIdentifier?
        let encoding: Int
    }
}
