import LobbyCore
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import LobbyServer

/// A session on an event loop that logs what the fan-out does to it.
private final class LoggingSession: SessionHandle {
    let id: SessionID
    let framing = Framing.raw
    let eventLoop: (any EventLoop)?
    private let log: Mutex<[String]>

    init(_ id: SessionID, on loop: any EventLoop) {
        self.id = id
        self.eventLoop = loop
        self.log = Mutex([])
    }

    var entries: [String] { log.withLock { $0 } }

    func enqueue(_ frame: EncodedFrame) { log.withLock { $0.append("enqueue") } }

    func writeOnEventLoop(_ frame: EncodedFrame) -> Bool {
        log.withLock { $0.append("write \(String(buffer: frame.stomp))") }
        return true
    }

    func flushOnEventLoop() { log.withLock { $0.append("flush") } }

    func terminate(reason: LeaveReason) {}
}

@Suite struct LoopFanoutTests {
    @Test func aLoneMessageIsFlushedAtTheEndOfItsOwnTask() {
        let loop = EmbeddedEventLoop()
        let fanout = LoopFanout(loop: loop)
        let sessions = [LoggingSession("a", on: loop), LoggingSession("b", on: loop)]
        fanout.submit(sessions, frame: EncodedFrame(stompBytes: Array("m1".utf8)))
        loop.run()
        for session in sessions {
            #expect(session.entries == ["write m1", "flush"])
        }
    }

    @Test func theExcludedSessionGetsNothing() {
        let loop = EmbeddedEventLoop()
        let fanout = LoopFanout(loop: loop)
        let sessions = [LoggingSession("a", on: loop), LoggingSession("b", on: loop)]
        fanout.submit(sessions, frame: EncodedFrame(stompBytes: Array("m1".utf8)), excluding: ["b"])
        loop.run()
        #expect(sessions[0].entries == ["write m1", "flush"])
        #expect(sessions[1].entries.isEmpty)
    }

    @Test func aBurstIsFlushedOncePerConnectionAfterTheLastQueuedTask() {
        let loop = EmbeddedEventLoop()
        let fanout = LoopFanout(loop: loop)
        let session = LoggingSession("a", on: loop)
        for index in 1...3 {
            fanout.submit([session], frame: EncodedFrame(stompBytes: Array("m\(index)".utf8)))
        }
        loop.run()
        // All three writes leave together: the flushes come only after the last queued task.
        #expect(session.entries.prefix(4) == ["write m1", "write m2", "write m3", "flush"])
        #expect(!session.entries.dropFirst(4).contains { $0.hasPrefix("write") })
    }

    @Test func aLongBurstFlushesOnceEnoughWritesPiledUp() {
        let loop = EmbeddedEventLoop()
        let fanout = LoopFanout(loop: loop)
        let session = LoggingSession("a", on: loop)
        let frame = EncodedFrame(stompBytes: Array("m".utf8))
        // Two tasks, the first alone exceeding the bound: it must not wait for the second.
        fanout.submit(Array(repeating: session, count: LoopFanout.maximumUnflushed), frame: frame)
        fanout.submit([session], frame: frame)
        loop.run()
        let firstFlush = session.entries.firstIndex(of: "flush")
        #expect(firstFlush == LoopFanout.maximumUnflushed)
    }
}
