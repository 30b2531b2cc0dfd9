import Foundation
import LobbyCore
import LobbyStore
import Logging
import Synchronization
import Testing

@testable import LobbyServer

/// A shared room whose log holds one message; each read takes a while, so wake-ups overlap.
private final class SlowRoom: SharedRoom {
    let nodeID = "test"
    let reads = Mutex<[Int64]>([])

    func joinCluster(at time: Timestamp, leftoversReason: LeaveReason) async throws -> Int { 0 }
    func advertiseAdmin(url: String, token: String) async throws {}
    func renewLease(readThrough sequence: Int64) async throws -> Bool { true }
    func reapLostNodes(at time: Timestamp) async throws -> Int { 0 }
    func snapshot(historyLimit: Int) async throws -> RoomSnapshot {
        RoomSnapshot(sequence: 0, sessions: [], history: [])
    }
    func entries(after sequence: Int64, limit: Int) async throws -> [RoomLogEntry] {
        reads.withLock { $0.append(sequence) }
        try await Task.sleep(for: .milliseconds(50))
        guard sequence < 1 else { return [] }
        let message = ChatMessage(id: 1, user: "alice", text: "once", at: Timestamp(millisecondsSince1970: 1))
        return [RoomLogEntry(sequence: 1, change: .message(message))]
    }
    func changes() -> AsyncStream<Void> { AsyncStream { $0.finish() } }
}

@Suite struct RoomLogFollowerTests {
    @Test func overlappingWakeUpsHandEachEntryOverOnce() async {
        let writer = StoreWriter(store: InMemoryStore())
        let lobby = Lobby(
            writer: writer, history: [], historyLimit: 10, logger: Logger(label: "test"), gatherMilliseconds: 0,
            order: .sharedLog)
        let bob = RecordingSession("bob-1")
        #expect(lobby.open(bob, transport: "websocket", remoteAddress: nil))
        lobby.broker.subscribe(bob, id: "chat", to: Destination.chatTopic, version: .v1_2)
        let room = SlowRoom()
        let follower = RoomLogFollower(room: room, lobby: lobby, after: 0, logger: Logger(label: "test"))

        // A notification and the periodic read arrive together.
        async let first: Void = follower.catchUp()
        async let second: Void = follower.catchUp()
        _ = await (first, second)

        #expect(bob.messages(on: Destination.chatTopic).compactMap { $0["text"] as? String } == ["once"])
        // One read from 0; the overlapping wake-up made it read once more, from where it was.
        #expect(room.reads.withLock { $0 } == [0, 1])
        writer.finish()
    }
}
