import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import LobbyServer

/// The session, its handle and its transport refer to one another strongly (weak references
/// would slow every retain on the fan-out path), so the transport must break the cycle when it
/// lets go of the session: these tests check that nothing outlives its connection.
@Suite struct SessionLifetimeTests {
    private let logger = Logger(label: "test")

    private func makeLobby() -> Lobby {
        Lobby(writer: StoreWriter(store: InMemoryStore()), history: [], historyLimit: 10, logger: logger)
    }

    /// Opens a raw WebSocket session on an embedded channel, lets `end` finish it, and returns
    /// a weak reference to the transport handler, which should then be gone.
    private func handlerAfter(
        lobby: Lobby, _ end: (EmbeddedChannel) throws -> Void
    ) throws -> WebSocketSessionHandler? {
        weak var weakHandler: WebSocketSessionHandler?
        let channel = EmbeddedChannel()
        try {
            let handler = WebSocketSessionHandler(
                sessionID: "s1", framing: .raw, lobby: lobby, configuration: ServerConfiguration(),
                remoteAddress: nil, logger: logger)
            weakHandler = handler
            try channel.pipeline.syncOperations.addHandlers([WebSocketFrameEncoder(), handler])
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        }()
        #expect(weakHandler != nil, "the pipeline keeps the handler while the connection is open")
        try end(channel)
        channel.embeddedEventLoop.run()
        return weakHandler
    }

    @Test func aConnectionClosedByThePeerFreesItsSessionAndTransport() throws {
        let lobby = makeLobby()
        let handler = try handlerAfter(lobby: lobby) { channel in
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
        #expect(handler == nil)
    }

    @Test func aSessionEndedByTheServerFreesItOnceTheChannelCloses() throws {
        let lobby = makeLobby()
        let handler = try handlerAfter(lobby: lobby) { channel in
            // Like a shutdown or a kick: the lobby terminates the session, the transport
            // writes its close frame and closes the channel.
            lobby.shutdown()
            channel.embeddedEventLoop.run()
            _ = try channel.finish(acceptAlreadyClosed: true)
        }
        #expect(handler == nil)
    }
}
