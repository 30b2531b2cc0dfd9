import LobbyCore
import STOMP
import SockJS

/// One client session of Lobby's protocol (STOMP inside SockJS over a WebSocket), with no I/O.
///
/// The transport feeds it what happened — a SockJS frame arrived, time passed, the user typed a
/// line or quit — and carries out the actions it returns: SockJS payloads to send, events for the
/// user interface, and when to close. Time is monotonic milliseconds, passed in by the caller, so
/// every heart-beat rule is a unit test without a clock.
///
/// ```swift
/// var session = ClientSessionStateMachine(
///     transportURL: "ws://127.0.0.1:8080/connection/123/k3x9a0qz/websocket", displayName: "alice", now: 0)
/// session.messageReceived("o", now: 5)  // [.send("[\"CONNECT\\naccept-version:1.2,1.1\\n…\"]")]
/// ```
public struct ClientSessionStateMachine: Sendable {
    /// What the transport should do next.
    public enum Action: Sendable, Equatable {
        /// Send this SockJS payload (a JSON array of strings) as one WebSocket text message.
        case send(String)
        /// Hand this event to the user interface.
        case emit(SessionEvent)
        /// Close the connection; nothing more will be asked of the transport.
        case close(SessionEnd)
    }

    /// The session id the client learnt from its own transport URL, or `nil` when the URL has none.
    public let sessionID: String?
    /// The display name sent in the identity message.
    public private(set) var displayName: String
    /// The secret of the name's claim on this server, if the client has one.
    public private(set) var nameToken: String?
    public let configuration: ClientSessionConfiguration
    /// Whether the server has answered the identity with a `welcome`.
    public internal(set) var isIdentified = false

    var state: State
    private let startedAt: UInt64
    private var lastReceivedAt: UInt64
    private var lastSentAt: UInt64
    var parser: FrameParser

    /// The receipt id of the goodbye `DISCONNECT`; its `RECEIPT` means the server has let go.
    static let disconnectReceiptID = "disconnect"

    enum State: Sendable, Equatable {
        /// The WebSocket is open; waiting for SockJS `o`.
        case awaitingOpen
        /// `CONNECT` sent; waiting for `CONNECTED`.
        case awaitingConnected
        case connected(Link)
        /// `DISCONNECT` sent; waiting for its `RECEIPT` until the deadline.
        case disconnecting(Link, deadline: UInt64)
        case closed
    }

    /// What `CONNECTED` settled: the STOMP version and the heart-beat intervals in milliseconds (0 = off).
    struct Link: Sendable, Equatable {
        var version: Version
        /// How often the client must send something.
        var sendEvery: UInt64
        /// How often the server promised to send something.
        var expectEvery: UInt64
    }

    /// Starts a session on a freshly opened transport.
    ///
    /// - Parameters:
    ///   - transportURL: the SockJS WebSocket URL the client opened; the session id is parsed from it.
    ///   - displayName: the name to identify as.
    ///   - nameToken: the secret of the name's claim, sent with the identity.
    ///   - now: monotonic milliseconds when the WebSocket opened.
    public init(
        transportURL: String, displayName: String, nameToken: String? = nil,
        configuration: ClientSessionConfiguration = .init(), now: UInt64
    ) {
        self.sessionID = SockJS.sessionID(fromTransportURL: transportURL)
        self.displayName = displayName
        self.nameToken = nameToken
        self.configuration = configuration
        self.state = .awaitingOpen
        self.startedAt = now
        self.lastReceivedAt = now
        self.lastSentAt = now
        self.parser = FrameParser(limits: configuration.limits, version: .v1_2)
    }

    /// Whether the session has ended (a `.close` action was returned).
    public var isClosed: Bool { state == .closed }

    /// Whether a `DISCONNECT` has been sent or the session has ended.
    public var isQuitting: Bool {
        switch state {
        case .disconnecting, .closed: true
        case .awaitingOpen, .awaitingConnected, .connected: false
        }
    }

