import LobbyCore
import LobbyStore
import SockJS

/// The lobby's decisions as pure state: which sessions are live and who they are.
///
/// Events come in past tense (`sessionOpened`, `identityReceived`, `sessionEnded`,
/// `shutdownBegan`); each returns what must happen next as an ``Effect``: a write for the store
/// and the ``RoomEvent`` to announce once that write is committed. No locks, no sockets, no
/// clocks: the owner (``Lobby``) holds it under its lock and carries the effects out in the
/// order they were returned, which is the order the state changed.
///
/// ```swift
/// var state = LobbyState()
/// state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: now)  // .store(.sessionStarted…)
/// state.identityReceived("s1", as: alice, welcome: true, at: now)     // .store(.sessionIdentified…, then: .identityStored…)
/// state.sessionEnded("s1", reason: .closed, at: now)                   // .store(.sessionEnded…, then: .endStored…)
/// state.sessionEnded("s1", reason: .timeout, at: now)                  // nil: ended once
/// ```
///
/// Presence itself (who joined, who left, the member list) is decided by ``RoomFeed`` in store
/// order; this state only guarantees that each session starts, identifies and ends in a
/// consistent order and ends exactly once.
struct LobbyState: Sendable {
    /// A write for the store and what to announce once it is committed.
    struct Effect: Sendable, Equatable {
        var write: StoreWrite
        var then: RoomEvent?
    }

    /// Why a session could not be opened.
    enum OpenRefusal: Error, Equatable {
        /// A live session already has this id (SockJS: "Another connection still open").
        case idInUse
        /// The server is shutting down.
        case shuttingDown
        /// The node is fenced and has not rejoined its cluster yet.
        case fenced

        /// The SockJS close frame that tells the client (code, reason).
        var closeStatus: (code: Int, reason: String) {
            switch self {
            case .idInUse: SockJSFrame.anotherConnectionStillOpenStatus
            case .shuttingDown: LeaveReason.shutdown.closeStatus
            // WebSocket's "Try Again Later": the node is rejoining its cluster.
            case .fenced: (1013, "Server node rejoining; try again")
            }
        }
    }

    /// The user of each live session; `nil` until it identified.
    private(set) var users: [SessionID: UserName?] = [:]
    private var isShuttingDown = false
    /// Fenced and not yet back in the cluster: a session opened now could not be stored.
    private(set) var isFenced = false
    var isAcceptingSessions: Bool { !isShuttingDown && !isFenced }

    /// Why new sessions are refused, in words (`/readyz`); nil while they are accepted.
    var notAcceptingReason: String? {
        if isShuttingDown { return "shutting down" }
        if isFenced { return "rejoining the cluster (this node lost its lease)" }
        return nil
    }

    /// A new connection wants to join the lobby.
    mutating func sessionOpened(
        _ id: SessionID, transport: String, remoteAddress: String?, at time: Timestamp
    ) -> Result<Effect, OpenRefusal> {
        guard !isShuttingDown else { return .failure(.shuttingDown) }
        guard !isFenced else { return .failure(.fenced) }
        guard users[id] == nil else { return .failure(.idInUse) }
        users[id] = .some(nil)
        return .success(
            Effect(
                write: .sessionStarted(
                    SessionStart(id: id, transport: transport, remoteAddress: remoteAddress, at: time)),
                then: nil))
    }

    /// A live session sent a valid identity. `welcome`: whether it can receive one (it
    /// subscribed to its reply queue). Nil for a session that is not live (it ended meanwhile).
    mutating func identityReceived(_ id: SessionID, as user: UserName, welcome: Bool, at time: Timestamp) -> Effect? {
        guard users[id] != nil else { return nil }
        users[id] = user
        return Effect(
            write: .sessionIdentified(id, user: user.rawValue, at: time),
            then: .identityStored(id, user: user, welcome: welcome, at: time))
    }

    /// A session ended for `reason`. Only the first end of a live session returns an effect:
    /// whatever races (a DISCONNECT, the socket closing, a timer, a kick), the end is recorded
    /// and announced once.
    mutating func sessionEnded(_ id: SessionID, reason: LeaveReason, at time: Timestamp) -> Effect? {
        guard users.removeValue(forKey: id) != nil else { return nil }
        return Effect(
            write: .sessionEnded(id, reason: reason, at: time),
            then: .endStored(id, reason: reason, at: time))
    }

    /// The server stops: no session is accepted any more. Returns the live sessions, which
    /// the owner ends with ``LeaveReason/shutdown``.
    mutating func shutdownBegan() -> [SessionID] {
        isShuttingDown = true
        return users.keys.sorted()
    }

    /// This node was fenced (its lease in the shared store lapsed): every live session is over
    /// here, and nothing is written, because a surviving node records and announces the ends.
    /// New sessions are refused until ``rejoined()``. Returns the ended sessions.
    mutating func fenced() -> [SessionID] {
        isFenced = true
        let ended = users.keys.sorted()
        users = [:]
        return ended
    }

    /// The node is back in its cluster (a new lease): sessions are accepted again.
    mutating func rejoined() {
        isFenced = false
    }

    /// The user a live session identified as.
    func user(of id: SessionID) -> UserName? {
        users[id] ?? nil
    }

    var liveSessionCount: Int { users.count }
}
