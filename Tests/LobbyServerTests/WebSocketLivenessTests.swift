import NIOCore
import Testing

@testable import LobbyServer

/// A liveness machine plus a test clock that only moves when a test says so.
private struct Harness {
    var liveness: WebSocketLiveness
    var now: NIODeadline

    init(ping: Int64 = 1_000, heartbeat: Int64 = 0) {
        now = .uptimeNanoseconds(5_000_000_000)
        liveness = WebSocketLiveness(
            configuration: .init(pingInterval: .milliseconds(ping), heartbeatInterval: .milliseconds(heartbeat)),
            now: now)
    }

    /// Moves the clock on and fires the timer, as the handler's armed timer would.
    mutating func advance(_ milliseconds: Int64) -> [WebSocketLiveness.Action] {
        now = now + .milliseconds(milliseconds)
        return liveness.timerFired(at: now)
    }

    mutating func receive() {
        liveness.inboundReceived(at: now)
    }

    mutating func write() {
        liveness.outboundWritten(at: now)
    }

    func deadline(inMilliseconds milliseconds: Int64) -> NIODeadline {
        now + .milliseconds(milliseconds)
    }
}

@Suite("WebSocket liveness")
struct WebSocketLivenessTests {
    // MARK: Ping

    @Test("a ping is sent after an interval of inbound silence, not before")
    func pingAfterInterval() {
        var harness = Harness()
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 1_000))
        #expect(harness.advance(999) == [])
        #expect(harness.advance(1) == [.sendPing])
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 1_000), "the pong's deadline")
    }

    @Test("a pong in time keeps the connection alive and the next ping waits a full interval")
    func pongInTime() {
        var harness = Harness()
        #expect(harness.advance(1_000) == [.sendPing])
        _ = harness.advance(900)
        harness.receive()
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 1_000))
        #expect(harness.advance(999) == [])
        #expect(harness.advance(1) == [.sendPing])
        harness.receive()
        #expect(harness.advance(1_000) == [.sendPing], "alive for as long as pongs come")
    }

    @Test("no pong: timeout exactly one interval after the ping, not a nanosecond before")
    func timeoutAtTheDeadline() {
        var harness = Harness()
        #expect(harness.advance(1_000) == [.sendPing])
        let deadline = harness.deadline(inMilliseconds: 1_000)
        #expect(harness.liveness.nextDeadline == deadline)
        #expect(harness.liveness.timerFired(at: deadline - .nanoseconds(1)) == [])
        #expect(harness.liveness.timerFired(at: deadline) == [.timedOut])
        #expect(harness.liveness.nextDeadline == nil, "nothing more is due")
        #expect(harness.advance(10_000) == [])
    }

    @Test("any inbound data answers a ping, not only a pong")
    func anyInboundCounts() {
        var harness = Harness()
        _ = harness.advance(600)
        harness.receive()  // a STOMP heart-beat, say
        #expect(harness.advance(600) == [], "inbound data put the ping off")
        #expect(harness.advance(400) == [.sendPing])
        _ = harness.advance(999)
        harness.receive()
        #expect(harness.advance(1) == [], "data after the ping answered it")
    }

    @Test("a peer whose data keeps coming is never pinged")
    func busyPeerIsNotPinged() {
        var harness = Harness()
        for _ in 0..<20 {
            #expect(harness.advance(500) == [])
            harness.receive()
        }
    }

    // MARK: Backpressure

    @Test("while reading is paused a missing pong is not the peer's fault")
    func pausedReadingExcuses() {
        var harness = Harness()
        #expect(harness.advance(1_000) == [.sendPing])
        harness.liveness.readingPaused()
        #expect(harness.liveness.nextDeadline == nil)
        #expect(harness.advance(5_000) == [], "the pong may sit unread behind our own backlog")
        harness.liveness.readingResumed(at: harness.now)
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 1_000), "a full interval again")
        #expect(harness.advance(1_000) == [.sendPing])
        #expect(harness.advance(1_000) == [.timedOut], "after resuming, silence counts again")
    }

    @Test("resuming when not paused changes nothing")
    func resumeWithoutPause() {
        var harness = Harness()
        _ = harness.advance(1_000)
        harness.liveness.readingResumed(at: harness.now)
        #expect(harness.advance(1_000) == [.timedOut])
    }

    // MARK: SockJS h

    @Test("h after outbound silence only")
    func heartbeatAfterOutboundSilence() {
        var harness = Harness(ping: 0, heartbeat: 2_000)
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 2_000))
        #expect(harness.advance(1_999) == [])
        #expect(harness.advance(1) == [.sendHeartbeat])
        #expect(harness.advance(1_999) == [])
        #expect(harness.advance(1) == [.sendHeartbeat], "h itself restarts the silence")
    }

    @Test("writes push h back; inbound data does not")
    func writesPushHeartbeatBack() {
        var harness = Harness(ping: 0, heartbeat: 2_000)
        _ = harness.advance(1_500)
        harness.write()
        harness.receive()
        #expect(harness.advance(1_999) == [])
        #expect(harness.advance(1) == [.sendHeartbeat])
        _ = harness.advance(1_000)
        harness.receive()
        #expect(harness.advance(1_000) == [.sendHeartbeat], "reading is not writing")
    }

    @Test("a write stamped earlier than the last one does not pull h forward")
    func outOfOrderWriteTimes() {
        var harness = Harness(ping: 0, heartbeat: 2_000)
        _ = harness.advance(1_000)
        harness.write()
        harness.liveness.outboundWritten(at: harness.now - .milliseconds(900))
        #expect(harness.liveness.nextDeadline == harness.deadline(inMilliseconds: 2_000))
    }

    @Test("ping and h run side by side; the ping does not count as a write")
    func pingAndHeartbeatTogether() {
        var harness = Harness(ping: 1_000, heartbeat: 1_000)
        #expect(harness.advance(1_000) == [.sendPing, .sendHeartbeat])
        harness.receive()
        harness.write()
        #expect(harness.advance(1_000) == [.sendPing, .sendHeartbeat])
        #expect(harness.advance(1_000) == [.timedOut], "a timeout is the last action")
    }

    @Test("only h is on the write path when the ping is off; neither when h is off")
    func writeTimesNeeded() {
        #expect(Harness(ping: 0, heartbeat: 2_000).liveness.needsWriteTimes)
        #expect(!Harness(ping: 1_000, heartbeat: 0).liveness.needsWriteTimes)
    }

    // MARK: Switches

    @Test("interval 0 disables each rule")
    func zeroDisables() {
        var harness = Harness(ping: 0, heartbeat: 0)
        #expect(harness.liveness.nextDeadline == nil)
        #expect(harness.advance(1_000_000) == [])
    }

    @Test("after the close started nothing is due")
    func closeStops() {
        var harness = Harness(ping: 1_000, heartbeat: 1_000)
        harness.liveness.closeStarted()
        #expect(harness.liveness.nextDeadline == nil)
        #expect(!harness.liveness.needsWriteTimes)
        #expect(harness.advance(10_000) == [])
    }

    @Test("inbound data, writes and pausing only move the deadline later")
    func trafficOnlyDelaysTheDeadline() {
        var harness = Harness(ping: 1_000, heartbeat: 1_500)
        for step in 0..<12 {
            _ = harness.advance(300)
            let armed = harness.liveness.nextDeadline
            switch step % 3 {
            case 0: harness.receive()
            case 1: harness.write()
            default: harness.liveness.readingPaused()
            }
            if let after = harness.liveness.nextDeadline {
                #expect(armed.map { after >= $0 } ?? false, "step \(step)")
            }
            // Resuming may bring the ping back earlier than the h-only deadline: the handler
            // re-arms after it.
            if step % 3 == 2 { harness.liveness.readingResumed(at: harness.now) }
        }
    }
}
