import LobbyCore

/// What one STOMP session tells the layer above it: decoded payloads and problems worth showing.
public enum SessionEvent: Sendable, Equatable {
    /// The server accepted the identity: the member list and recent history of the room.
    case welcome(Welcome)
    /// A chat message on `/topic/chat`.
    case message(ChatMessage)
    /// Someone joined or left, on `/topic/presence`. A batch on the wire (several changes that were
    /// pending together) arrives as one of these per event, in the order the state changed.
    case presence(PresenceEvent)
    /// A private `error` on `/user/queue/reply` (bad name, bad text, rate limit…); the session stays open.
    case serverError(ErrorEvent)
    /// Something is wrong with the protocol itself: a STOMP `ERROR`, a spoofed session id, a payload
    /// that does not decode. Shown to the user, never swallowed.
    case protocolError(String)
    /// A chat line could not be sent because the session is not (or no longer) connected.
    case notSent(String)
    /// A private message to or from this user, on `/user/queue/direct`.
    case direct(DirectMessage)
    /// The answer to a history request: older room messages, oldest first.
    case history(HistoryReply)
    /// The answer to a search: matching room messages, newest first.
    case search(SearchReply)
}

/// Why a session's connection should be closed.
public enum SessionEnd: Sendable, Equatable {
    /// The user quit and the server acknowledged the `DISCONNECT` (or did not answer in time).
    case finished
    /// The connection died: the server fell silent past the deadline, or closed the SockJS session.
    case lost(String)
    /// The server broke the protocol or refused the session (STOMP `ERROR`, session id mismatch).
    case failed(String)
    /// An operator removed this user (SockJS close 4002, leave reason `kicked`): reconnecting
    /// would undo what the operator did, so the client stays disconnected.
    case removed(String)
    /// The server's TLS certificate failed verification (untrusted, or for another host): every
    /// retry would fail the same way, and falling back to plain is not an option, so the client
    /// stays disconnected with the reason shown.
    case untrusted(String)

    /// The reason in words, for the status line.
    public var explanation: String {
        switch self {
        case .finished: "disconnected"
        case .lost(let reason), .failed(let reason), .removed(let reason), .untrusted(let reason): reason
        }
    }

    /// Whether a new connection could fare better; if not, the client does not reconnect.
    public var isWorthRetrying: Bool {
        switch self {
        case .removed, .untrusted: false
        case .finished, .lost, .failed: true
        }
    }
}
