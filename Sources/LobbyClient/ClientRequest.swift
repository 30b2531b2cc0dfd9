import LobbyCore

/// What the user asks the server for beyond the identity: one `SEND` each (docs/protocol.md).
public enum ClientRequest: Sendable, Equatable {
    /// `/app/chat`.
    case chat(String)
    /// `/app/direct`: a private message to a user.
    case direct(to: String, text: String)
    /// `/app/status`: away with a message, or back (nil).
    case away(String?)
    /// `/app/history`: room messages older than `before` (nil: the newest).
    case history(before: Int64?, limit: Int)
    /// `/app/search`: full-text search of the room.
    case search(String, limit: Int)

    /// The destination and JSON body of the `SEND`.
    var destinationAndBody: (destination: String, body: [UInt8]) {
        switch self {
        case .chat(let text):
            (Destination.chat, PayloadCoding.encode(ChatRequest(text: text)))
        case .direct(let to, let text):
            (Destination.direct, PayloadCoding.encode(DirectRequest(to: to, text: text)))
        case .away(let message):
            (Destination.status, PayloadCoding.encode(StatusRequest(away: message)))
        case .history(let before, let limit):
            (Destination.history, PayloadCoding.encode(HistoryRequest(before: before, limit: limit)))
        case .search(let query, let limit):
            (Destination.search, PayloadCoding.encode(SearchRequest(query: query, limit: limit)))
        }
    }

    /// The text shown back when the request could not be sent (not connected).
    public var unsentText: String {
        switch self {
        case .chat(let text): text
        case .direct(let to, let text): "/msg \(to) \(text)"
        case .away(let message?): "/away \(message)"
        case .away(nil): "/back"
        case .history: "(older messages)"
        case .search(let query, _): "/search \(query)"
        }
    }
}
