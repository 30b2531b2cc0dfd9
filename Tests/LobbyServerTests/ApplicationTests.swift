import Foundation
import LobbyClient
import LobbyCore
import LobbyServer
import LobbyStore
import Logging
import ServiceLifecycle
import Testing

/// The whole server in process — `buildApplication` on port 0 with a real SQLite file — and the
/// terminal client's network layer (`LobbyConnection`) over real sockets on 127.0.0.1.
@Suite struct ApplicationTests {
    @Test func twoClientsChatAndLeavesAreStoredWithTheirReasons() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lobby-app-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ServerConfiguration()
        configuration.port = 0
        let databasePath = directory.appendingPathComponent("lobby.sqlite").path
        configuration.adminAccessName = databasePath
        var logger = Logger(label: "application-test")
        logger.logLevel = .warning
        let application = try await buildApplication(
            configuration: configuration, store: try SQLiteStore(path: databasePath), logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: application)], gracefulShutdownSignals: [], logger: logger))
        let server = Task { try await group.run() }
        let url = "http://127.0.0.1:\(application.port)/connection"

        let alice = RecordedConnection(url: url, name: "alice")
        let aliceSession = try await alice.waitFor { event -> String? in
            if case .connected("alice", let session) = event { return session }
            return nil
        }
        let bob = RecordedConnection(url: url, name: "bob")
        let bobSession = try await bob.waitFor { event -> String? in
            if case .connected("bob", let session) = event { return session }
            return nil
        }
        try await alice.waitFor { event -> Bool? in
            if case .session(.presence(let presence)) = event, presence.type == .join, presence.user == "bob" {
                return true
            }
            return nil
        }

        bob.connection.send(chat: "안녕하세요 👩‍👩‍👧")
        let message = try await alice.waitFor { event -> ChatMessage? in
            if case .session(.message(let message)) = event { return message }
            return nil
        }
        #expect(message.user == "bob" && message.text == "안녕하세요 👩‍👩‍👧")

        bob.connection.quit()
        let leave = try await alice.waitFor { event -> PresenceEvent? in
            if case .session(.presence(let presence)) = event, presence.type == .leave { return presence }
            return nil
        }
        #expect(leave.user == "bob" && leave.reason == .quit && leave.sessions == 0)

        await group.triggerGracefulShutdown()
        try await server.value
        alice.connection.quit()

        let store = try SQLiteStore(path: databasePath)
        let rows = try await store.sessions(includeEnded: true, limit: 10)
        #expect(rows.first { $0.id == bobSession }?.reason == .quit)
        #expect(rows.first { $0.id == aliceSession }?.reason == .shutdown)
        #expect(rows.allSatisfy { !$0.isOpen })
        #expect(try await store.recentMessages(limit: 5).map(\.text) == ["안녕하세요 👩‍👩‍👧"])
        #expect(!FileManager.default.fileExists(atPath: AdminAccess.path(forDatabase: databasePath)))
    }
}

/// A `LobbyConnection` whose events can be awaited, with a deadline.
final class RecordedConnection: Sendable {
    let connection: LobbyConnection
    /// One consumer at a time (the waits are sequential); a wait that times out ends the stream.
    private let events: AsyncStream<ConnectionEvent>

    init(url: String, name: String) {
        let (events, continuation) = AsyncStream.makeStream(of: ConnectionEvent.self)
        self.events = events
        self.connection = LobbyConnection(configuration: .init(serverURL: url, displayName: name)) { event in
            continuation.yield(event)
        }
        connection.start()
    }

    struct TimedOut: Error {}

    /// The first later event for which `match` returns a value; fails after `seconds`.
    @discardableResult
    func waitFor<Value: Sendable>(
        seconds: Double = 10, _ match: @escaping @Sendable (ConnectionEvent) -> Value?
    ) async throws -> Value {
        let events = self.events
        return try await withThrowingTaskGroup(of: Value.self) { group in
            group.addTask {
                for await event in events {
                    if let value = match(event) { return value }
                }
                throw TimedOut()
            }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw TimedOut()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
