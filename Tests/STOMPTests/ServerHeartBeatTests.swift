import STOMP
import Testing

@Suite("ServerConnectionStateMachine: heart-beats and deadlines")
struct ServerHeartBeatTests {
    /// Connected at t = 1000 with the server sending every `send` ms and expecting every `receive` ms.
    static func connected(send: Int, receive: Int) -> Machine {
        var machine = Machine(heartBeat: HeartBeat(sendEvery: send, expectEvery: receive), now: 0)
        // The client can send as often as asked and wants what the server offers.
        machine.connect(heartBeat: "1,1", now: 1_000)
        return machine
    }

    @Test("no deadlines before CONNECT, nor when heart-beats are off")
    func noDeadlines() {
        var machine = Machine()
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: 1_000_000).isEmpty)
        machine.connect(heartBeat: "0,0")
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: 1_000_000).isEmpty)
    }

    @Test("a heart-beat is due exactly one send interval after the last write", arguments: [1_000, 10_000])
    func sendHeartBeatDue(interval: Int) {
        var machine = Self.connected(send: interval, receive: 0)
        let due = 1_000 + UInt64(interval)
        #expect(machine.nextDeadline == due)
        #expect(machine.timerFired(now: due - 1).isEmpty)
        #expect(machine.timerFired(now: due) == [.sendHeartBeat])
        // The machine counts its own heart-beat as a write.
        #expect(machine.timerFired(now: due).isEmpty)
        #expect(machine.nextDeadline == due + UInt64(interval))
    }

    @Test("any write pushes the next heart-beat back")
    func frameSentResetsSendClock() {
        var machine = Self.connected(send: 1_000, receive: 0)
        machine.frameSent(now: 1_900)
        #expect(machine.timerFired(now: 2_000).isEmpty)
        #expect(machine.nextDeadline == 2_900)
        #expect(machine.timerFired(now: 2_900) == [.sendHeartBeat])
    }

    @Test(
        "silence for exactly twice the receive interval is a timeout; a millisecond less is not",
        arguments: [500, 10_000])
    func timeoutBoundary(interval: Int) {
        var machine = Self.connected(send: 0, receive: interval)
        let deadline = 1_000 + 2 * UInt64(interval)
        #expect(machine.nextDeadline == deadline)
        #expect(machine.timerFired(now: deadline - 1).isEmpty)
        #expect(machine.isConnected)
        #expect(machine.timerFired(now: deadline) == [.close(.heartBeatTimeout)])
        #expect(machine.isClosed)
        #expect(machine.timerFired(now: deadline + 1).isEmpty)
        #expect(machine.receive("\n", now: deadline + 1).isEmpty)
    }

    @Test("a heart-beat EOL from the client is liveness", arguments: ["\n", "\r\n"])
    func heartBeatEOLIsLiveness(eol: String) {
        var machine = Self.connected(send: 0, receive: 1_000)
        #expect(machine.receive(eol, now: 2_500).isEmpty)
        #expect(machine.nextDeadline == 4_500)
        #expect(machine.timerFired(now: 3_000).isEmpty)
        #expect(machine.timerFired(now: 4_500) == [.close(.heartBeatTimeout)])
    }

    @Test("part of a frame is liveness too")
    func partialFrameIsLiveness() {
        var machine = Self.connected(send: 0, receive: 1_000)
        #expect(machine.receive("SEN", now: 2_900).isEmpty)
        #expect(machine.timerFired(now: 3_000).isEmpty)
        #expect(machine.nextDeadline == 4_900)
    }

    @Test("the next deadline is the earlier of sending and timing out")
    func nextDeadlineIsEarliest() {
        var machine = Self.connected(send: 3_000, receive: 1_000)
        #expect(machine.nextDeadline == 3_000)
        machine.frameSent(now: 1_000)
        #expect(machine.receive("\n", now: 2_500).isEmpty)
        #expect(machine.nextDeadline == 4_000)
    }

    @Test("a timeout wins over a due heart-beat")
    func timeoutBeforeSend() {
        var machine = Self.connected(send: 1_000, receive: 1_000)
        #expect(machine.timerFired(now: 10_000) == [.close(.heartBeatTimeout)])
    }

    @Test("a clock that steps back neither fires nor traps")
    func clockStepsBack() {
        var machine = Self.connected(send: 1_000, receive: 1_000)
        #expect(machine.receive("\n", now: 500).isEmpty)
        machine.frameSent(now: 200)
        #expect(machine.timerFired(now: 300).isEmpty)
        #expect(machine.nextDeadline == 2_000)
    }

    @Test("huge negotiated intervals saturate instead of overflowing")
    func hugeIntervals() {
        var machine = Machine(heartBeat: HeartBeat(sendEvery: .max, expectEvery: .max))
        machine.connect(heartBeat: "\(Int.max),\(Int.max)")
        #expect(machine.nextDeadline == UInt64(Int.max))
        #expect(machine.timerFired(now: UInt64.max - 1).count == 1)
    }

    @Test("a 1.0 client that sends a heart-beat header gets heart-beats")
    func heartBeatsHonouredForVersion1_0() {
        var machine = Machine()
        let actions = machine.connect(acceptVersion: nil, heartBeat: "10000,10000")
        #expect(actions.last == .connected(.v1_0, NegotiatedHeartBeat(sendInterval: 10_000, receiveInterval: 10_000)))
    }
}

@Suite("ServerConnectionStateMachine: the connect deadline")
struct ServerConnectDeadlineTests {
    static func machine(timeout: UInt64?, startedAt: UInt64 = 500) -> Machine {
        Machine(
            configuration: .init(
                sessionID: "s", heartBeat: HeartBeat(sendEvery: 0, expectEvery: 0), connectTimeout: timeout),
            now: startedAt)
    }

    @Test("a client that never sends CONNECT is closed at the deadline, not before")
    func silentClientIsClosed() {
        var machine = Self.machine(timeout: 1_000)
        #expect(machine.nextDeadline == 1_500)
        #expect(machine.timerFired(now: 1_499).isEmpty)
        // Bytes that are not a frame yet (half a CONNECT) do not move the deadline.
        #expect(machine.bytesReceived(Array("CONN".utf8), now: 1_200).isEmpty)
        #expect(machine.timerFired(now: 1_500) == [.close(.connectTimeout)])
        #expect(machine.isClosed)
        #expect(machine.timerFired(now: 2_000).isEmpty)
    }

    @Test("CONNECT in time ends the deadline")
    func connectInTime() {
        var machine = Self.machine(timeout: 1_000)
        _ = machine.connect(heartBeat: "0,0", now: 1_499)
        #expect(machine.isConnected)
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: 10_000).isEmpty)
    }

    @Test("no connect deadline unless configured")
    func noTimeout() {
        var machine = Self.machine(timeout: nil)
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: 1_000_000).isEmpty)
    }
}
