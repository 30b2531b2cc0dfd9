/// The JSON payloads of Lobby's STOMP destinations (see docs/protocol.md).
///
/// The server encodes these and the terminal client decodes them, so both sides share one
/// definition of the wire contract.

/// `SEND /app/identity`: who this session is.
public struct IdentityRequest: Codable, Sendable, Equatable {
    /// The session id of the connection the frame is sent on (the client parses it from its transport URL).
    public var sessionId: String
    /// The display name.
    public var clientData: String
    /// The secret of the name's claim, from the `welcome` that claimed it (see docs/protocol.md,
    /// "Name claims"); absent for a name never used before.
    public var token: String?

    public init(sessionId: String, clientData: String, token: String? = nil) {
        self.sessionId = sessionId
        self.clientData = clientData
        self.token = token
    }
}

/// `SEND /app/chat`.
public struct ChatRequest: Codable, Sendable, Equatable {
    public var text: String

    public init(text: String) {
        self.text = text
    }
}

/// One stored chat message: a `MESSAGE` on `/topic/chat`, and an entry of `welcome.history`.
///
/// A private message is stored the same way (one id sequence), with its recipient in `to`; it
/// never goes to `/topic/chat` and reaches clients as a ``DirectMessage``.
public struct ChatMessage: Codable, Sendable, Equatable, Identifiable {
    public var type: String = "message"
    public var id: Int64
    public var user: String
    public var text: String
    public var at: Timestamp
    /// The recipient of a private message; nil for the room (and never sent for the room).
    public var to: String?

    public init(id: Int64, user: String, text: String, at: Timestamp, to: String? = nil) {
        self.id = id
        self.user = user
        self.text = text
        self.at = at
        self.to = to
    }

    /// A private message as its sender and recipient receive it; nil for a room message.
    public var direct: DirectMessage? {
        to.map { DirectMessage(id: id, from: user, to: $0, text: text, at: at) }
    }
}

/// One entry of the member list: each user once, with the number of live sessions.
public struct Member: Codable, Sendable, Equatable, Hashable {
    public var user: String
    public var sessions: Int
    /// The away message while the user is away (`SEND /app/status`); absent otherwise.
    public var away: String?

    public init(user: String, sessions: Int, away: String? = nil) {
        self.user = user
        self.sessions = sessions
        self.away = away
    }
}

/// A `MESSAGE` on `/topic/presence`.
///
/// `join` and `leave` carry `sessions` (and a leave its `reason`); `status` carries `away`, the
/// away message or `null` when the user is back, and no `sessions`.
public struct PresenceEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case join
        case leave
        case status
    }

    public var type: Kind
    public var user: String
    /// Present on `leave` only.
    public var reason: LeaveReason?
    /// The user's live sessions after the change (0 on `status`, where it is not sent).
    public var sessions: Int
    public var at: Timestamp
    /// `status`: the away message, nil when back; `join`: the away message of a user who joins
    /// while away (absent otherwise).
    public var away: String?

    public static func status(_ user: String, away: String?, at: Timestamp) -> PresenceEvent {
        var event = PresenceEvent(type: .status, user: user, reason: nil, sessions: 0, at: at)
        event.away = away
        return event
    }

    private enum CodingKeys: String, CodingKey {
        case type, user, reason, sessions, at, away
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(Kind.self, forKey: .type)
        user = try container.decode(String.self, forKey: .user)
        reason = try container.decodeIfPresent(LeaveReason.self, forKey: .reason)
        sessions = try container.decodeIfPresent(Int.self, forKey: .sessions) ?? 0
        at = try container.decode(Timestamp.self, forKey: .at)
        away = try container.decodeIfPresent(String.self, forKey: .away)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(user, forKey: .user)
        try container.encode(at, forKey: .at)
        if type == .status {
            // `null` says "back"; the key is always there.
            try container.encode(away, forKey: .away)
        } else {
            try container.encodeIfPresent(reason, forKey: .reason)
            try container.encode(sessions, forKey: .sessions)
            // A user who comes back while away says so in the join.
            try container.encodeIfPresent(away, forKey: .away)
        }
    }

    public static func join(_ user: String, sessions: Int, at: Timestamp) -> PresenceEvent {
        PresenceEvent(type: .join, user: user, reason: nil, sessions: sessions, at: at)
    }

    public static func leave(_ user: String, reason: LeaveReason, sessions: Int, at: Timestamp) -> PresenceEvent {
        PresenceEvent(type: .leave, user: user, reason: reason, sessions: sessions, at: at)
    }

    public init(type: Kind, user: String, reason: LeaveReason?, sessions: Int, at: Timestamp) {
        self.type = type
        self.user = user
        self.reason = reason
        self.sessions = sessions
        self.at = at
        self.away = nil
    }
}

/// The body of a `MESSAGE` on `/topic/presence`: one event, or several that were pending
/// together, in the order the state changed (`{"type":"batch","events":[…]}`).
///
/// The server sends a lone change as a bare event and gathers what is already waiting (a
/// reconnect storm, a leave storm) into one batch, encoded once for every subscriber. Clients
/// handle both forms by looking at ``events``.
public enum PresenceMessage: Codable, Sendable, Equatable {
    case single(PresenceEvent)
    case batch([PresenceEvent])

