import ArgumentParser
import STOMP
import Testing

@testable import LobbyBench

@Suite("Command-line arguments")
struct ArgumentTests {
    @Test("connect: defaults and overrides")
    func connectDefaults() throws {
        let command = try ConnectCommand.parse(["--url", "http://127.0.0.1:8080/connection"])
        #expect(command.sessions == 10_000)
        #expect(command.idleSeconds == 3)
        #expect(command.subscriptions.isEmpty)
        #expect(command.peer.peer == "lobby")
        #expect(command.peer.concurrency == 128)

        let custom = try ConnectCommand.parse([
            "--url", "ws://127.0.0.1:15674/ws", "--sessions", "50", "--subscribe", "/topic/a", "--subscribe",
            "/topic/b",
            "--server-pid", "42",
        ])
        #expect(custom.sessions == 50)
        #expect(custom.subscriptions == ["/topic/a", "/topic/b"])
        #expect(custom.peer.serverPID == 42)
    }

    @Test("connect --real-clients: the storm's deadline, and no custom subscriptions")
    func realClients() throws {
        let command = try ConnectCommand.parse([
            "--url", "http://127.0.0.1:8080/connection", "--real-clients", "--sessions", "300", "--deadline", "60",
        ])
        #expect(command.realClients)
        #expect(command.sessions == 300)
        #expect(command.deadline == 60)
        #expect(try ConnectCommand.parse(["--url", "http://127.0.0.1:8080/connection"]).deadline == 300)
        #expect(throws: (any Error).self) {
            try ConnectCommand.parse(["--url", "http://127.0.0.1:1/c", "--real-clients", "--subscribe", "/topic/x"])
        }
        #expect(throws: (any Error).self) {
            try ConnectCommand.parse(["--url", "http://127.0.0.1:1/c", "--real-clients", "--deadline", "0"])
        }
    }

    @Test("fanout: receipts and a deadline for the pipelined burst")
    func fanoutBurst() throws {
        let burst = try FanoutCommand.parse([
            "--url", "http://127.0.0.1:1/connection", "--messages", "10000", "--receipts", "--deadline", "600",
        ])
        #expect(burst.mode == .burst)
        #expect(burst.messages == 10_000)
        #expect(burst.receipts)
        #expect(burst.deadline == 600)
        let plain = try FanoutCommand.parse(["--url", "http://127.0.0.1:1/connection"])
        #expect(!plain.receipts)
        #expect(plain.deadline == 0)
        #expect(throws: (any Error).self) {
            try FanoutCommand.parse(["--url", "http://127.0.0.1:1/connection", "--deadline", "-1"])
        }
    }

    @Test("fanout: mode, sizes, and their validation")
    func fanout() throws {
        let paced = try FanoutCommand.parse([
            "--url", "http://127.0.0.1:1/connection", "--mode", "paced", "--rate", "20", "--duration", "3",
            "--subscribers", "10",
        ])
        #expect(paced.mode == .paced)
        #expect(paced.rate == 20)
        #expect(paced.subscribers == 10)
        #expect(throws: (any Error).self) {
            try FanoutCommand.parse(["--url", "http://127.0.0.1:1/connection", "--mode", "sideways"])
        }
        #expect(throws: (any Error).self) {
            try FanoutCommand.parse(["--url", "http://127.0.0.1:1/connection", "--subscribers", "0"])
        }
    }

    @Test("leave, storm and frozen options")
    func otherScenarios() throws {
        let leave = try LeaveCommand.parse(["--url", "http://h:1/c", "--kill", "sigkill", "--victims", "7"])
        #expect(leave.kill == .sigkill)
        #expect(leave.victims == 7)
        let storm = try StormCommand.parse(["--url", "http://h:1/c", "--sessions", "12000", "--children", "2"])
        #expect(storm.sessions == 12_000)
        #expect(storm.children == 2)
        let frozen = try FrozenCommand.parse(["--url", "http://h:1/c", "--heartbeat-ms", "500"])
        #expect(frozen.heartbeatMs == 500)
        #expect(frozen.sessions == 20)
    }

    @Test("a bad URL or heart-beat is refused before anything connects")
    func validation() {
        #expect(throws: (any Error).self) { try ConnectCommand.parse(["--url", "127.0.0.1:8080"]) }
        #expect(throws: (any Error).self) { try ConnectCommand.parse(["--url", "ftp://127.0.0.1/x"]) }
        #expect(throws: (any Error).self) {
            try ConnectCommand.parse(["--url", "http://127.0.0.1:1/c", "--heart-beat", "fast"])
        }
        #expect(throws: (any Error).self) {
            try ConnectCommand.parse(["--url", "http://127.0.0.1:1/c", "--source-ips", "0"])
        }
    }

    @Test("empty destinations mean the peer lacks that feature")
    func rabbitSetup() throws {
        let command = try ConnectCommand.parse([
            "--url", "ws://127.0.0.1:15674/ws", "--peer", "rabbitmq", "--login", "guest", "--passcode", "guest",
            "--identity-destination", "", "--presence-topic", "", "--reply-destination", "",
            "--chat-destination", "/topic/bench", "--chat-topic", "/topic/bench", "--source-ips", "3",
        ])
        let setup = try command.peer.setup()
        #expect(setup.identityDestination == nil)
        #expect(setup.presenceTopic == nil)
        #expect(setup.replyDestination == nil)
        #expect(setup.chatTopic == "/topic/bench")
        #expect(setup.client.login == "guest")
        #expect(setup.client.endpoint.path == "/ws")
        #expect(setup.sourceAddresses == ["127.0.0.1", "127.0.0.2", "127.0.0.3"])
        #expect(!setup.targetsApply)
        #expect(setup.options(subscriptions: ["/x"], index: 4).sourceAddress == "127.0.0.2")
    }

    @Test("a hold child gets back the options that reach the same peer")
    func childArgumentsRoundTrip() throws {
        let parent = try StormCommand.parse([
            "--url", "http://127.0.0.1:9/connection", "--sockjs", "--login", "u", "--passcode", "p",
            "--presence-topic", "", "--heart-beat", "1000,1000",
        ])
        let child = try HoldCommand.parse(parent.peer.childArguments + ["--sessions", "3", "--name-prefix", "x-"])
        let parentSetup = try parent.peer.setup()
        let childSetup = try child.peer.setup()
        #expect(child.sessions == 3)
        #expect(child.namePrefix == "x-")
        #expect(child.peer.threads == 1)
        #expect(childSetup.client.endpoint == parentSetup.client.endpoint)
        #expect(childSetup.client.heartBeat == HeartBeat(sendEvery: 1000, expectEvery: 1000))
        #expect(childSetup.client.login == "u")
        #expect(childSetup.presenceTopic == nil)
        #expect(childSetup.identityDestination == "/app/identity")
    }

    @Test("the hold child's ready line")
    func holdReport() {
        #expect(
            HoldChild.parseReport("ready 3 1 40001,40002,40003")
                == HoldChild.Report(ready: 3, failed: 1, ports: [40001, 40002, 40003]))
        #expect(HoldChild.parseReport("ready 0 2") == HoldChild.Report(ready: 0, failed: 2, ports: []))
        #expect(HoldChild.parseReport("hello") == nil)
        #expect(HoldChild.parseReport("ready x 0") == nil)
    }
}