    /// When `tick(now:)` must be called next, or `nil` when no timer is needed.
    public var nextDeadline: UInt64? {
        switch state {
        case .awaitingOpen, .awaitingConnected:
            return startedAt + configuration.handshakeTimeout
        case .connected(let link):
            let silence = lastReceivedAt + silenceLimit(link)
            return link.sendEvery > 0 ? min(silence, lastSentAt + link.sendEvery) : silence
        case .disconnecting(_, let deadline):
            return deadline
        case .closed:
            return nil
        }
    }

    // MARK: - Events from the transport and the user

    /// A SockJS frame (the text of one WebSocket message) arrived.
    public mutating func messageReceived(_ text: String, now: UInt64) -> [Action] {
        guard state != .closed else { return [] }
        // Any frame, `h` included, proves the server is alive.
        lastReceivedAt = now
        let frame: SockJSFrame
        do {
            frame = try SockJSFrame(parsing: text)
        } catch {
            return fail("the server sent a malformed SockJS frame: \(text.prefix(80))")
        }
        switch frame {
        case .open:
            guard state == .awaitingOpen else { return fail("the server opened the SockJS session twice") }
            guard sessionID != nil else {
                return fail("cannot learn the session id from the transport URL")
            }
            state = .awaitingConnected
            return [send([connectFrame()], version: .v1_2, now: now)]
        case .heartbeat:
            return []
        case .messages(let messages):
            guard state != .awaitingOpen else { return fail("the server sent data before opening the session") }
            return stompDataReceived(messages, now: now)
        case .close(let code, let reason):
            let wasQuitting = isQuitting
            state = .closed
            if wasQuitting { return [.close(.finished)] }
            if code == LeaveReason.kicked.closeStatus.code {
                return [.close(.removed("removed by an operator (\(reason))"))]
            }
            return [.close(.lost("the server closed the session (\(code) \(reason))"))]
        }
    }

    /// Time passed: checks the deadlines and sends a heart-beat when one is due.
    public mutating func tick(now: UInt64) -> [Action] {
        switch state {
        case .awaitingOpen, .awaitingConnected:
            guard now >= startedAt + configuration.handshakeTimeout else { return [] }
            state = .closed
            let seconds = configuration.handshakeTimeout / 1000
            return [.close(.lost("the server did not complete the handshake within \(seconds) s"))]
        case .connected(let link):
            let silence = now - min(now, lastReceivedAt)
            if silence >= silenceLimit(link) {
                state = .closed
                return [.close(.lost("the server has been silent for \(silence / 1000) s"))]
            }
            guard link.sendEvery > 0, now >= lastSentAt + link.sendEvery else { return [] }
            lastSentAt = now
            // STOMP's heart-beat is an end-of-line between frames; in SockJS it travels as a message.
            return [.send(SockJSJSON.encodeArray(["\n"]))]
        case .disconnecting(_, let deadline):
            guard now >= deadline else { return [] }
            // The server did not confirm the goodbye in time; closing is all that is left to do.
            state = .closed
            return [.close(.finished)]
        case .closed:
            return []
        }
    }

    /// The user typed a chat line.
    public mutating func sendChat(_ text: String, now: UInt64) -> [Action] {
        send(.chat(text), now: now)
    }

    /// Sends a request (chat, private message, away, history, search); without a connected
    /// session it comes back as `.notSent`.
    public mutating func send(_ request: ClientRequest, now: UInt64) -> [Action] {
        guard case .connected(let link) = state else { return [.emit(.notSent(request.unsentText))] }
        let (destination, body) = request.destinationAndBody
        let frame = Frame(
            .send, headers: ["destination": destination, "content-type": "application/json"], body: body)
        return [send([frame], version: link.version, now: now)]
    }

