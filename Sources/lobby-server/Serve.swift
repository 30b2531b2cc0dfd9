import ArgumentParser
import LobbyPostgres
import LobbyServer
import Logging
import ServiceLifecycle
import SockJS

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the lobby (the default command).",
        discussion: """
            Logs one line `listening on http://HOST:PORT/PREFIX` once it accepts connections \
            (`https://` with --tls-cert and --tls-key: the port then speaks only TLS).
            SIGINT/SIGTERM stop it gracefully: every open session ends with reason `shutdown`.
            """)

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one.")
    var port = 8080

    @Option(help: "SockJS endpoint prefix.")
    var prefix = "/connection"

    /// `--database`: a SQLite file (created if missing) or a PostgreSQL URL
    /// (`postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=…]`), where the server creates and
    /// migrates its tables.
    @OptionGroup var store: StoreOptions

    @Option(
        name: .customLong("request-timeout-ms"),
        help: "Time a connection has to send its HTTP request head, and a session its STOMP CONNECT (0: none).")
    var requestTimeoutMilliseconds = 10_000

    @Option(
        name: .customLong("name-claim-days"),
        help: "A name's claim lapses after this many days unused (fractions allowed); 0 turns name claims off.")
    var nameClaimDays: Double = 30

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp(
            "PEM certificate chain: serve HTTPS/WSS only on the port (with --tls-key).",
            discussion: "The server's certificate first, then any intermediates.",
            valueName: "pem"))
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"), help: ArgumentHelp("PEM private key of --tls-cert.", valueName: "pem"))
    var tlsKey: String?

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Open connections beyond which new ones are answered 503 (default: the open-file limit less a reserve).",
            valueName: "count"))
    var maxConnections: Int?

    @Option(
        name: .customLong("max-connections-per-ip"),
        help: "Open connections from one IP address beyond which its new ones are answered 429.")
    var maxConnectionsPerIP = 256

    @Option(
        name: .customLong("allowed-origins"),
        help: ArgumentHelp(
            "Web origins whose pages may connect (comma list; * allows any).",
            discussion: """
                Entries: * (any origin), self (the server's own origin: its --public-url or a host it answers as its \
                own, never just any Host header), or \
                scheme://host[:port] where port may be * (any port). Requests without an Origin header (terminal \
                clients, stomp.py) are always allowed; others get 403.
                """,
            valueName: "list"))
    var allowedOrigins = OriginPolicy.defaultList

    @Option(
        name: .customLong("public-url"),
        help: ArgumentHelp(
            "The URL people reach this server by (e.g. https://chat.example.org/connection).",
            discussion: "Its host is one of the server's own: answered, and the origin `self` stands for.",
            valueName: "url"))
    var publicURL: String?

    @Option(
        name: .customLong("allowed-hosts"),
        help: ArgumentHelp(
            "More host names the server answers to (comma list); other Host headers get 421.",
            discussion: """
                Always answered: the listen address, localhost, 127.0.0.1, [::1] and the host of --public-url. \
                With a wildcard --host (0.0.0.0, ::) and neither option, any host is answered.
                """,
            valueName: "list"))
    var allowedHosts = ""

    @Option(
        name: .customLong("session-retention-days"),
        help: "Session rows that ended more than this many days ago are deleted (0 keeps them).")
    var sessionRetentionDays = 90.0

    @Option(
        name: .customLong("claims-per-hour"),
        help: "New name claims per hour from one address (IPv4 /32, IPv6 /64); 0 for no limit.")
    var claimsPerHour = 10

    @Option(
        name: .customLong("node-id"),
        help: "This node's name when several share a PostgreSQL lobby (default: host name and port).")
    var nodeID: String?

    @Option(
        name: .customLong("node-lease-ms"),
        help: "PostgreSQL lobby: how long this node's lease lasts without renewal; then another node ends its sessions."
    )
    var nodeLeaseMilliseconds: Int64 = 10_000

    @Option(
        name: .customLong("heartbeat-ms"),
        help: "STOMP heart-beat offer and WebSocket ping interval in ms; a peer silent for twice this is dead.")
    var heartbeatMilliseconds = 10_000

    @Option(help: "Messages of history sent to a session when it identifies.")
    var history = 50

    @Option(name: .customLong("max-frame-bytes"), help: "Largest STOMP frame accepted from a client.")
    var maxFrameBytes = 65_536

    @Option(
        name: .customLong("max-queued-bytes"),
        help: "Outbound bytes a session may have queued before it is disconnected as `slow`.")
    var maxQueuedBytes = 1 << 20

    @Option(name: .customLong("chat-rate"), help: "Chat messages per second a session may send, sustained.")
    var chatRate = 5.0

    @Option(name: .customLong("chat-burst"), help: "Chat messages a session may send in a burst.")
    var chatBurst = 20.0

    @Flag(
        help:
            "Also mount the SockJS protocol test services (/echo, /close, /disabled_websocket_echo, /cookie_needed_echo)."
    )
    var sockjsTestServices = false

    @Option(
        name: .customLong("sockjs-client-url"),
        help: "Where the SockJS iframe page loads sockjs-client from (served by this server by default).")
    var sockjsClientURL = "/static/sockjs.min.js"

    @Flag(name: .customLong("metrics-public"), help: "Also serve /metrics on the public port, to anyone.")
    var metricsPublic = false

    @Option(
        name: .customLong("admin-listen"),
        help: ArgumentHelp(
            "Where /metrics and /admin/kick are served, off the public port: HOST:PORT, or off.",
            discussion: "Port 0 picks a free one, printed on the `admin on` line; lobby-server kick finds it.",
            valueName: "host:port"))
    var adminListen = "127.0.0.1:0"

    @Flag(name: .customLong("no-metrics"), help: "Collect no metrics (/metrics answers 404).")
    var noMetrics = false

    @Option(name: .customLong("log-format"), help: "text (as today) or json (one object per line).")
    var logFormat = "text"

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
        guard heartbeatMilliseconds >= 0 else { throw ValidationError("--heartbeat-ms must be ≥ 0 (0 turns it off)") }
        guard history >= 0 else { throw ValidationError("--history must be ≥ 0") }
        guard maxFrameBytes >= 1024 else { throw ValidationError("--max-frame-bytes must be ≥ 1024") }
        guard maxQueuedBytes >= 1024 else { throw ValidationError("--max-queued-bytes must be ≥ 1024") }
        guard chatRate > 0, chatBurst >= 1 else {
            throw ValidationError("--chat-rate must be > 0 and --chat-burst ≥ 1")
        }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        guard nameClaimDays >= 0, nameClaimDays.isFinite else { throw ValidationError("--name-claim-days must be ≥ 0") }
        guard requestTimeoutMilliseconds >= 0 else { throw ValidationError("--request-timeout-ms must be ≥ 0") }
        if let maxConnections, maxConnections < 1 { throw ValidationError("--max-connections must be ≥ 1") }
        guard maxConnectionsPerIP >= 1 else { throw ValidationError("--max-connections-per-ip must be ≥ 1") }
        do {
            _ = try OriginPolicy(parsing: allowedOrigins)
        } catch {
            throw ValidationError("--allowed-origins: \(error)")
        }
        guard nodeLeaseMilliseconds >= 200 else { throw ValidationError("--node-lease-ms must be ≥ 200") }
        if let publicURL, ServerConfiguration.host(ofURL: publicURL) == nil {
            throw ValidationError("--public-url must be a URL like https://chat.example.org/connection")
        }
        guard sessionRetentionDays >= 0, sessionRetentionDays.isFinite else {
            throw ValidationError("--session-retention-days must be ≥ 0")
        }
        guard claimsPerHour >= 0 else { throw ValidationError("--claims-per-hour must be ≥ 0") }
        if adminListen != "off", Self.parseListen(adminListen) == nil {
            throw ValidationError("--admin-listen must be HOST:PORT (e.g. 127.0.0.1:9090) or off")
        }
        if let nodeID, nodeID.isEmpty || nodeID.count > 200 {
            throw ValidationError("--node-id must be 1…200 characters")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        _ = try tlsFiles
    }

    /// `--tls-cert` and `--tls-key` together, or neither (plain HTTP).
    var tlsFiles: TLSFiles? {
        get throws {
            switch (tlsCertificate, tlsKey) {
            case (nil, nil): return nil
            case (let certificate?, let key?): return TLSFiles(certificatePath: certificate, keyPath: key)
            case (nil, _?): throw ValidationError("--tls-key needs --tls-cert (the certificate of that key)")
            case (_?, nil): throw ValidationError("--tls-cert needs --tls-key (the certificate's private key)")
            }
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lobby")
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.prefix = prefix
        configuration.heartbeatMilliseconds = heartbeatMilliseconds
        configuration.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        configuration.maxConnections = maxConnections
        configuration.maxConnectionsPerAddress = maxConnectionsPerIP
        configuration.allowedOrigins = (try? OriginPolicy(parsing: allowedOrigins)) ?? .default
        configuration.publicURL = publicURL
        configuration.allowedHosts = allowedHosts.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        configuration.sessionRetentionDays = sessionRetentionDays
        configuration.claimsPerAddressPerHour = claimsPerHour
        configuration.nodeID = nodeID
        configuration.nameClaimDays = nameClaimDays
        configuration.nodeLeaseMilliseconds = nodeLeaseMilliseconds
        configuration.historyLimit = history
        configuration.maxFrameBytes = maxFrameBytes
        configuration.maxQueuedBytes = maxQueuedBytes
        configuration.chatRatePerSecond = chatRate
        configuration.chatBurst = chatBurst
        configuration.sockJSTestServices = sockjsTestServices
        configuration.sockJSClientURL = sockjsClientURL
        configuration.tls = try tlsFiles
        configuration.logLevel = level
        configuration.jsonLogs = json
        configuration.metricsPublic = metricsPublic
        configuration.adminListen = Self.parseListen(adminListen)
        let location = store.location
        let application = try await location.buildServer(
            configuration: configuration, logger: logger,
            metricsText: noMetrics ? nil : bootstrapMetrics(configuration, shared: location.isShared))
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: application)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await services.run()
    }

    /// `127.0.0.1:9090`, `[::1]:9090` or `localhost:0`; nil for `off` or anything else.
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard text != "off", let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
