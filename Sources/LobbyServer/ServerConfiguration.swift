import LobbyCore
import Logging
import SockJS

/// Everything `lobby-server` can be told on its command line, with the defaults of DESIGN.md.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    /// 0 picks a free port.
    public var port: Int = 8080
    /// SockJS prefix of the lobby endpoint, without a trailing slash.
    public var prefix: String = "/connection"
    /// The NAME of the `NAME.admin` file where the running server leaves its admin URL and
    /// token (``AdminAccess``): the composition root sets it from `--database`; nil: no file.
    public var adminAccessName: String?
    /// STOMP heart-beat offer and WebSocket ping interval; a peer silent for twice this is dead.
    public var heartbeatMilliseconds: Int = 10_000
    /// SockJS `h` frame after this much outbound silence.
    public var sockJSHeartbeatMilliseconds: Int = 25_000
    /// SockJS HTTP transports: a session with no receiving request for this long is closed.
    public var sockJSDisconnectDelayMilliseconds: Int = 5_000
    /// SockJS streaming transports: bytes after which a response is ended and the client reconnects.
    public var sockJSResponseLimit: Int = 128 * 1024
    /// Where the iframe page loads sockjs-client from.
    public var sockJSClientURL: String = "/static/sockjs.min.js"
    /// The sockjs-client file served at `/static/sockjs.min.js` (Debian's node-sockjs-client).
    public var sockJSClientPath: String = "/usr/share/nodejs/sockjs-client/dist/sockjs.min.js"
    /// Messages of history sent in `welcome`.
    public var historyLimit: Int = 50
    /// Largest STOMP frame accepted from a client.
    public var maxFrameBytes: Int = 65_536
    /// Outbound bytes a session may have queued before it is disconnected as `slow`.
    public var maxQueuedBytes: Int = 1 << 20
    /// Chat messages a session may send per second (sustained) and in a burst.
    public var chatRatePerSecond: Double = ChatRate.serverDefault.perSecond
    public var chatBurst: Double = ChatRate.serverDefault.burst
    /// Away changes a session may make per second (sustained) and in a burst.
    public var statusRatePerSecond: Double = 0.2
    public var statusBurst: Double = 5
    /// Identities after a session's first (renames) per second (sustained) and in a burst.
    public var renameRatePerSecond: Double = 1.0 / 30
    public var renameBurst: Double = 3
    /// New name claims per address block (IPv4 /32, IPv6 /64) per hour; 0: no limit.
    public var claimsPerAddressPerHour: Int = 10
    /// Subscriptions one session may hold (one per destination).
    public var maxSubscriptionsPerSession: Int = 256
    /// STOMP frames a session may send per second (sustained) and in a burst before it is cut off.
    public var frameRatePerSecond: Double = 200
    public var frameBurst: Double = 400
    /// Frames a session may have waiting (read and not handled, or stored and not answered)
    /// before the server stops reading from it until half of them are done.
    public var maxWaitingInboundFrames: Int = 256
    /// A connection must finish its HTTP request head, and a session must send STOMP `CONNECT`,
    /// within this many milliseconds, or it is closed (0: no limit).
    public var requestTimeoutMilliseconds: Int = 10_000
    /// A name claim not used for this many days lapses; 0 turns claims off (anyone may use any
    /// name, as before claims existed).
    public var nameClaimDays: Double = 30
    /// Open connections beyond which new ones are answered 503; nil: the open-file limit less a
    /// reserve (see ``ConnectionCounter/defaultMaxConnections(openFileLimit:)``).
    public var maxConnections: Int?
    /// Open connections from one IP address beyond which its new ones are answered 429.
    public var maxConnectionsPerAddress: Int = 256
    /// Web origins whose pages may use the SockJS endpoints and WebSocket upgrades.
    public var allowedOrigins: OriginPolicy = .default
    /// The URL people reach the server by (`--public-url`): its host is one of the server's own.
    public var publicURL: String?
    /// More hosts the server answers as its own (`--allowed-hosts`).
    public var allowedHosts: [String] = []
    /// Session rows that ended more than this many days ago are deleted (0: kept for ever).
    public var sessionRetentionDays: Double = 90
    /// This node's name when several share a PostgreSQL lobby; nil: host name and port.
    public var nodeID: String?
    /// How long a node's lease in the shared store lasts without renewal.
    public var nodeLeaseMilliseconds: Int64 = 10_000
    /// With these the port serves only HTTPS/WSS (`--tls-cert`, `--tls-key`); nil: plain HTTP.
    public var tls: TLSFiles?
    /// Mount the SockJS protocol test services (`/echo`, `/close`, …).
    public var sockJSTestServices: Bool = false
    public var logLevel: Logger.Level = .info
    /// Log lines as JSON objects (`--log-format json`), the listening line included.
    public var jsonLogs = false
    /// Also serve `/metrics` on the public port, to anyone (`--metrics-public`).
    public var metricsPublic = false
    /// Where `/metrics` and `/admin/kick` are served (`--admin-listen HOST:PORT`; port 0: a
    /// free one, announced on the `admin on` line and in the admin access file); nil: nowhere.
    public var adminListen: (host: String, port: Int)? = ("127.0.0.1", 0)

    public init() {}

    /// ``nameClaimDays`` in milliseconds; nil when claims are off.
    var nameClaimMilliseconds: Int64? {
        nameClaimDays > 0 ? max(1, Int64((nameClaimDays * 86_400_000).rounded())) : nil
    }
    /// The `Host` headers answered, and which name the server (see ``HostPolicy``).
    var hostPolicy: HostPolicy {
        HostPolicy(listenHost: host, publicHost: publicURL.flatMap(Self.host(ofURL:)), extraHosts: allowedHosts)
    }

    /// `chat.example` of `https://chat.example:8443/connection`.
    public static func host(ofURL url: String) -> String? {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        let host = authority.prefix { $0 != ":" }
        return host.isEmpty ? nil : String(host)
    }

    /// ``sessionRetentionDays`` in milliseconds; nil: rows are kept for ever.
    var sessionRetentionMilliseconds: Int64? {
        sessionRetentionDays > 0 ? max(1, Int64((sessionRetentionDays * 86_400_000).rounded())) : nil
    }

    /// The chat rate as the welcome advertises it (clients pace their sends to it).
    var chatRate: ChatRate { ChatRate(perSecond: chatRatePerSecond, burst: chatBurst) }

    /// `https` with TLS, else `http`: what the listening line and the admin address say.
    var urlScheme: String { tls == nil ? "http" : "https" }

    /// The prefix normalised: leading slash, no trailing slash.
    var normalizedPrefix: String {
        var value = prefix
        while value.hasSuffix("/") { value.removeLast() }
        if !value.hasPrefix("/") { value = "/" + value }
        return value
    }
}
