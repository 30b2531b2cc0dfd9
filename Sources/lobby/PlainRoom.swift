import LobbyClient
import LobbyCore
import LobbyTUI

/// What `--plain` knows of the room: the member list `/who` answers from, and the reconnect
/// rules the full-screen client follows (``RoomContinuity``): no list while disconnected, a
/// server restart said once, members who were there all along not announced again, a quick
/// return read as `is back`.
struct PlainRoom {
    var members = MemberList()
    var ownName: String
    private var continuity = RoomContinuity()

    init(ownName: String) {
        self.ownName = ownName
    }

    /// How the transcript's lines for an event change.
    enum Lines: Equatable {
        /// Print these first, then the transcript's lines.
        case before([String])
        /// Print these instead of the transcript's lines.
        case instead([String])
    }

    /// Takes an event into account; returns the lines it adds to (or puts in place of) the
    /// transcript's.
    mutating func note(_ event: ConnectionEvent, ignoring ignoreList: IgnoreList, now: Timestamp) -> Lines {
        switch event {
        case .connected(let user, _):
            ownName = user
        case .connecting, .reconnecting, .disconnected, .stopped:
            if members.isKnown {
                continuity.connectionLost(members: members.members)
                members.forget()
            }
        case .session(.welcome(let welcome)):
            members.replace(with: welcome.members)
            guard let reconnect = continuity.welcomed(welcome, now: now) else { break }
            return .before(
                (reconnect.serverRestarted ? ["*** server restarted"] : [])
                    + reconnect.arrived.filter { !ignoreList.contains($0) }.map { "--> \($0) joined" })
        case .session(.presence(let presence)):
            // Before this connection's welcome, a change is already in the welcome's list.
            guard members.isKnown else { return .instead([]) }
            members.apply(presence)
            switch presence.type {
            case .leave: continuity.left(presence)
            case .join where continuity.joinLine(for: presence) == .returned:
                return .instead(["--> \(presence.user) is back"])
            case .status:
                // One wording in every client (a bare /away reads "bob is away").
                return .instead(["--- " + MemberList.awayText(user: presence.user, message: presence.away)])
            case .join: break
            }
        case .session:
            break
        }
        return .before([])
    }
}
