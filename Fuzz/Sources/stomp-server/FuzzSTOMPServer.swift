import FuzzSupport
import STOMP

// The server side of a STOMP connection, ServerConnectionStateMachine, fed a fuzzed byte stream
// in fuzzed chunks with a fuzzed clock, timers fired in between.
//
// Input: configuration bytes (versions, limits and start time, heart-beat offer, connect timeout,
// chunking seed, clock steering), then the stream; before each chunk the clock moves and the timer
// may fire. Checked: nothing happens after `close`, which ends its batch of actions; `connected`
// comes once, before any `deliver`; only application frames are delivered; every `ERROR` is
// followed by the close that carries its message; every frame the server sends parses back as
// one frame in the negotiated version; a timer fired at `nextDeadline` always acts.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTOMPServer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mask = Int(input.byte())
    let versions = Version.allCases.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element)
    let heartBeat = HeartBeat(sendEvery: Int(input.byte()) * 100, expectEvery: Int(input.byte()) * 100)
    let timeoutByte = input.byte()
    let start: UInt64 = mask & 0x80 != 0 ? UInt64.max - 100_000 : 1_000
    let configuration = ServerConnectionStateMachine.Configuration(
        sessionID: "session-1", heartBeat: heartBeat,
        limits: mask & 0x40 != 0 ? Limits(maxFrameSize: 256, maxHeaderCount: 4, maxHeaderLineLength: 64) : .default,
        supportedVersions: versions.isEmpty ? Version.allCases : versions,
        connectTimeout: timeoutByte == 0 ? nil : UInt64(timeoutByte) * 50)
    let seed = input.byte()
    let clock = Int(input.byte())
    var checker = Checker(machine: ServerConnectionStateMachine(configuration: configuration, now: start), now: start)
    for (index, chunk) in chunked(input.rest(), seed: seed | 1).enumerated() {
        // Before each chunk the clock moves, and the timer may fire, as the clock byte steers.
        let steer = UInt8(truncatingIfNeeded: clock &* 31 &+ index &* 17 &+ chunk.count)
        checker.advance(by: UInt64(steer & 0x3F) * 97)
        if steer & 0x40 != 0 {
            checker.fireTimer()
        }
        if steer & 0x80 != 0 {
            checker.fireAtDeadline()
        }
        checker.receive(chunk)
    }
    checker.fireAtDeadline()
    checker.machine.connectionClosed()
    require(checker.machine.isClosed && !checker.machine.isConnected, "connectionClosed left the machine open")
    return 0
}

private struct Checker {
    var machine: ServerConnectionStateMachine
    var now: UInt64
    var closed = false
    var connected = false

    mutating func advance(by milliseconds: UInt64) {
        let (sum, overflow) = now.addingReportingOverflow(milliseconds)
        now = overflow ? .max : sum
    }

    mutating func receive(_ bytes: ArraySlice<UInt8>) {
        check(machine.bytesReceived(bytes, now: now))
    }

    mutating func fireTimer() {
        check(machine.timerFired(now: now))
    }

    /// At its own deadline the machine must do something: time out, or send a heart-beat.
    mutating func fireAtDeadline() {
        guard let deadline = machine.nextDeadline else { return }
        require(!closed, "a closed machine has a deadline")
        now = max(now, deadline)
        let actions = machine.timerFired(now: now)
        require(!actions.isEmpty, "nothing happened at the deadline \(deadline)")
        check(actions)
    }

    private mutating func check(_ actions: [ServerConnectionStateMachine.Action]) {
        if closed {
            require(actions.isEmpty, "actions after close: \(actions)")
            return
        }
        for (index, action) in actions.enumerated() {
            require(!closed, "an action after close in one batch: \(actions)")
            switch action {
            case .send(let frame):
                require([.connected, .receipt, .error].contains(frame.command), "the server sent \(frame.command)")
                checkParsesBack(frame)
                if frame.command == .error {
                    let next = actions.dropFirst(index + 1).first
                    require(next == .close(.protocolError(frame.headers["message"] ?? "")), "ERROR not then closed")
                }
            case .sendHeartBeat:
                require(connected, "a heart-beat before CONNECTED")
            case .connected(let version, _):
                require(!connected, "connected twice")
                require(machine.configuration.supportedVersions.contains(version), "negotiated \(version)")
                require(version == machine.version, "negotiated \(version), encoding with \(machine.version)")
                connected = true
            case .deliver(let frame):
                require(connected, "a frame delivered before CONNECTED")
                require(frame.command.isClientCommand && !frame.command.isConnect, "delivered \(frame.command)")
                require(frame.command != .disconnect, "delivered DISCONNECT")
            case .close:
                closed = true
            }
        }
        require(machine.isClosed == closed, "isClosed \(machine.isClosed) after \(actions)")
        require(machine.isConnected == (connected && !closed), "isConnected \(machine.isConnected) after \(actions)")
    }

    /// What the server writes, the client's parser reads back as that frame, whole.
    private func checkParsesBack(_ frame: Frame) {
        let version = machine.version
        var parser = FrameParser(limits: Limits(maxFrameSize: 1 << 24, maxBodySize: 1 << 24), version: version)
        parser.append(FrameEncoder.encode(frame, version: version))
        do {
            guard case .frame(let parsed) = try parser.next() else {
                return require(false, "a sent \(frame.command) did not parse back")
            }
            require(try parser.next() == nil && parser.bufferedByteCount == 0, "a sent frame left bytes")
            require(parsed.command == frame.command && parsed.body == frame.body, "a sent frame changed")
            let before = frame.headers.filter { $0.name != "content-length" }.map(\.name)
            let after = parsed.headers.filter { $0.name != "content-length" }.map(\.name)
            require(before.count == after.count, "a sent frame's headers \(before) came back as \(after)")
        } catch {
            require(false, "a sent \(frame.command) failed to parse: \(error)")
        }
    }
}
