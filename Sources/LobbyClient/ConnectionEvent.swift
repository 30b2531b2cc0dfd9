/// What ``LobbyConnection`` reports, in order, from its event loop.
///
/// A connection's life reads: `connecting(attempt: 1)`, the session's events (`connected(…)`
/// comes right after the `welcome`), and when the connection dies `disconnected(reason)`, then
/// `reconnecting(inSeconds:)` once a second while waiting, `connecting(attempt: 2)`… After
/// ``LobbyConnection/quit()``, `stopped` is the last event.
public enum ConnectionEvent: Sendable, Equatable {
    /// Opening a new connection; `attempt` counts the attempts since the last one that got a `welcome`.
    case connecting(attempt: Int)
    /// The server welcomed this session under `user` (the name as the server has it).
    case connected(user: String, sessionID: String)
    /// Waiting before the next attempt; sent again as each second passes.
    case reconnecting(inSeconds: Int)
    /// The connection ended; a reconnect follows unless `stopped` does.
    case disconnected(String)
    /// Something the session received or noticed.
    case session(SessionEvent)
    /// The client quit and the connection is closed; nothing follows.
    case stopped
}
