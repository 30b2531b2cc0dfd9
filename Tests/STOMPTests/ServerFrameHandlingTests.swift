import STOMP
import Testing

@Suite("ServerConnectionStateMachine: frames after CONNECT")
struct ServerFrameHandlingTests {
    @Test(
        "frames with the headers their command requires are delivered",
        arguments: [
            (Version.v1_2, "SEND\ndestination:/app/chat\n\nhello\0"),
            (.v1_2, "SUBSCRIBE\nid:sub-0\ndestination:/topic/chat\n\n\0"),
            (.v1_0, "SUBSCRIBE\ndestination:/topic/chat\n\n\0"),
            (.v1_2, "UNSUBSCRIBE\nid:sub-0\n\n\0"),
            (.v1_0, "UNSUBSCRIBE\ndestination:/topic/chat\n\n\0"),
            (.v1_0, "UNSUBSCRIBE\nid:sub-0\n\n\0"),
            (.v1_2, "ACK\nid:m1\n\n\0"),
            (.v1_1, "NACK\nmessage-id:m1\nsubscription:sub-0\n\n\0"),
            (.v1_0, "ACK\nmessage-id:m1\n\n\0"),
            (.v1_2, "BEGIN\ntransaction:tx1\n\n\0"),
            (.v1_2, "COMMIT\ntransaction:tx1\n\n\0"),
            (.v1_2, "ABORT\ntransaction:tx1\n\n\0"),
        ])
    func delivered(version: Version, wire: String) throws {
        var machine = Machine()
        machine.connect(acceptVersion: version.rawValue)
        let expected = try parseFrames(wire, version: version)
        #expect(machine.receive(wire) == expected.map { .deliver($0) })
        #expect(machine.isConnected)
    }

    @Test(
        "a missing required header is an ERROR naming it, then close",
        arguments: [
            (Version.v1_2, "SEND\n\nhello\0", "SEND frame has no destination header"),
            (.v1_2, "SEND\ndestination:\n\n\0", "SEND frame has no destination header"),
            (.v1_2, "SUBSCRIBE\ndestination:/topic/chat\n\n\0", "SUBSCRIBE frame has no id header"),
            (.v1_1, "SUBSCRIBE\nid:1\n\n\0", "SUBSCRIBE frame has no destination header"),
            (.v1_2, "UNSUBSCRIBE\ndestination:/topic/chat\n\n\0", "UNSUBSCRIBE frame has no id header"),
            (.v1_0, "UNSUBSCRIBE\n\n\0", "UNSUBSCRIBE frame has no id or destination header"),
            (.v1_2, "ACK\nmessage-id:1\n\n\0", "ACK frame has no id header"),
            (.v1_1, "ACK\nmessage-id:1\n\n\0", "ACK frame has no subscription header"),
            (.v1_2, "BEGIN\n\n\0", "BEGIN frame has no transaction header"),
        ])
    func missingHeader(version: Version, wire: String, message: String) {
        var machine = Machine()
        machine.connect(acceptVersion: version.rawValue)
        let actions = machine.receive(wire)
        #expect(protocolErrorMessage(actions) == message)
        #expect(machine.isClosed)
    }

    @Test("the ERROR for a bad frame echoes its receipt as receipt-id")
    func errorEchoesReceipt() {
        var machine = Machine()
        machine.connect()
        let actions = machine.receive("SEND\nreceipt:message-12345\n\n\0")
        guard case .send(let error) = actions.first else {
            Issue.record("expected an ERROR, got \(actions)")
            return
        }
        #expect(error.headers["receipt-id"] == "message-12345")
    }

    @Test("DISCONNECT with a receipt: RECEIPT, then close; later input is ignored")
    func disconnectWithReceipt() {
        var machine = Machine()
        machine.connect()
        let actions = machine.receive("DISCONNECT\nreceipt:77\n\n\0SEND\ndestination:/a\n\n\0")
        #expect(actions == [.send(.receipt(id: "77")), .close(.disconnected)])
        #expect(machine.isClosed && !machine.isConnected)
        #expect(machine.receive("SEND\ndestination:/a\n\n\0").isEmpty)
        #expect(machine.timerFired(now: 1_000_000).isEmpty)
        #expect(machine.nextDeadline == nil)
    }

    @Test("DISCONNECT without a receipt just closes")
    func disconnectWithoutReceipt() {
        var machine = Machine()
        machine.connect()
        #expect(machine.receive("DISCONNECT\n\n\0") == [.close(.disconnected)])
    }

    @Test("a parse error after CONNECT is an ERROR with the parser's message, then close")
    func parseErrorAfterConnect() {
        var machine = Machine(limits: Limits(maxBodySize: 4))
        machine.connect()
        let actions = machine.receive("SEND\ndestination:/a\n\nhello\0")
        guard case .send(let error) = actions.first else {
            Issue.record("expected an ERROR, got \(actions)")
            return
        }
        #expect(error.headers["message"] == "body exceeds 4 bytes")
        #expect(error.bodyText == "body exceeds 4 bytes")
        #expect(actions.last == .close(.protocolError("body exceeds 4 bytes")))
        #expect(machine.receive("\n").isEmpty)
    }

    @Test("a parse error before CONNECT is refused the same way", arguments: ["HELLO\n\n\0", "GET / HTTP/1.1\r\n\r\n"])
    func parseErrorBeforeConnect(wire: String) {
        var machine = Machine()
        let actions = machine.receive(wire)
        #expect(protocolErrorMessage(actions) == "unknown command")
    }

    @Test(
        "server commands from a client are protocol errors", arguments: [Command.connected, .message, .receipt, .error])
    func serverCommandFromClient(command: Command) {
        var machine = Machine()
        machine.connect()
        let actions = machine.bytesReceived(FrameEncoder.encode(Frame(command), version: .v1_2), now: 0)
        #expect(protocolErrorMessage(actions) == "\(command.rawValue) is a server command")
    }

    @Test(
        "headers are unescaped per the negotiated version",
        arguments: [(Version.v1_0, #"/a\cb"#), (.v1_1, "/a:b"), (.v1_2, "/a:b")])
    func unescapingFollowsVersion(version: Version, destination: String) {
        var machine = Machine()
        machine.connect(acceptVersion: version.rawValue)
        let actions = machine.receive("SEND\ndestination:/a\\cb\n\n\0")
        #expect(actions == [.deliver(Frame(.send, headers: ["destination": destination]))])
    }

    @Test("the configured limits apply to client frames")
    func configuredLimits() {
        var machine = Machine(limits: Limits(maxHeaderCount: 1))
        machine.connect(heartBeat: nil)
        #expect(
            protocolErrorMessage(machine.receive("SEND\ndestination:/a\nx:y\n\n\0")) == "frame has more than 1 headers")
    }

    @Test("after the transport closes, nothing more happens")
    func connectionClosed() {
        var machine = Machine()
        machine.connect(heartBeat: "1000,1000")
        machine.connectionClosed()
        #expect(machine.isClosed)
        #expect(machine.receive("SEND\ndestination:/a\n\n\0").isEmpty)
        #expect(machine.timerFired(now: 1_000_000).isEmpty)
        #expect(machine.nextDeadline == nil)
    }
}
