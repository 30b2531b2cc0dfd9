import LobbyCore
import LobbyStore
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import LobbyServer

/// A transport that logs what the session asks of it.
private final class LoggingTransport: StompTransport {
    let framing = Framing.raw
    var canAcceptWrites = true
    /// Bytes the transport's queue may hold; nil: no byte bound.
    var byteBound: Int?
    private(set) var log: [String] = []

    func canAcceptWrite(ofBytes bytes: Int) -> Bool {
        canAcceptWrites && bytes <= (byteBound ?? .max)
    }

    func write(_ frame: EncodedFrame, flush: Bool) {
        log.append("write \(String(buffer: frame.stomp))" + (flush ? " +flush" : ""))
    }

    func write(_ frames: [EncodedFrame]) {
        log.append("write [" + frames.map { String(buffer: $0.stomp) }.joined(separator: ",") + "]")
    }

    func flush() { log.append("flush") }

    func close(reason: LeaveReason) { log.append("close \(reason.rawValue)") }

    func pauseReading() { log.append("pause") }

    func resumeReading() { log.append("resume") }
}

/// Fan-out frames are held by the session until the fan-out flushes it, and written as one
/// batch; nothing the session writes directly may overtake them.
@Suite struct HeldFramesTests {
    private let loop = EmbeddedEventLoop()
    private let transport = LoggingTransport()
    private let session: StompSession

    init() {
        let logger = Logger(label: "test")
        let lobby = Lobby(writer: StoreWriter(store: InMemoryStore()), history: [], historyLimit: 10, logger: logger)
        session = StompSession(
            id: "s1", eventLoop: loop, lobby: lobby, configuration: ServerConfiguration(), transport: transport,
            logger: logger)
        #expect(session.start(transportName: "raw-websocket", remoteAddress: nil))
    }

    private func frame(_ text: String) -> EncodedFrame { EncodedFrame(stompBytes: Array(text.utf8)) }

    @Test func heldFramesLeaveAsOneWriteAtTheFlush() {
        #expect(session.hold(frame("m1")))
        #expect(!session.hold(frame("m2")), "the fan-out owes this session one flush, not two")
        #expect(!session.hold(frame("m3")))
        #expect(transport.log.isEmpty)
        session.flush()
        #expect(transport.log == ["write [m1,m2,m3]", "flush"])
    }

    @Test func aLoneHeldFrameIsWrittenAsItself() {
        #expect(session.hold(frame("m1")))
        session.flush()
        #expect(transport.log == ["write m1", "flush"])
        #expect(session.hold(frame("m2")), "after a flush the next frame owes a flush again")
    }

    @Test func aDirectDeliveryNeverOvertakesHeldFrames() {
        _ = session.hold(frame("chat"))
        session.deliver(frame("RECEIPT"))
        #expect(transport.log == ["write chat", "write RECEIPT +flush"])
    }

    @Test func heldFramesGoOutBeforeTheCloseWhenTheSessionEnds() {
        _ = session.hold(frame("m1"))
        _ = session.hold(frame("m2"))
        session.end(reason: .quit, closeTransport: true)
        loop.run()
        #expect(transport.log == ["write [m1,m2]", "close quit"])
    }

    /// Issue 21: a queue below its bound took one frame of any size, so a history page of
    /// megabytes was queued for a client that never reads. The frame about to be queued counts.
    @Test func oneFrameLargerThanTheBoundEndsTheSessionAsSlow() {
        transport.byteBound = 1_000
        session.deliver(frame(String(repeating: "x", count: 2_000)))
        loop.run()
        #expect(transport.log == ["flush", "close slow"])
    }

    /// A fan-out burst larger than the room left is judged frame by frame, each after a flush:
    /// a client that reads is not cut off for a burst, one frame over the bound still is.
    @Test func aBurstOverTheBoundIsJudgedFrameByFrame() {
        transport.byteBound = 1_000
        let burst = (0..<5).map { frame("b\($0)" + String(repeating: "x", count: 300)) }
        for held in burst { _ = session.hold(held) }
        session.flush()
        loop.run()
        #expect(transport.log.filter { $0.hasPrefix("write b") }.count == 5, "\(transport.log)")
        #expect(!transport.log.contains("close slow"))
        _ = session.hold(frame("small"))
        _ = session.hold(frame(String(repeating: "y", count: 2_000)))
        session.flush()
        loop.run()
        #expect(transport.log.last == "close slow")
    }

    @Test func aFrameWithinTheBoundIsWritten() {
        transport.byteBound = 1_000
        session.deliver(frame(String(repeating: "x", count: 100)))
        loop.run()
        #expect(transport.log.first?.hasPrefix("write ") == true)
        #expect(!transport.log.contains("close slow"))
    }

    @Test func aClientThatCannotKeepUpIsCutOffAtTheFlush() {
        _ = session.hold(frame("m1"))
        transport.canAcceptWrites = false
        session.flush()
        loop.run()
        // Pushed to the socket first, then judged: still full, so `slow`, and nothing written.
        #expect(transport.log == ["flush", "close slow"])
        #expect(!session.hold(frame("m2")), "a closed session holds nothing")
    }

    @Test func aReleasedSessionHoldsNothing() {
        _ = session.hold(frame("m1"))
        session.transportReleased()
        #expect(!session.hold(frame("m2")))
        session.flush()
        #expect(transport.log.isEmpty)
    }
}
