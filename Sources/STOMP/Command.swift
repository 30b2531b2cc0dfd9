/// The command that opens every STOMP frame.
///
/// Commands are case-sensitive on the wire: `send` is not `SEND`.
public enum Command: String, Sendable, CaseIterable {
    // Sent by clients.
    case connect = "CONNECT"
    case stomp = "STOMP"
    case send = "SEND"
    case subscribe = "SUBSCRIBE"
    case unsubscribe = "UNSUBSCRIBE"
    case ack = "ACK"
    case nack = "NACK"
    case begin = "BEGIN"
    case commit = "COMMIT"
    case abort = "ABORT"
    case disconnect = "DISCONNECT"
    // Sent by servers.
    case connected = "CONNECTED"
    case message = "MESSAGE"
    case receipt = "RECEIPT"
    case error = "ERROR"

    /// Whether a client may send this command to a server.
    public var isClientCommand: Bool {
        switch self {
        case .connected, .message, .receipt, .error: false
        default: true
        }
    }

    /// Whether this command opens a connection (`CONNECT`, or its 1.2 alias `STOMP`).
    public var isConnect: Bool {
        self == .connect || self == .stomp
    }

    /// Whether header names and values of this command are escaped on the wire.
    ///
    /// STOMP 1.1 and 1.2 exempt `CONNECT` and `CONNECTED` (and so `STOMP`) from escaping, so that a
    /// 1.0 peer can still read them before the version is negotiated.
    public var escapesHeaders: Bool {
        switch self {
        case .connect, .stomp, .connected: false
        default: true
        }
    }

    /// The length in bytes of the longest command, used to reject a command line early.
    static let longestCommandLength = Command.allCases.map(\.rawValue.utf8.count).max() ?? 0
}
