import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import STOMP
import Testing

@testable import LobbyServer

/// A transport that records writes and the session's read pauses.
private final class PacedTransport: StompTransport {
    let framing = Framing.raw
    var canAcceptWrites = true
    func canAcceptWrite(ofBytes bytes: Int) -> Bool { canAcceptWrites }
    private(set) var written: [String] = []
    private(set) var readEvents: [String] = []

    func write(_ frame: EncodedFrame, flush: Bool) { written.append(String(buffer: frame.stomp)) }
    func flush() {}
    func close(reason: LeaveReason) { readEvents.append("close \(reason.rawValue)") }
    func pauseReading() { readEvents.append("pause") }
    func resumeReading() { readEvents.append("resume") }
}

/// Counts the `read` requests that reach the head of the pipeline (the socket).
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// A fast sender is slowed, never cut off: past its bound of waiting frames the session stops
/// reading, and reads again once the backlog drained.
@Suite struct BackpressureTests {
    private let logger = Logger(label: "test")

    private static func frame(_ command: String, _ headers: [(String, String)], body: String = "") -> String {
        command + "\n" + headers.map { "\($0):\($1)" }.joined(separator: "\n") + "\n\n" + body + "\0"
    }

    @Test func aPipelinedBurstPausesReadingAndEverySendIsAnswered() {
        let loop = EmbeddedEventLoop()
        let transport = PacedTransport()
        var configuration = ServerConfiguration()
        configuration.chatRatePerSecond = 100_000
        configuration.chatBurst = 100_000
        configuration.maxWaitingInboundFrames = 64
        let lobby = Lobby(
            writer: StoreWriter(store: InMemoryStore()), history: [], historyLimit: 10, logger: logger)
        let session = StompSession(
            id: "s1", eventLoop: loop, lobby: lobby, configuration: configuration, transport: transport,
            logger: logger)
        #expect(session.start(transportName: "raw-websocket", remoteAddress: nil))
        let count = 600
        var bytes = Self.frame("CONNECT", [("accept-version", "1.2"), ("host", "lobby")])
        for index in 0..<count {
            // Not identified: each chat is answered with a private error, through the same
            // asynchronous path as a stored one, then its RECEIPT.
            bytes += Self.frame(
                "SEND", [("destination", Destination.chat), ("receipt", "r\(index)")], body: #"{"text":"hi"}"#)
        }
        session.received(Array(bytes.utf8))
        #expect(transport.readEvents == ["pause"], "600 waiting frames are past the bound of 64")
        loop.run()
        #expect(transport.readEvents == ["pause", "resume"])
        #expect(!session.isEnded, "nobody is disconnected for sending fast")
        let receipts = transport.written.filter { $0.hasPrefix("RECEIPT") }
        #expect(receipts.count == count)
        #expect(receipts.first?.contains("receipt-id:r0") == true)
        #expect(receipts.last?.contains("receipt-id:r\(count - 1)") == true)
    }

    @Test func aPausedWebSocketHoldsItsReadsUntilResumed() throws {
        let lobby = Lobby(
            writer: StoreWriter(store: InMemoryStore()), history: [], historyLimit: 10, logger: logger)
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        let handler = WebSocketSessionHandler(
            sessionID: "s1", framing: .raw, lobby: lobby, configuration: ServerConfiguration(), remoteAddress: nil,
            logger: logger)
        try channel.pipeline.syncOperations.addHandlers([counter, WebSocketFrameEncoder(), handler])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        let before = counter.reads
        channel.read()
        #expect(counter.reads == before + 1)

        handler.pauseReading()
        channel.read()
        channel.read()
        #expect(counter.reads == before + 1, "no read reaches the socket while paused")
        handler.resumeReading()
        #expect(counter.reads == before + 2, "the held read is issued once on resume")
        channel.read()
        #expect(counter.reads == before + 3)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
