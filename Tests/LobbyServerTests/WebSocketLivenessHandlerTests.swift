import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import LobbyServer

/// The real `WebSocketSessionHandler` on an `EmbeddedChannel`, whose event loop's clock moves
/// only with `advanceTime(by:)`: the ping/pong deadline and SockJS `h` without sleeping.
///
/// No frame encoder in the pipeline, so the handler's writes arrive here as `WebSocketFrame`s.
@Suite struct WebSocketLivenessHandlerTests {
    private let logger = Logger(label: "test")
    private let store = InMemoryStore()

    private struct Connection {
        let channel: EmbeddedChannel
        let handler: WebSocketSessionHandler
        let lobby: Lobby
        let writer: StoreWriter

        var loop: EmbeddedEventLoop { channel.embeddedEventLoop }

        func advance(milliseconds: Int64) {
            loop.advanceTime(by: .milliseconds(milliseconds))
            loop.run()
        }

        /// The frames written since the last call.
        func written() throws -> [WebSocketFrame] {
            var frames: [WebSocketFrame] = []
            while let frame = try channel.readOutbound(as: WebSocketFrame.self) {
                frames.append(frame)
            }
            return frames
        }

        func receive(_ opcode: WebSocketOpcode, _ text: String = "") throws {
            let data = channel.allocator.buffer(string: text)
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: opcode, data: data))
            loop.run()
        }
    }

    /// A session with STOMP connected and STOMP heart-beats off, so only the WebSocket rules
    /// watch the connection.
    private func connect(
        _ framing: Framing, pingMilliseconds: Int, sockJSHeartbeatMilliseconds: Int = 25_000
    ) throws -> Connection {
        var configuration = ServerConfiguration()
        configuration.heartbeatMilliseconds = pingMilliseconds
        configuration.sockJSHeartbeatMilliseconds = sockJSHeartbeatMilliseconds
        let writer = StoreWriter(store: store)
        let lobby = Lobby(writer: writer, history: [], historyLimit: 10, logger: logger)
        let channel = EmbeddedChannel()
        let handler = WebSocketSessionHandler(
            sessionID: "s1", framing: framing, lobby: lobby, configuration: configuration, remoteAddress: nil,
            logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let connection = Connection(channel: channel, handler: handler, lobby: lobby, writer: writer)
        switch framing {
        case .raw:
            try connection.receive(.text, "CONNECT\naccept-version:1.2\nhost:lobby\nheart-beat:0,0\n\n\0")
        case .sockJS:
            try connection.receive(.text, #"["CONNECT\naccept-version:1.2\nhost:lobby\nheart-beat:0,0\n\n\u0000"]"#)
        }
        let opening = try connection.written().compactMap(Self.text)
        #expect(opening.last?.contains("CONNECTED") == true, "\(opening)")
        return connection
    }

    private static func text(_ frame: WebSocketFrame) -> String? {
        frame.opcode == .text ? String(buffer: frame.unmaskedData) : nil
    }

    private static func closeCode(_ frames: [WebSocketFrame]) -> WebSocketErrorCode? {
        guard var data = frames.first(where: { $0.opcode == .connectionClose })?.unmaskedData else { return nil }
        return data.readWebSocketErrorCode()
    }

    /// The stored end of session `s1`, once the store writer has it.
    private func storedReason(_ connection: Connection) async throws -> LeaveReason? {
        let writer = connection.writer
        let drain = Task { await writer.run() }
        defer { drain.cancel() }
        for _ in 0..<200 {
            if let reason = try await store.sessions(includeEnded: true, limit: 10).first(where: { $0.id == "s1" })?
                .reason
            {
                return reason
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test func aPingGoesOutAfterAnIntervalOfSilenceAndNoPongEndsTheSessionAsTimeout() async throws {
        let connection = try connect(.raw, pingMilliseconds: 1_000)
        connection.advance(milliseconds: 999)
        #expect(try connection.written().isEmpty)
        connection.advance(milliseconds: 1)
        #expect(try connection.written().map(\.opcode) == [.ping])

        connection.advance(milliseconds: 999)
        #expect(try connection.written().isEmpty, "not a moment before the deadline")
        #expect(connection.lobby.liveSessionCount == 1)
        connection.advance(milliseconds: 1)
        let closing = try connection.written()
        #expect(Self.closeCode(closing) == .init(codeNumber: 4000), "4000: Heart-beat timeout")
        #expect(connection.lobby.liveSessionCount == 0)
        #expect(!connection.channel.isActive)
        #expect(try await storedReason(connection) == .timeout)
    }

    @Test func aPongInTimeKeepsTheSessionAlive() throws {
        let connection = try connect(.raw, pingMilliseconds: 1_000)
        for _ in 0..<5 {
            connection.advance(milliseconds: 1_000)
            #expect(try connection.written().map(\.opcode) == [.ping])
            connection.advance(milliseconds: 900)
            try connection.receive(.pong)
        }
        connection.advance(milliseconds: 999)
        #expect(try connection.written().isEmpty, "the next ping waits a full interval after the pong")
        #expect(connection.lobby.liveSessionCount == 1)
        #expect(connection.channel.isActive)
        _ = try connection.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func aPingFromThePeerIsAnsweredAndCountsAsLife() throws {
        let connection = try connect(.raw, pingMilliseconds: 1_000)
        connection.advance(milliseconds: 1_000)
        #expect(try connection.written().map(\.opcode) == [.ping])
        try connection.receive(.ping, "are you there")
        #expect(try connection.written().map(\.opcode) == [.pong])
        connection.advance(milliseconds: 1_000)
        #expect(try connection.written().map(\.opcode) == [.ping], "no timeout: the peer's ping was data")
        _ = try connection.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func whileReadingIsPausedAMissingPongIsExcused() throws {
        let connection = try connect(.raw, pingMilliseconds: 1_000)
        connection.advance(milliseconds: 1_000)
        #expect(try connection.written().map(\.opcode) == [.ping])
        connection.handler.pauseReading()
        connection.advance(milliseconds: 10_000)
        #expect(try connection.written().isEmpty)
        #expect(connection.lobby.liveSessionCount == 1, "the pong may sit unread behind our backlog")
        connection.handler.resumeReading()
        connection.advance(milliseconds: 1_000)
        #expect(try connection.written().map(\.opcode) == [.ping])
        connection.advance(milliseconds: 1_000)
        #expect(Self.closeCode(try connection.written()) == .init(codeNumber: 4000))
    }

    @Test func pingZeroTurnsThePingOff() throws {
        let connection = try connect(.raw, pingMilliseconds: 0)
        connection.advance(milliseconds: 3_600_000)
        #expect(try connection.written().isEmpty)
        #expect(connection.lobby.liveSessionCount == 1)
        _ = try connection.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func sockJSWritesHAfterOutboundSilenceAndEveryWritePushesItBack() throws {
        let connection = try connect(.sockJS, pingMilliseconds: 0, sockJSHeartbeatMilliseconds: 2_000)
        connection.advance(milliseconds: 1_999)
        #expect(try connection.written().isEmpty)
        connection.advance(milliseconds: 1)
        #expect(try connection.written().compactMap(Self.text) == ["h"])

        connection.advance(milliseconds: 1_500)
        // A SUBSCRIBE with a receipt: the RECEIPT is a write, so `h` waits 2 s from it.
        try connection.receive(
            .text, #"["SUBSCRIBE\nid:0\ndestination:/topic/chat\nreceipt:r1\n\n\u0000"]"#)
        #expect(try connection.written().compactMap(Self.text).first?.contains("RECEIPT") == true)
        connection.advance(milliseconds: 1_999)
        #expect(try connection.written().isEmpty, "the write pushed h back")
        connection.advance(milliseconds: 1)
        #expect(try connection.written().compactMap(Self.text) == ["h"])
        _ = try connection.channel.finish(acceptAlreadyClosed: true)
    }

    @Test func sockJSTimesOutWithItsCloseFrameWhenNoPongComes() throws {
        let connection = try connect(.sockJS, pingMilliseconds: 1_000)
        connection.advance(milliseconds: 1_000)
        #expect(try connection.written().map(\.opcode) == [.ping])
        connection.advance(milliseconds: 1_000)
        let closing = try connection.written()
        #expect(closing.compactMap(Self.text) == [#"c[4000,"Heart-beat timeout"]"#])
        #expect(Self.closeCode(closing) == .init(codeNumber: 4000))
        #expect(connection.lobby.liveSessionCount == 0)
    }
}
