import Foundation
import LobbyCore
import LobbyStore
import Logging
import STOMP
import Synchronization
import Testing

@testable import LobbyServer

/// The coordinator's rules, with recording sessions and a real store behind a real, running
/// writer: announcements come from the writer's completions, after the store has the change.
@Suite final class LobbyTests {
    let store = CommitTrackingStore()
    let writer: StoreWriter
    let lobby: Lobby

    init() {
        writer = StoreWriter(store: store)
        // No gathering window: each transaction's announcements are out when `settle()` returns.
        lobby = Lobby(
            writer: writer, history: [], historyLimit: 3, logger: Logger(label: "test"), gatherMilliseconds: 0)
        let writer = self.writer
        Task { await writer.run() }
    }

    deinit {
        writer.finish()
    }

    /// Waits until everything queued so far is stored and announced.
    func settle() async {
        await writer.flush()
    }

    /// Opens a session subscribed to the three destinations.
    func connect(_ id: SessionID) -> RecordingSession {
        let session = RecordingSession(id)
        #expect(lobby.open(session, transport: "websocket", remoteAddress: nil))
        for destination in [Destination.chatTopic, Destination.presenceTopic, Destination.reply] {
            lobby.broker.subscribe(session, id: destination, to: destination, version: .v1_2)
        }
        return session
    }

    func identify(_ session: RecordingSession, as name: String, claiming claimed: String? = nil) async {
        let body = try! JSONEncoder().encode(
            IdentityRequest(sessionId: claimed ?? session.id.rawValue, clientData: name))
        // The identity is answered asynchronously (the store is asked first): wait for its answer.
        await withCheckedContinuation { (answered: CheckedContinuation<Void, Never>) in
            lobby.identify(session, body: Array(body), processed: { answered.resume() })
        }
        await settle()
    }

    @Test func identityIsAnsweredWithWelcomeAndOthersSeeTheJoin() async {
        let alice = connect("alice-1")
        await identify(alice, as: "alice")
        let bob = connect("bob-1")
        await identify(bob, as: "bob")

        let welcome = bob.messages(on: Destination.reply).first
        #expect(welcome?["type"] as? String == "welcome")
        #expect(welcome?["sessionId"] as? String == "bob-1")
        let members = (welcome?["members"] as? [[String: Any]])?.compactMap { $0["user"] as? String }
        #expect(members == ["alice", "bob"])
        let aliceSaw = alice.presenceEvents
        #expect(aliceSaw.count == 1)
        #expect(aliceSaw.first?["type"] as? String == "join")
        #expect(aliceSaw.first?["user"] as? String == "bob")
        // The joiner learns of itself through the welcome, not through a join.
        #expect(bob.presenceEvents.isEmpty)
    }

    @Test func spoofedSessionIDIsRefusedAndChangesNothing() async {
        let alice = connect("alice-1")
        await identify(alice, as: "alice")
        let mallory = connect("mallory-1")
        await identify(mallory, as: "mallory", claiming: "alice-1")

        let reply = mallory.messages(on: Destination.reply).first
        #expect(reply?["type"] as? String == "error")
        #expect(reply?["code"] as? String == ErrorCode.sessionMismatch)
        #expect(alice.presenceEvents.isEmpty)
        #expect(lobby.user(of: "mallory-1") == nil)
        #expect(lobby.user(of: "alice-1")?.rawValue == "alice")
    }

    @Test(arguments: ["", "   ", String(repeating: "x", count: 33), "bad\u{7}name", "evil\u{202E}txt"])
    func invalidNamesGetAPrivateError(_ name: String) async {
        let session = connect("s-1")
        await identify(session, as: name)
        let reply = session.messages(on: Destination.reply).first
        #expect(reply?["code"] as? String == ErrorCode.invalidName)
        #expect(lobby.user(of: "s-1") == nil)
    }

    @Test func malformedIdentityJSONGetsAPrivateError() async {
        let session = connect("s-1")
        lobby.identify(session, body: Array("{not json".utf8))
        #expect(session.messages(on: Destination.reply).first?["code"] as? String == ErrorCode.invalidJSON)
    }

    @Test func sessionEndsExactlyOnceWhateverRaces() async {
        let alice = connect("alice-1")
        await identify(alice, as: "alice")
        let bob = connect("bob-1")
        await identify(bob, as: "bob")

        #expect(lobby.end("bob-1", reason: .closed))
        #expect(!lobby.end("bob-1", reason: .timeout))
        #expect(!lobby.end("bob-1", reason: .quit))
        await settle()

        let leaves = alice.presenceEvents.filter { $0["type"] as? String == "leave" }
        #expect(leaves.count == 1)
        #expect(leaves.first?["reason"] as? String == "closed")
        #expect(leaves.first?["sessions"] as? Int == 0)
    }

