import Foundation
import LobbyCore
import LobbyStore
import Logging
import STOMP
import Synchronization
import Testing

@testable import LobbyServer

/// The coordinator's rules, with recording sessions and a real store behind a real writer.
@Suite struct LobbyTests {
    let store = InMemoryStore()
    let writer: StoreWriter
    let lobby: Lobby

    init() {
        writer = StoreWriter(store: store)
        lobby = Lobby(writer: writer, history: [], historyLimit: 3, logger: Logger(label: "test"))
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

    func identify(_ session: RecordingSession, as name: String, claiming claimed: String? = nil) {
        let body = try! JSONEncoder().encode(
            IdentityRequest(sessionId: claimed ?? session.id.rawValue, clientData: name))
        lobby.identify(session, body: Array(body))
    }

    /// Runs the writer until everything queued so far is stored and its completions ran.
    func drain() async {
        let writer = self.writer
        let task = Task { await writer.run() }
        await writer.flush()
        writer.finish()
        await task.value
    }

    @Test func identityIsAnsweredWithWelcomeAndOthersSeeTheJoin() {
        let alice = connect("alice-1")
        identify(alice, as: "alice")
        let bob = connect("bob-1")
        identify(bob, as: "bob")

        let welcome = bob.messages(on: Destination.reply).first
        #expect(welcome?["type"] as? String == "welcome")
        #expect(welcome?["sessionId"] as? String == "bob-1")
        let members = (welcome?["members"] as? [[String: Any]])?.compactMap { $0["user"] as? String }
        #expect(members == ["alice", "bob"])
        let aliceSaw = alice.messages(on: Destination.presenceTopic)
        #expect(aliceSaw.count == 1)
        #expect(aliceSaw.first?["type"] as? String == "join")
        #expect(aliceSaw.first?["user"] as? String == "bob")
        // The joiner learns of itself through the welcome, not through a join.
        #expect(bob.messages(on: Destination.presenceTopic).isEmpty)
    }

    @Test func spoofedSessionIDIsRefusedAndChangesNothing() {
        let alice = connect("alice-1")
        identify(alice, as: "alice")
        let mallory = connect("mallory-1")
        identify(mallory, as: "mallory", claiming: "alice-1")

        let reply = mallory.messages(on: Destination.reply).first
        #expect(reply?["type"] as? String == "error")
        #expect(reply?["code"] as? String == ErrorCode.sessionMismatch)
        #expect(alice.messages(on: Destination.presenceTopic).isEmpty)
        #expect(lobby.user(of: "mallory-1") == nil)
        #expect(lobby.user(of: "alice-1")?.rawValue == "alice")
    }

    @Test(arguments: ["", "   ", String(repeating: "x", count: 33), "bad\u{7}name", "evil\u{202E}txt"])
    func invalidNamesGetAPrivateError(_ name: String) {
        let session = connect("s-1")
        identify(session, as: name)
        let reply = session.messages(on: Destination.reply).first
        #expect(reply?["code"] as? String == ErrorCode.invalidName)
        #expect(lobby.user(of: "s-1") == nil)
    }

    @Test func malformedIdentityJSONGetsAPrivateError() {
        let session = connect("s-1")
        lobby.identify(session, body: Array("{not json".utf8))
        #expect(session.messages(on: Destination.reply).first?["code"] as? String == ErrorCode.invalidJSON)
    }

    @Test func sessionEndsExactlyOnceWhateverRaces() {
        let alice = connect("alice-1")
        identify(alice, as: "alice")
        let bob = connect("bob-1")
        identify(bob, as: "bob")

        #expect(lobby.end("bob-1", reason: .closed))
        #expect(!lobby.end("bob-1", reason: .timeout))
        #expect(!lobby.end("bob-1", reason: .quit))

        let leaves = alice.messages(on: Destination.presenceTopic).filter { $0["type"] as? String == "leave" }
        #expect(leaves.count == 1)
        #expect(leaves.first?["reason"] as? String == "closed")
        #expect(leaves.first?["sessions"] as? Int == 0)
    }

    @Test func oneUserTwoSessionsJoinsOnceAndLeavesOnce() {
        let observer = connect("obs-1")
        identify(observer, as: "observer")
        let first = connect("bob-1")
        identify(first, as: "bob")
        let second = connect("bob-2")
        identify(second, as: "bob")

        lobby.end("bob-1", reason: .closed)
        var presence = observer.messages(on: Destination.presenceTopic)
        #expect(presence.map { $0["type"] as? String } == ["join"])

        lobby.end("bob-2", reason: .quit)
        presence = observer.messages(on: Destination.presenceTopic)
        #expect(presence.map { $0["type"] as? String } == ["join", "leave"])
        #expect(presence.last?["reason"] as? String == "quit")
    }

    @Test func renameAnnouncesLeaveOfOldNameAndJoinOfNewName() {
        let observer = connect("obs-1")
        identify(observer, as: "observer")
        let session = connect("s-1")
        identify(session, as: "bob")
        identify(session, as: "robert")

        let presence = observer.messages(on: Destination.presenceTopic)
        #expect(presence.map { $0["type"] as? String } == ["join", "leave", "join"])
        #expect(presence[1]["reason"] as? String == "renamed")
        #expect(presence[2]["user"] as? String == "robert")
    }

    @Test func duplicateLiveSessionIDIsRefused() {
        _ = connect("same")
        #expect(!lobby.open(RecordingSession("same"), transport: "websocket", remoteAddress: nil))
        lobby.end("same", reason: .closed)
        #expect(lobby.open(RecordingSession("same"), transport: "websocket", remoteAddress: nil))
    }

    @Test func chatIsStoredBeforeItIsBroadcastAndKeepsOrder() async throws {
        let alice = connect("alice-1")
        identify(alice, as: "alice")
        let processed = Mutex(0)
        for index in 1...5 {
            lobby.chat(alice, body: Array(#"{"text":"  message \#(index) 한국어 👩‍👩‍👧 "}"#.utf8)) {
                processed.withLock { $0 += 1 }
            }
        }
        // Nothing goes out before the store has it.
        #expect(alice.messages(on: Destination.chatTopic).isEmpty)
        await drain()

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
        identify(alice, as: "alice")
        for index in 1...5 {
            lobby.chat(alice, body: Array(#"{"text":"m\#(index)"}"#.utf8))
        }
        await drain()
        let bob = connect("bob-1")
        identify(bob, as: "bob")
        let history = bob.messages(on: Destination.reply).first?["history"] as? [[String: Any]]
        // historyLimit is 3 in these tests.
        #expect(history?.compactMap { $0["text"] as? String } == ["m3", "m4", "m5"])
    }

    @Test func chatBeforeIdentityAndInvalidTextAreRejectedPrivately() {
        let session = connect("s-1")
        lobby.chat(session, body: Array(#"{"text":"hi"}"#.utf8))
        identify(session, as: "sam")
        session.reset()
        lobby.chat(session, body: Array(#"{"text":"   "}"#.utf8))
        lobby.chat(session, body: Array(#"{"text":"\#(String(repeating: "a", count: 4001))"}"#.utf8))
        lobby.chat(session, body: Array(#"{"txt":"hi"}"#.utf8))
        let codes = session.messages(on: Destination.reply).compactMap { $0["code"] as? String }
        #expect(codes == [ErrorCode.invalidText, ErrorCode.invalidText, ErrorCode.invalidJSON])
    }

    @Test func shutdownEndsEverySessionWithShutdownAndRefusesNewOnes() async throws {
        let alice = connect("alice-1")
        identify(alice, as: "alice")
        let bob = connect("bob-1")
        lobby.shutdown()
        #expect(alice.terminatedReasons == [.shutdown])
        #expect(bob.terminatedReasons == [.shutdown])
        #expect(lobby.liveSessionCount == 0)
        #expect(!lobby.open(RecordingSession("late"), transport: "websocket", remoteAddress: nil))
        await drain()
        let rows = try await store.sessions(includeEnded: true, limit: 10)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.reason == .shutdown && $0.endedAt != nil })
    }
}
