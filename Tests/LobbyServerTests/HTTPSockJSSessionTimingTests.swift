import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import SockJS
import Testing

@testable import LobbyServer

/// The real `HTTPSockJSSession` on an `EmbeddedEventLoop`, whose clock moves only with
/// `advanceTime(by:)`: the SockJS `h` frame, the disconnect delay and a receiver cut off
/// mid-response, without sleeping. Receivers are `EmbeddedChannel`s with no handlers, so what
/// the session writes to them arrives here as `HTTPServerResponsePart`s.
@Suite struct HTTPSockJSSessionTimingTests {
    private let logger = Logger(label: "test")
    private let loop = EmbeddedEventLoop()
    private let registry = SockJSSessionRegistry()
    private let lobby: Lobby
    private var configuration = ServerConfiguration()
    private var nextReceiver: UInt64 = 0

    init() {
        lobby = Lobby(writer: StoreWriter(store: InMemoryStore()), history: [], historyLimit: 10, logger: logger)
        configuration.sockJSHeartbeatMilliseconds = 1_000
        configuration.sockJSDisconnectDelayMilliseconds = 5_000
    }

    private func openSession(_ kind: SockJSService.Kind, id: SessionID = "h1") -> HTTPSockJSSession {
        let service = Self.service(kind)
        let found = registry.findOrCreate(id, in: service, on: loop, address: "127.0.0.1") {
            HTTPSockJSSession(
                id: id, eventLoop: loop, service: service, registry: registry, configuration: configuration,
                lobby: lobby, logger: logger)
        }
        let (entry, isNew) = try! #require(found)
        #expect(isNew)
        let session = entry.session.value
        session.start(transport: .xhrStreaming, remoteAddress: nil)
        return session
    }

    private static func service(_ kind: SockJSService.Kind) -> SockJSService {
        SockJSService(prefix: "/p", kind: kind, allowsWebSocket: true, cookieNeeded: false)
    }

    /// A receiving request on its own channel, attached to `session`.
    private mutating func attach(
        _ transport: Transport, to session: HTTPSockJSSession
    ) throws -> (SessionStateMachine.ReceiverID, EmbeddedChannel) {
        nextReceiver += 1
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let id = SessionStateMachine.ReceiverID(nextReceiver)
        session.receiverAttached(
            .init(id: id, channel: channel, transport: transport, callback: nil, keepAlive: true))
        loop.run()
        return (id, channel)
    }

    private func advance(milliseconds: Int64) {
        loop.advanceTime(by: .milliseconds(milliseconds))
        loop.run()
    }

    /// The body text written to `channel` since the last call, and whether the response ended.
    private func written(_ channel: EmbeddedChannel) throws -> (body: String, ended: Bool) {
        var body = ""
        var ended = false
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .body(.byteBuffer(let buffer)): body += String(buffer: buffer)
            case .end: ended = true
            default: break
            }
        }
        return (body, ended)
    }

    @Test mutating func anHFrameFollowsOutboundSilenceAndAWritePushesItBack() throws {
        let session = openSession(.echo)
        let (_, stream) = try attach(.xhrStreaming, to: session)
        #expect(try written(stream).body == "o\n")
        advance(milliseconds: 999)
        #expect(try written(stream).body == "", "not a moment before the interval")
        advance(milliseconds: 1)
        #expect(try written(stream).body == "h\n")

        advance(milliseconds: 600)
        session.received(["echo me"])
        #expect(try written(stream).body == "a[\"echo me\"]\n")
        advance(milliseconds: 999)
        #expect(try written(stream).body == "", "the message reset the silence")
        advance(milliseconds: 1)
        #expect(try written(stream).body == "h\n")
    }

    @Test mutating func noReceivingRequestForTheDisconnectDelayEndsTheLobbySessionAndForgetsIt() throws {
        let session = openSession(.lobby)
        #expect(lobby.liveSessionCount == 1)
        let (_, poll) = try attach(.xhr, to: session)
        let first = try written(poll)
        #expect(first.body == "o\n" && first.ended, "a poll gets one frame and ends")

        advance(milliseconds: 4_999)
        #expect(lobby.liveSessionCount == 1)
        #expect(registry.find("h1", in: Self.service(.lobby)) != nil)
        advance(milliseconds: 1)
        #expect(lobby.liveSessionCount == 0)
        #expect(registry.find("h1", in: Self.service(.lobby)) == nil)
    }

    @Test mutating func aReceiverCutOffMidResponseEndsTheLobbySessionAtOnce() throws {
        let session = openSession(.lobby)
        let (_, stream) = try attach(.xhrStreaming, to: session)
        #expect(try written(stream).body == "o\n")
        let (_, second) = try attach(.xhr, to: session)
        #expect(try written(second) == ("c[2010,\"Another connection still open\"]\n", true))
        session.receiverLost(2)
        loop.run()
        #expect(lobby.liveSessionCount == 1, "losing the refused second request changes nothing")

        session.receiverLost(1)
        loop.run()
        #expect(lobby.liveSessionCount == 0, "no disconnect delay for a cut request")

        let (_, again) = try attach(.xhr, to: session)
        #expect(try written(again) == ("c[1002,\"Connection interrupted\"]\n", true))
        advance(milliseconds: 4_999)
        #expect(registry.find("h1", in: Self.service(.lobby)) != nil, "it answers c[1002] for the disconnect delay")
        advance(milliseconds: 1)
        #expect(registry.find("h1", in: Self.service(.lobby)) == nil)
    }
}
