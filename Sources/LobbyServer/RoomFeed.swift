import Foundation
import LobbyCore

/// A change the store committed, handed to ``RoomFeed`` in commit order.
enum RoomEvent: Sendable, Equatable {
    /// A session's identity is stored. `welcome`: whether it wants a `welcome` reply.
    case identityStored(SessionID, user: UserName, welcome: Bool, at: Timestamp)
    /// A session's end is stored.
    case endStored(SessionID, reason: LeaveReason, at: Timestamp)
    /// A chat message is stored, with its id (a private one has its recipient in `to`).
    case messageStored(ChatMessage)
    /// A user's away message is stored (nil: back).
    case statusStored(user: UserName, away: String?, at: Timestamp)
}

/// What the room hears, decided in the order the store committed the changes: presence (who
/// is here, joins and leaves), the recent history, and the `welcome` of each identified session.
///
/// Pure state fed by past-tense events. ``committed(_:)`` takes each committed change;
/// ``batchCommitted()`` says the store finished a transaction, and everything that was pending
/// together goes out as one step:
///
/// - the presence events of the batch, in order, as **one** `/topic/presence` message (a batch
///   when there are several), to everyone except the sessions welcomed in this step;
/// - then each identified session's `welcome`, whose member list is the state *after* those
///   events (so a new session needs none of them) and whose encoded member list is shared by
///   every welcome of that version.
///
/// A lone change goes out as soon as its transaction commits. While changes keep coming (a
/// reconnect storm, a leave storm), steps are at most one per gathering window
/// (`gatherMilliseconds`, ~10 ms): what commits inside the window waits for its end
/// (``gatherWindowEnded(now:)``) and goes out with the rest, so each subscriber gets one message
/// per window instead of one per change, and nothing waits longer than the window. A chat
/// message first lets the pending step go out, so nobody sees `bob`'s words before
/// `bob joined`, and a welcome never holds a message that is then delivered again on
/// `/topic/chat`. Time is an input (milliseconds of a monotonic clock).
struct RoomFeed: Sendable {
    enum Effect: Sendable, Equatable {
        /// One MESSAGE on `/topic/presence` carrying `events`, to every subscriber but `excluding`.
        case publishPresence([PresenceEvent], excluding: Set<SessionID>)
        /// The session's identity is announced: send it `welcome` (nil when it wants none);
        /// its SEND is then fully handled.
        case identified(SessionID, user: UserName, welcome: WelcomeSnapshot?)
        /// A stored message for `/topic/chat`.
        case publishChat(ChatMessage)
        /// A stored private message for every session of its sender and its recipient.
        case deliverDirect(DirectMessage)
    }

    private struct PendingIdentity {
        let session: SessionID
        let user: UserName
        let welcome: Bool
    }

    private var presence = Presence()
    /// Away messages by user. They outlive sessions (a flaky connection does not clear them);
    /// `/app/status` with none clears one.
    private var away: [String: String]
    /// The most recent messages, oldest first, at most `historyLimit`.
    private(set) var history: [ChatMessage]
    private let historyLimit: Int
    private let gatherMilliseconds: UInt64
    /// When the last step went out.
    private var lastStepAt: UInt64?
    private var pendingEvents: [PresenceEvent] = []
    private var pendingIdentities: [PendingIdentity] = []
    /// The member list of the current presence version, encoded; nil until a welcome needs it.
    private var encodedMembers: [UInt8]?
    private var encodedHistory: [UInt8]?
    /// How many times a member list was encoded: at most once per presence version.
    private(set) var memberListEncodings = 0

    /// - Parameter present: Sessions already identified when the feed starts (another node's,
    ///   read from the shared store's snapshot): members from the start, announced to nobody.
    init(
        history: [ChatMessage], historyLimit: Int, gatherMilliseconds: UInt64 = 10,
        present: [(session: SessionID, user: UserName)] = [], away: [String: String] = [:]
    ) {
        self.away = away
        self.historyLimit = max(0, historyLimit)
        self.gatherMilliseconds = gatherMilliseconds
        self.history = Array(history.suffix(self.historyLimit))
        for (session, user) in present {
            _ = presence.track(session, as: user)
        }
    }

