/// Why a session ended (or, for `renamed`, why a name left the member list).
///
/// The raw value is the wire form used in `leave` presence events and the value the
/// store records in `sessions.reason`.
public enum LeaveReason: String, Sendable, Codable, CaseIterable, Hashable {
    /// The client said goodbye with STOMP `DISCONNECT`.
    case quit
    /// The connection closed with no `DISCONNECT` (terminal closed, process killed).
    case closed
    /// No heart-beat, data or pong before the deadline.
    case timeout
    /// The session's outbound queue overflowed.
    case slow
    /// An operator removed the session.
    case kicked
    /// The server stopped gracefully.
    case shutdown
    /// Found still open when the server started after a crash.
    case restart
    /// Its server node stopped renewing its lease in the shared database (killed, machine or
    /// network lost); a surviving node ended the session.
    case nodeLost = "node-lost"
    /// The session identified again under another name: the old name leaves, the session lives on.
    /// Only ever seen in presence events, never recorded as the end of a session.
    case renamed

    /// The reason in words a chat user understands, as the terminal client shows it.
    public var explanation: String {
        switch self {
        case .quit: "quit"
        case .closed: "connection closed"
        case .timeout: "timed out"
        case .slow: "too slow"
        case .kicked: "kicked"
        case .shutdown: "server shutdown"
        case .restart: "server restart"
        case .nodeLost: "server node lost"
        case .renamed: "changed name"
        }
    }

    /// The close status (WebSocket close code and SockJS `c[code,"reason"]`) that tells a client
    /// why the server ended its session. The terminal client reads `kicked`'s code back to stop
    /// reconnecting.
    public var closeStatus: (code: Int, reason: String) {
        switch self {
        case .quit, .renamed: (1000, "Normal closure")
        case .shutdown, .restart: (1001, "Server shutting down")
        case .closed: (1002, "Protocol error")
        case .timeout: (4000, "Heart-beat timeout")
        case .slow: (4001, "Too slow: outbound queue overflowed")
        case .kicked: (4002, "Kicked by an operator")
        // A fenced node closing its clients: they reconnect, through the proxy, to a live node.
        case .nodeLost: (1001, "Server node lost its lease")
        }
    }
}
