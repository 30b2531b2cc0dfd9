import STOMP
import Testing

typealias Machine = ServerConnectionStateMachine

extension ServerConnectionStateMachine {
    init(
        heartBeat: HeartBeat = HeartBeat(sendEvery: 10_000, expectEvery: 10_000),
        limits: Limits = .default,
        supportedVersions: [Version] = Version.allCases,
        now: UInt64 = 0
    ) {
        self.init(
            configuration: Configuration(
                sessionID: "abc123", serverName: "lobby/0.1.0", heartBeat: heartBeat, limits: limits,
                supportedVersions: supportedVersions),
            now: now)
    }

    mutating func receive(_ text: String, now: UInt64 = 0) -> [Action] {
        bytesReceived(bytes(text), now: now)
    }

    /// Connects with `CONNECT` offering these versions and heart-beats.
    @discardableResult
    mutating func connect(acceptVersion: String? = "1.2", heartBeat: String? = "0,0", now: UInt64 = 0) -> [Action] {
        var headers = Headers()
        if let acceptVersion { headers.append("accept-version", acceptVersion) }
        if let heartBeat { headers.append("heart-beat", heartBeat) }
        return bytesReceived(FrameEncoder.encode(Frame(.connect, headers: headers), version: .v1_2), now: now)
    }
}

func connectedFrame(version: Version, heartBeat: String) -> Frame {
    Frame(
        .connected,
        headers: ["version": version.rawValue, "heart-beat": heartBeat, "session": "abc123", "server": "lobby/0.1.0"])
}

/// The `message` of the protocol error that closed the connection, if that is how `actions` end.
func protocolErrorMessage(_ actions: [Machine.Action]) -> String? {
    guard case .close(.protocolError(let message)) = actions.last else { return nil }
    return message
}

@Suite("ServerConnectionStateMachine: connecting")
struct ServerConnectTests {
    @Test("CONNECT answers CONNECTED with version, heart-beat, session and server, then reports the connection")
    func connectFlow() {
        var machine = Machine()
        #expect(!machine.isConnected)
        let actions = machine.connect(acceptVersion: "1.0,1.1,1.2", heartBeat: "5000,20000")
        #expect(
            actions == [
                .send(connectedFrame(version: .v1_2, heartBeat: "10000,10000")),
                .connected(.v1_2, NegotiatedHeartBeat(sendInterval: 20_000, receiveInterval: 10_000)),
            ])
        #expect(machine.isConnected)
        #expect(machine.version == .v1_2)
        #expect(machine.heartBeat == NegotiatedHeartBeat(sendInterval: 20_000, receiveInterval: 10_000))
    }

    @Test("STOMP is accepted like CONNECT")
    func stompCommand() {
        var machine = Machine()
        let actions = machine.bytesReceived(
            FrameEncoder.encode(Frame(.stomp, headers: ["accept-version": "1.2", "host": "x"]), version: .v1_2), now: 0)
        #expect(actions.last == .connected(.v1_2, .off))
    }

    @Test(
        "the version is negotiated from accept-version",
        arguments: [(nil, Version.v1_0), ("1.0", .v1_0), ("1.1", .v1_1), ("1.1,1.2", .v1_2)] as [(String?, Version)])
    func versionNegotiated(acceptVersion: String?, expected: Version) {
        var machine = Machine()
        let actions = machine.connect(acceptVersion: acceptVersion)
        #expect(actions.first == .send(connectedFrame(version: expected, heartBeat: "0,0")))
        #expect(machine.version == expected)
    }

    @Test(
        "CONNECTED's heart-beat header is the server's offer, zeroed where the client opted out",
        arguments: [
            (nil, "0,0"), ("0,0", "0,0"), ("1000,0", "0,10000"), ("0,1000", "10000,0"), ("1,1", "10000,10000"),
        ] as [(String?, String)])
    func connectedHeartBeatHeader(clientHeader: String?, expected: String) {
        var machine = Machine()
        let actions = machine.connect(heartBeat: clientHeader)
        #expect(actions.first == .send(connectedFrame(version: .v1_2, heartBeat: expected)))
    }

    @Test("no common version: ERROR with the supported versions, then close")
    func noCommonVersion() throws {
        var machine = Machine(supportedVersions: [.v1_1, .v1_2])
        let actions = machine.connect(acceptVersion: "1.0")
        guard case .send(let error) = actions.first else {
            Issue.record("expected an ERROR frame, got \(actions)")
            return
        }
        #expect(error.command == .error)
        #expect(error.headers["version"] == "1.1,1.2")
        #expect(error.headers["message"] == "Supported protocol versions are 1.1 1.2")
        #expect(protocolErrorMessage(actions) == "Supported protocol versions are 1.1 1.2")
        #expect(!machine.isConnected && machine.isClosed)
    }

    @Test("a malformed heart-beat header on CONNECT is a protocol error")
    func malformedHeartBeat() {
        var machine = Machine()
        let actions = machine.connect(heartBeat: "fast")
        #expect(actions.count == 2)
        #expect(protocolErrorMessage(actions) != nil)
    }

    @Test(
        "any frame before CONNECT is refused with a not-connected ERROR",
        arguments: [Command.send, .subscribe, .disconnect, .message])
    func frameBeforeConnect(command: Command) {
        var machine = Machine()
        let frame = Frame(command, headers: ["destination": "/app/chat", "id": "1", "receipt": "r1"])
        let actions = machine.bytesReceived(FrameEncoder.encode(frame, version: .v1_2), now: 0)
        guard actions.count == 2, case .send(let error) = actions[0] else {
            Issue.record("expected ERROR then close, got \(actions)")
            return
        }
        #expect(error.headers["message"]?.contains("not connected") == true)
        #expect(error.headers["receipt-id"] == "r1")
        #expect(protocolErrorMessage(actions) == error.headers["message"])
        #expect(machine.receive("CONNECT\naccept-version:1.2\n\n\0").isEmpty)
    }

    @Test("a second CONNECT is a protocol error")
    func secondConnect() {
        var machine = Machine()
        machine.connect()
        let actions = machine.connect()
        #expect(protocolErrorMessage(actions) == "already connected")
        #expect(!machine.isConnected)
    }

    @Test("heart-beat EOLs before CONNECT produce nothing")
    func heartBeatsBeforeConnect() {
        var machine = Machine()
        #expect(machine.receive("\n\r\n\n").isEmpty)
        #expect(machine.connect().count == 2)
    }

    @Test("frames split across bytesReceived calls, one byte at a time, are handled once")
    func splitAcrossCalls() {
        var machine = Machine()
        let stream = bytes("CONNECT\naccept-version:1.2\n\n\0SEND\ndestination:/app/chat\n\nhi\0")
        var actions: [Machine.Action] = []
        for byte in stream {
            actions += machine.bytesReceived([byte], now: 0)
        }
        #expect(actions.count == 3)
        #expect(actions.last == .deliver(Frame(.send, headers: ["destination": "/app/chat"], text: "hi")))
    }

    @Test("CONNECT and the following frames in one chunk are all handled")
    func connectAndSendInOneChunk() {
        var machine = Machine()
        let actions = machine.receive("CONNECT\naccept-version:1.2\n\n\0SUBSCRIBE\nid:0\ndestination:/topic/chat\n\n\0")
        #expect(actions.count == 3)
        #expect(actions.last == .deliver(Frame(.subscribe, headers: ["id": "0", "destination": "/topic/chat"])))
    }
}