    @Test func oneUserTwoSessionsJoinsOnceAndLeavesOnce() async {
        let observer = connect("obs-1")
        await identify(observer, as: "observer")
        let first = connect("bob-1")
        await identify(first, as: "bob")
        let second = connect("bob-2")
        await identify(second, as: "bob")

        lobby.end("bob-1", reason: .closed)
        await settle()
        var presence = observer.presenceEvents
        #expect(presence.map { $0["type"] as? String } == ["join"])

        lobby.end("bob-2", reason: .quit)
        await settle()
        presence = observer.presenceEvents
        #expect(presence.map { $0["type"] as? String } == ["join", "leave"])
        #expect(presence.last?["reason"] as? String == "quit")
    }

    @Test func renameAnnouncesLeaveOfOldNameAndJoinOfNewName() async {
        let observer = connect("obs-1")
        await identify(observer, as: "observer")
        let session = connect("s-1")
        await identify(session, as: "bob")
        await identify(session, as: "robert")

        let presence = observer.presenceEvents
        #expect(presence.map { $0["type"] as? String } == ["join", "leave", "join"])
        #expect(presence[1]["reason"] as? String == "renamed")
        #expect(presence[2]["user"] as? String == "robert")
    }

    @Test func duplicateLiveSessionIDIsRefused() async {
        _ = connect("same")
        #expect(!lobby.open(RecordingSession("same"), transport: "websocket", remoteAddress: nil))
        lobby.end("same", reason: .closed)
        await settle()
        #expect(lobby.open(RecordingSession("same"), transport: "websocket", remoteAddress: nil))
    }

    @Test func chatIsStoredBeforeItIsBroadcastAndKeepsOrder() async throws {
        let store = self.store
        let deliveredUncommitted = Mutex<[Int64]>([])
        let alice = RecordingSession("alice-1") { frame in
            guard frame.headers["destination"] == Destination.chatTopic,
                let message = try? JSONDecoder().decode(ChatMessage.self, from: Data(frame.body))
            else { return }
            if !store.isCommitted(message.id) { deliveredUncommitted.withLock { $0.append(message.id) } }
        }
        #expect(lobby.open(alice, transport: "websocket", remoteAddress: nil))
        lobby.broker.subscribe(alice, id: "chat", to: Destination.chatTopic, version: .v1_2)
        lobby.broker.subscribe(alice, id: "reply", to: Destination.reply, version: .v1_2)
        await identify(alice, as: "alice")
        let processed = Mutex(0)
        for index in 1...5 {
            lobby.chat(alice, body: Array(#"{"text":"  message \#(index) 한국어 👩‍👩‍👧 "}"#.utf8)) {
                processed.withLock { $0 += 1 }
            }
        }
        await settle()
        // Nothing went out before the store had it.
        #expect(deliveredUncommitted.withLock { $0 }.isEmpty)

        let chat = alice.messages(on: Destination.chatTopic)
        #expect(chat.map { $0["text"] as? String } == (1...5).map { "message \($0) 한국어 👩‍👩‍👧" })
        let ids = chat.compactMap { ($0["id"] as? NSNumber)?.int64Value }
        #expect(ids == ids.sorted() && Set(ids).count == 5)
        #expect(processed.withLock { $0 } == 5)
        let stored = try await store.recentMessages(limit: 10)
        #expect(stored.map(\.id) == ids)
    }

    @Test func lateJoinerGetsTheRecentHistoryOnly() async {
        let alice = connect("alice-1")
        await identify(alice, as: "alice")
        for index in 1...5 {
            lobby.chat(alice, body: Array(#"{"text":"m\#(index)"}"#.utf8))
        }
        await settle()
        let bob = connect("bob-1")
        await identify(bob, as: "bob")
        let history = bob.messages(on: Destination.reply).first?["history"] as? [[String: Any]]
        // historyLimit is 3 in these tests.
        #expect(history?.compactMap { $0["text"] as? String } == ["m3", "m4", "m5"])
    }

    @Test func chatBeforeIdentityAndInvalidTextAreRejectedPrivately() async {
        let session = connect("s-1")
        lobby.chat(session, body: Array(#"{"text":"hi"}"#.utf8))
        await identify(session, as: "sam")
        session.reset()
        lobby.chat(session, body: Array(#"{"text":"   "}"#.utf8))
        lobby.chat(session, body: Array(#"{"text":"\#(String(repeating: "a", count: 4001))"}"#.utf8))
        lobby.chat(session, body: Array(#"{"txt":"hi"}"#.utf8))
        let codes = session.messages(on: Destination.reply).compactMap { $0["code"] as? String }
        #expect(codes == [ErrorCode.invalidText, ErrorCode.invalidText, ErrorCode.invalidJSON])
    }

    @Test func shutdownEndsEverySessionWithShutdownAndRefusesNewOnes() async throws {
        let alice = connect("alice-1")
        await identify(alice, as: "alice")
        let bob = connect("bob-1")
        lobby.shutdown()
        #expect(alice.terminatedReasons == [.shutdown])
        #expect(bob.terminatedReasons == [.shutdown])
        #expect(lobby.liveSessionCount == 0)
        #expect(!lobby.open(RecordingSession("late"), transport: "websocket", remoteAddress: nil))
        await settle()
        let rows = try await store.sessions(includeEnded: true, limit: 10)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.reason == .shutdown && $0.endedAt != nil })
    }
}
