/// The id of one connection: the `{session}` segment of a SockJS transport URL, or the id the
/// server picks for a raw WebSocket.
///
/// A session id names a connection, not a person: one user may hold several sessions, and the
/// same id may come back later (a client reusing it), so the store keeps ids per time span.
public struct SessionID: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { rawValue }

    public static func < (lhs: SessionID, rhs: SessionID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