    /// The user quit: says goodbye with `DISCONNECT` (so the others see `quit`) and closes once the
    /// server confirms it, or after the disconnect timeout.
    /// Asks for another name (`/nick`): the identity again on this session, with that name's
    /// secret if the client has one. The server answers with a welcome (a rename: the others see
    /// the old name leave as `renamed` and the new one join) or `name-taken`, after which the
    /// session keeps the name it had. Before `CONNECTED` the new name is the one the session will
    /// identify as.
    public mutating func identify(as name: String, token: String?, now: UInt64) -> [Action] {
        switch state {
        case .awaitingOpen, .awaitingConnected:
            displayName = name
            nameToken = token
            return []
        case .connected(let link):
            guard let sessionID else { return [.emit(.notSent("/nick \(name)"))] }
            displayName = name
            nameToken = token
            let identity = IdentityRequest(sessionId: sessionID, clientData: name, token: token)
            let frame = Frame(
                .send, headers: ["destination": Destination.identity, "content-type": "application/json"],
                body: PayloadCoding.encode(identity))
            return [send([frame], version: link.version, now: now)]
        case .disconnecting, .closed:
            return [.emit(.notSent("/nick \(name)"))]
        }
    }

    public mutating func quit(now: UInt64) -> [Action] {
        switch state {
        case .connected(let link):
            state = .disconnecting(link, deadline: now + configuration.disconnectTimeout)
            let frame = Frame(.disconnect, headers: ["receipt": Self.disconnectReceiptID])
            return [send([frame], version: link.version, now: now)]
        case .awaitingOpen, .awaitingConnected:
            // No STOMP session to end yet.
            state = .closed
            return [.close(.finished)]
        case .disconnecting, .closed:
            return []
        }
    }

    // MARK: - Helpers

    private func silenceLimit(_ link: Link) -> UInt64 {
        link.expectEvery > 0 ? 2 * link.expectEvery : configuration.silenceLimitWithoutHeartBeats
    }

    mutating func fail(_ reason: String) -> [Action] {
        state = .closed
        return [.emit(.protocolError(reason)), .close(.failed(reason))]
    }

    mutating func send(_ frames: [Frame], version: Version, now: UInt64) -> Action {
        lastSentAt = now
        let texts = frames.map { String(decoding: FrameEncoder.encode($0, version: version), as: UTF8.self) }
        return .send(SockJSJSON.encodeArray(texts))
    }

    private func connectFrame() -> Frame {
        var headers: Headers = [
            "accept-version": "1.2,1.1",
            "heart-beat": configuration.heartBeat.headerValue,
        ]
        if let host = configuration.host {
            headers.append("host", host)
        }
        return Frame(.connect, headers: headers)
    }
}

/// The tunables of a client session; the defaults are the design's liveness rules.
public struct ClientSessionConfiguration: Sendable, Equatable {
    /// The heart-beats offered in `CONNECT`.
    public var heartBeat: HeartBeat
    /// The STOMP `host` header (the server's host name), if any.
    public var host: String?
    /// How long the server may take from the WebSocket opening to `CONNECTED`, in milliseconds.
    public var handshakeTimeout: UInt64
    /// How long the server may stay silent when it sends no STOMP heart-beats (SockJS still sends
    /// `h` every 25 s), in milliseconds.
    public var silenceLimitWithoutHeartBeats: UInt64
    /// How long to wait for the `RECEIPT` of the goodbye `DISCONNECT`, in milliseconds.
    public var disconnectTimeout: UInt64
    /// Parser limits for inbound frames; generous, because a `welcome` carries the recent history.
    public var limits: Limits

    public init(
        heartBeat: HeartBeat = HeartBeat(sendEvery: 10_000, expectEvery: 10_000),
        host: String? = nil,
        handshakeTimeout: UInt64 = 10_000,
        silenceLimitWithoutHeartBeats: UInt64 = 60_000,
        disconnectTimeout: UInt64 = 2_000,
        limits: Limits = Limits(maxFrameSize: 4 << 20, maxBodySize: 4 << 20)
    ) {
        self.heartBeat = heartBeat
        self.host = host
        self.handshakeTimeout = handshakeTimeout
        self.silenceLimitWithoutHeartBeats = silenceLimitWithoutHeartBeats
        self.disconnectTimeout = disconnectTimeout
        self.limits = limits
    }
}
