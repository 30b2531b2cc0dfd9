import LobbyCore

/// What joins and reconnects mean to someone reading along: a user who drops and comes straight
/// back reads `is back`, not `joined`; after this client's own connection was lost, the members
/// who are still there are not announced again, and a server restart is said once.
///
/// Both terminal clients feed it the same way: ``connectionLost(members:)`` when the connection
/// ends, ``welcomed(_:now:)`` for each welcome, ``left(_:)`` and ``joinLine(for:)`` for each
/// leave and join.
///
/// ```swift
/// var continuity = RoomContinuity()
/// continuity.welcomed(firstWelcome, now: now)          // nil: nothing to compare with
/// continuity.connectionLost(members: shownMembers)
/// continuity.welcomed(nextWelcome, now: now)           // Reconnect(serverRestarted: true, arrived: ["carol"])
/// continuity.joinLine(for: .join("bob", sessions: 1, at: now))  // .returned: bob was here before
/// ```
public struct RoomContinuity: Sendable {
    /// A leave for one of these reasons followed by a join this soon is a flaky connection, not a
    /// user coming and going.
    static let flapWindowMilliseconds: Int64 = 60_000
    static let flapReasons: Set<LeaveReason> = [.closed, .timeout, .nodeLost]

    /// How a join reads.
    public enum JoinLine: Sendable, Equatable {
        /// `--> bob joined`
        case joined
        /// `--> bob is back`: bob was here shortly before (a dropped connection, or an outage
        /// that this client went through too).
        case returned
    }

    /// What a welcome after a lost connection says beyond the member list.
    public struct Reconnect: Sendable, Equatable {
        /// The welcome names another server run than the last one: everyone was cut off.
        public var serverRestarted: Bool
        /// Members in the welcome who were not there before the outage, in the welcome's order.
        public var arrived: [String]
    }

    /// The server run of the last welcome.
    private var serverInstance: String?
    /// The members shown when the connection was lost; nil while connected (or before the first
    /// welcome), so a `/nick` welcome is not taken for a reconnect.
    private var membersBeforeOutage: [Member]?
    private var hasBeenWelcomed = false
    /// Each user's last leave, to tell a flap from a real join.
    private var lastLeaves: [String: PresenceEvent] = [:]

    public init() {}

    /// The connection ended: `members` is what was shown. Later calls before the next welcome
    /// (each failed attempt) keep the first list.
    public mutating func connectionLost(members: [Member]) {
        guard hasBeenWelcomed, membersBeforeOutage == nil else { return }
        membersBeforeOutage = members
    }

    /// A welcome arrived. Returns nil for the first one and for a rename's; after a lost
    /// connection, what changed. Members who were there before and are missing from the welcome
    /// are taken as having dropped now: if they join within the flap window, they read `is back`.
    @discardableResult
    public mutating func welcomed(_ welcome: Welcome, now: Timestamp) -> Reconnect? {
        defer {
            hasBeenWelcomed = true
            membersBeforeOutage = nil
            serverInstance = welcome.serverInstance ?? serverInstance
        }
        guard let before = membersBeforeOutage else { return nil }
        let restarted =
            serverInstance != nil && welcome.serverInstance != nil && welcome.serverInstance != serverInstance
        let beforeNames = Set(before.map(\.user))
        let nowNames = Set(welcome.members.map(\.user))
        for user in beforeNames.subtracting(nowNames) where user != welcome.user {
            lastLeaves[user] = .leave(user, reason: .nodeLost, sessions: 0, at: now)
        }
        let arrived = welcome.members.map(\.user).filter { !beforeNames.contains($0) && $0 != welcome.user }
        return Reconnect(serverRestarted: restarted, arrived: arrived)
    }

    /// A leave: remembered, so a join soon after reads `is back`.
    public mutating func left(_ event: PresenceEvent) {
        lastLeaves[event.user] = event
    }

    /// How a join reads: `is back` when the user left for a flaky reason within the flap window.
    public mutating func joinLine(for event: PresenceEvent) -> JoinLine {
        guard let leave = lastLeaves.removeValue(forKey: event.user),
            leave.reason.map(Self.flapReasons.contains) == true,
            event.at.millisecondsSince1970 - leave.at.millisecondsSince1970 <= Self.flapWindowMilliseconds
        else { return .joined }
        return .returned
    }
}
