import LobbyCore

/// One stored session: a connection's life from transport open to end, and who it was.
///
/// `lobby-server sessions` lists these (as JSON with `--json`), so the fields read as the
/// answer to "who is connected, and why did sessions end".
public struct SessionRecord: Sendable, Equatable, Codable {
    /// The session id. Ids may repeat across time; at most one row per id is open.
    public var id: String
    /// The name the session identified as; `nil` until it identified.
    public var user: String?
    public var connectedAt: Timestamp
    public var identifiedAt: Timestamp?
    /// When the session ended; `nil` while it is open.
    public var endedAt: Timestamp?
    /// Why the session ended; `nil` while it is open.
    public var reason: LeaveReason?
    public var remoteAddress: String?
    public var transport: String
    /// The server node that holds (or held) the session, when several share the store.
    public var node: String?

    public init(
        id: String, user: String? = nil, connectedAt: Timestamp, identifiedAt: Timestamp? = nil,
        endedAt: Timestamp? = nil, reason: LeaveReason? = nil, remoteAddress: String? = nil, transport: String,
        node: String? = nil
    ) {
        self.id = id
        self.user = user
        self.connectedAt = connectedAt
        self.identifiedAt = identifiedAt
        self.endedAt = endedAt
        self.reason = reason
        self.remoteAddress = remoteAddress
        self.transport = transport
        self.node = node
    }

    /// Whether the session is still connected (as far as the store knows).
    public var isOpen: Bool { endedAt == nil }
}