    /// The members as the room has been told, sorted by name, with their away messages.
    var members: [Member] {
        // The common case, nobody away, costs nothing extra (a storm encodes this list often).
        guard !away.isEmpty else { return presence.members }
        return presence.members.map { member in
            var member = member
            member.away = away[member.user]
            return member
        }
    }

    /// Whether the user has a live session anywhere (as the room has been told).
    func isPresent(_ user: UserName) -> Bool { presence.isPresent(user) }

    /// The present member `user` names (by skeleton), as listed; nil when absent.
    func member(named user: UserName) -> UserName? { presence.member(named: user) }

    /// Whether changes are waiting for ``batchCommitted()``.
    var hasPending: Bool { !pendingEvents.isEmpty || !pendingIdentities.isEmpty }

    mutating func committed(_ event: RoomEvent, now: UInt64) -> [Effect] {
        switch event {
        case .identityStored(let session, let user, let welcome, let time):
            if presence.user(of: session) != user {
                encodedMembers = nil
            }
            let changes = presence.track(session, as: user)
            pendingEvents += changes.map { change in
                var event = change.event(at: time)
                if event.type == .join { event.away = away[event.user] }
                return event
            }
            pendingIdentities.append(PendingIdentity(session: session, user: user, welcome: welcome))
            return []
        case .endStored(let session, let reason, let time):
            guard presence.user(of: session) != nil else { return [] }
            encodedMembers = nil
            if let change = presence.untrack(session, reason: reason) {
                pendingEvents.append(change.event(at: time))
            }
            return []
        case .messageStored(let message) where message.to != nil:
            // What was pending happened before this message: it goes out first.
            var effects = step(now: now)
            if let direct = message.direct {
                effects.append(.deliverDirect(direct))
            }
            return effects
        case .statusStored(let user, let message, let time):
            guard away[user.rawValue] != message else { return [] }
            away[user.rawValue] = message
            encodedMembers = nil
            pendingEvents.append(.status(user.rawValue, away: message, at: time))
            return []
        case .messageStored(let message):
            // What was pending happened before this message: it goes out first.
            var effects = step(now: now)
            history.append(message)
            if history.count > historyLimit {
                history.removeFirst(history.count - historyLimit)
            }
            encodedHistory = nil
            effects.append(.publishChat(message))
            return effects
        }
    }

    /// The store finished a transaction. What is pending goes out now, unless a step went out
    /// less than a window ago: then `holdUntil` says when the window ends, and the owner calls
    /// ``gatherWindowEnded(now:)`` then.
    mutating func batchCommitted(now: UInt64) -> (effects: [Effect], holdUntil: UInt64?) {
        guard hasPending else { return ([], nil) }
        if let last = lastStepAt, now < last + gatherMilliseconds {
            return ([], last + gatherMilliseconds)
        }
        return (step(now: now), nil)
    }

    /// The gathering window ended: what is pending goes out.
    mutating func gatherWindowEnded(now: UInt64) -> [Effect] {
        step(now: now)
    }

    /// Everything pending, as one step.
    private mutating func step(now: UInt64) -> [Effect] {
        guard hasPending else { return [] }
        lastStepAt = now
        var effects: [Effect] = []
        let welcomed = Set(pendingIdentities.lazy.filter(\.welcome).map(\.session))
        if !pendingEvents.isEmpty {
            effects.append(.publishPresence(pendingEvents, excluding: welcomed))
            pendingEvents = []
        }
        let snapshot = welcomed.isEmpty ? nil : welcomeSnapshot()
        for identity in pendingIdentities {
            effects.append(
                .identified(identity.session, user: identity.user, welcome: identity.welcome ? snapshot : nil))
        }
        pendingIdentities = []
        return effects
    }

    /// The member list and history as they stand, encoded once per version.
    private mutating func welcomeSnapshot() -> WelcomeSnapshot {
        let members: [UInt8]
        if let encodedMembers {
            members = encodedMembers
        } else {
            members = WelcomeSnapshot.encode(self.members)
            encodedMembers = members
            memberListEncodings += 1
        }
        let history: [UInt8]
        if let encodedHistory {
            history = encodedHistory
        } else {
            // Half of the welcome's budget; the user's private messages get the other half.
            history = PayloadCoding.encode(ReplyBudget.newest(self.history, within: ReplyBudget.welcomeBytes / 2))
            encodedHistory = history
        }
        return WelcomeSnapshot(members: members, history: history)
    }
}
