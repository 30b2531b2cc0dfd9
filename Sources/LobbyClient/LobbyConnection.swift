import NIOCore
import NIOPosix
import SockJS

/// The terminal client's link to a Lobby server: opens a SockJS WebSocket session, keeps it alive,
/// and reconnects with backoff when it dies, until ``quit()``.
///
/// Every connection gets a fresh transport URL, hence a fresh session id, which the session
/// learns by parsing that URL. Events arrive on the connection's event loop thread, in order:
/// hand them to the UI thread from there.
///
/// ```swift
/// let connection = LobbyConnection(configuration: .init(serverURL: "http://127.0.0.1:8080/connection",
///                                                       displayName: "alice")) { event in inbox.post(event) }
/// connection.start()
/// connection.send(chat: "hello")
/// connection.quit()  // … then `.stopped` arrives
/// ```
public final class LobbyConnection: Sendable {
    public struct Configuration: Sendable {
        /// The SockJS endpoint, `http://HOST:PORT/connection` (or `https://`, `ws://`, `wss://`).
        public var serverURL: String
        public var displayName: String
        public var session: ClientSessionConfiguration
        public var backoff: ReconnectBackoff
        /// How long the TCP connection and the WebSocket upgrade may take, in milliseconds.
        public var connectTimeout: UInt64
        /// The largest WebSocket message accepted, in bytes (a `welcome` carries the history).
        public var maximumMessageSize: Int
        /// The secret of `displayName`'s claim on this server, sent with every identity.
        public var nameToken: String?
        /// Called (on the event loop) when a welcome hands out a new claim's secret, with the name
        /// it is for: the name was free and is now this client's. Later identities send it on
        /// their own.
        public var nameTokenIssued: (@Sendable (_ token: String, _ name: String) -> Void)?
        /// The secret saved for another name (called on the event loop at a `/nick`), if any.
        public var savedNameToken: (@Sendable (_ name: String) -> String?)?
        /// How `https://` / `wss://` servers are verified; nil: against the system trust store.
        public var tls: ClientTLS?

        public init(
            serverURL: String, displayName: String, session: ClientSessionConfiguration = .init(),
            backoff: ReconnectBackoff = .init(), connectTimeout: UInt64 = 10_000, maximumMessageSize: Int = 4 << 20,
            tls: ClientTLS? = nil
        ) {
            self.tls = tls
            self.serverURL = serverURL
            self.displayName = displayName
            self.session = session
            self.backoff = backoff
            self.connectTimeout = connectTimeout
            self.maximumMessageSize = maximumMessageSize
        }
    }

    private let loop: NIOLoopBoundBox<ConnectionLoop>

    /// Creates a stopped connection; ``start()`` opens it.
    ///
    /// - Parameter onEvent: called on `eventLoop` for every event, in order.
    public init(
        configuration: Configuration,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        onEvent: @escaping @Sendable (ConnectionEvent) -> Void
    ) {
        loop = .makeBoxSendingValue(
            ConnectionLoop(configuration: configuration, eventLoop: eventLoop, onEvent: onEvent),
            eventLoop: eventLoop)
    }

    /// Checks that `serverURL` is an endpoint this client can open (`http://`, `https://`, `ws://`
    /// or `wss://` with a host).
    public static func validate(serverURL: String) throws(WebSocketEndpointError) {
        guard let url = makeTransportURL(base: serverURL, server: "000", session: "validate"),
            (try? WebSocketEndpoint(url: url)) != nil
        else {
            // Named as the user typed it, not as the transport URL built from it.
            throw .notAWebSocketURL(serverURL)
        }
    }

    /// Opens the first connection.
    public func start() {
        loop.eventLoop.execute { self.loop.value.start() }
    }

    /// Sends a chat line; without a live session the line comes back as `.session(.notSent(text))`.
    public func send(chat text: String) {
        send(.chat(text))
    }

    /// Sends a request; without a live session it comes back as `.session(.notSent(…))`.
    public func send(_ request: ClientRequest) {
        loop.eventLoop.execute { self.loop.value.send(request) }
    }

    /// Opens a new connection now (`/reconnect`): the current one says goodbye first, and the
    /// backoff starts over.
    public func reconnect() {
        loop.eventLoop.execute { self.loop.value.reconnect() }
    }

    /// Takes another name (`/nick`): identifies again on the current session, and the next
    /// connections use the new name once a welcome confirmed it. A name the server refuses
    /// (`name-taken`, `invalid-name`) comes back as a server error and changes nothing.
    public func rename(to name: String) {
        loop.eventLoop.execute { self.loop.value.rename(to: name) }
    }

    /// Says goodbye (STOMP `DISCONNECT`, so the others see `quit`), closes, and reports `.stopped`.
    public func quit() {
        loop.eventLoop.execute { self.loop.value.quit() }
    }
}