    /// The wire `type` of a batch.
    public static let batchType = "batch"

    /// The events carried, oldest first.
    public var events: [PresenceEvent] {
        switch self {
        case .single(let event): [event]
        case .batch(let events): events
        }
    }

    /// One event alone, several as a batch.
    public init(_ events: [PresenceEvent]) {
        self = events.count == 1 ? .single(events[0]) : .batch(events)
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case events
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        if type == Self.batchType {
            self = .batch(try container.decode([PresenceEvent].self, forKey: .events))
        } else {
            self = .single(try PresenceEvent(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let event):
            try event.encode(to: encoder)
        case .batch(let events):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Self.batchType, forKey: .type)
            try container.encode(events, forKey: .events)
        }
    }
}

/// The private answer to a successful identity, on `/user/queue/reply`.
public struct Welcome: Codable, Sendable, Equatable {
    public var type: String = "welcome"
    public var sessionId: String
    public var user: String
    /// Each user once, sorted by name.
    public var members: [Member]
    /// The most recent messages, oldest first.
    public var history: [ChatMessage]
    /// The user's most recent private messages (sent and received), oldest first.
    public var directs: [DirectMessage]?
    /// The secret of a claim this identity just made (the name was free): the client keeps it and
    /// sends it with every later identity for the name. Absent when the name was already its own.
    public var token: String?
    /// Which run of the server process sent it: a reconnect that finds another value knows the
    /// server restarted (everyone's connection was cut, not just this one). Absent from older servers.
    public var serverInstance: String?
    /// The pace the server lets `/app/chat` and `/app/direct` through; faster sends are refused
    /// with `rate-limited`. Clients queue what the user types and send at this pace. Absent from
    /// older servers.
    public var chatRate: ChatRate?

    public init(
        sessionId: String, user: String, members: [Member], history: [ChatMessage], directs: [DirectMessage]? = nil,
        token: String? = nil, serverInstance: String? = nil, chatRate: ChatRate? = nil
    ) {
        self.sessionId = sessionId
        self.user = user
        self.members = members
        self.history = history
        self.directs = directs
        self.token = token
        self.serverInstance = serverInstance
        self.chatRate = chatRate
    }
}

/// A token bucket's rule, as the welcome advertises it: `perSecond` sends on average, up to
/// `burst` at once after a quiet spell.
public struct ChatRate: Codable, Sendable, Equatable {
    public var perSecond: Double
    public var burst: Double

    /// The server's defaults (`ServerConfiguration`), assumed when a welcome does not say.
    public static let serverDefault = ChatRate(perSecond: 5, burst: 20)

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// A private error on `/user/queue/reply`.
public struct ErrorEvent: Codable, Sendable, Equatable {
    public var type: String = "error"
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What arrives on `/user/queue/reply`.
public enum Reply: Decodable, Sendable, Equatable {
    case welcome(Welcome)
    case error(ErrorEvent)
    case history(HistoryReply)
    case search(SearchReply)

    private enum CodingKeys: String, CodingKey {
        case type
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "welcome": self = .welcome(try Welcome(from: decoder))
        case "error": self = .error(try ErrorEvent(from: decoder))
        case HistoryReply.type: self = .history(try HistoryReply(from: decoder))
        case SearchReply.type: self = .search(try SearchReply(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown reply type \(type)")
        }
    }
}

/// Codes of private `error` events.
public enum ErrorCode {
    public static let sessionMismatch = "session-mismatch"
    public static let invalidName = "invalid-name"
    public static let invalidText = "invalid-text"
    public static let invalidJSON = "invalid-json"
    public static let notIdentified = "not-identified"
    public static let unknownDestination = "unknown-destination"
    public static let rateLimited = "rate-limited"
    public static let storeUnavailable = "store-unavailable"
    /// The name is claimed by someone else: the identity carried no token, or a wrong one.
    public static let nameTaken = "name-taken"
    /// The name this session used without a claim was just claimed by its owner: the session
    /// is ended (it could not have learnt the claim's secret).
    public static let nameClaimed = "name-claimed"
    /// A second SUBSCRIBE to a destination the session is already subscribed to, or more
    /// subscriptions than a session may hold.
    public static let alreadySubscribed = "already-subscribed"
    public static let tooManySubscriptions = "too-many-subscriptions"
    /// A private message to a user with no live session.
    public static let notHere = "not-here"
    /// Well-formed JSON whose values make no sense (a history before id 0, a search of no words).
    public static let invalidRequest = "invalid-request"
}

/// Destinations of the wire contract.
public enum Destination {
    public static let identity = "/app/identity"
    public static let chat = "/app/chat"
    public static let chatTopic = "/topic/chat"
    public static let presenceTopic = "/topic/presence"
    public static let reply = "/user/queue/reply"
    public static let direct = "/app/direct"
    public static let status = "/app/status"
    public static let history = "/app/history"
    public static let search = "/app/search"
    /// Private messages to and from the session's user.
    public static let directQueue = "/user/queue/direct"
}
