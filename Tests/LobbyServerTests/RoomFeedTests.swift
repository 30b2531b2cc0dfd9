import Foundation
import LobbyCore
import Testing

@testable import LobbyServer

extension RoomFeed {
    /// The rules without the gathering window (time stands still at 0).
    fileprivate mutating func committed(_ event: RoomEvent) -> [Effect] { committed(event, now: 0) }
    fileprivate mutating func batchCommitted() -> [Effect] { batchCommitted(now: 0).effects }
}

/// What the room hears, decided in commit order: batching, shared snapshots, exactly-once
/// announcements and the order of presence, welcomes and chat.
@Suite struct RoomFeedTests {
    private func at(_ milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: milliseconds) }
    private func name(_ text: String) -> UserName { try! UserName(validating: text) }

    private func members(of snapshot: WelcomeSnapshot?) -> [Member] {
        guard let snapshot else { return [] }
        return (try? JSONDecoder().decode([Member].self, from: Data(snapshot.members))) ?? []
    }

    @Test func aLoneJoinGoesOutWhenItsBatchCommits() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        #expect(feed.committed(.identityStored("s1", user: name("alice"), welcome: true, at: at(1))).isEmpty)
        let effects = feed.batchCommitted()
        guard effects.count == 2, case .publishPresence(let events, let excluding) = effects[0],
            case .identified(let id, let user, let welcome) = effects[1]
        else {
            Issue.record("unexpected effects \(effects)")
            return
        }
        #expect(events == [.join("alice", sessions: 1, at: at(1))])
        #expect(excluding == ["s1"], "the joiner learns of itself through its welcome")
        #expect(id == "s1" && user == name("alice"))
        #expect(members(of: welcome) == [Member(user: "alice", sessions: 1)])
        #expect(feed.batchCommitted().isEmpty, "nothing is announced twice")
    }

    @Test func changesPendingTogetherGoOutAsOneBatchInOrder() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        _ = feed.committed(.identityStored("a1", user: name("alice"), welcome: false, at: at(1)))
        _ = feed.batchCommitted()
        _ = feed.committed(.identityStored("b1", user: name("bob"), welcome: true, at: at(2)))
        _ = feed.committed(.endStored("a1", reason: .closed, at: at(3)))
        _ = feed.committed(.identityStored("c1", user: name("carol"), welcome: true, at: at(4)))
        _ = feed.committed(.identityStored("b2", user: name("bob"), welcome: true, at: at(5)))
        let effects = feed.batchCommitted()
        guard case .publishPresence(let events, let excluding) = effects.first else {
            Issue.record("no presence batch in \(effects)")
            return
        }
        #expect(
            events == [
                .join("bob", sessions: 1, at: at(2)), .leave("alice", reason: .closed, sessions: 0, at: at(3)),
                .join("carol", sessions: 1, at: at(4)),
            ])
        #expect(excluding == ["b1", "c1", "b2"])
        let welcomes = effects.dropFirst().compactMap { effect -> WelcomeSnapshot? in
            if case .identified(_, _, let welcome) = effect { welcome } else { nil }
        }
        #expect(welcomes.count == 3)
        // Every welcome of the step is the state after the step's events, shared.
        #expect(Set(welcomes.map(\.members)).count == 1)
        #expect(members(of: welcomes.first) == [Member(user: "bob", sessions: 2), Member(user: "carol", sessions: 1)])
        #expect(feed.memberListEncodings == 1)
    }

    @Test func theMemberListIsEncodedOncePerVersion() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        _ = feed.committed(.identityStored("a1", user: name("alice"), welcome: true, at: at(1)))
        _ = feed.batchCommitted()
        #expect(feed.memberListEncodings == 1)
        // A repeated identity changes nothing: the same version, no new encoding.
        _ = feed.committed(.identityStored("a1", user: name("alice"), welcome: true, at: at(2)))
        _ = feed.batchCommitted()
        #expect(feed.memberListEncodings == 1)
        // Another session of alice changes her count: a new version.
        _ = feed.committed(.identityStored("a2", user: name("alice"), welcome: true, at: at(3)))
        _ = feed.batchCommitted()
        #expect(feed.memberListEncodings == 2)
    }

    @Test func aLeaveIsAnnouncedOnceAndOnlyForTheLastSession() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        _ = feed.committed(.identityStored("b1", user: name("bob"), welcome: false, at: at(1)))
        _ = feed.committed(.identityStored("b2", user: name("bob"), welcome: false, at: at(2)))
        _ = feed.batchCommitted()
        _ = feed.committed(.endStored("b1", reason: .closed, at: at(3)))
        _ = feed.committed(.endStored("b1", reason: .timeout, at: at(4)))
        let first = feed.batchCommitted()
        #expect(first.isEmpty, "bob still has a session: nothing to announce")
        _ = feed.committed(.endStored("b2", reason: .quit, at: at(5)))
        _ = feed.committed(.endStored("b2", reason: .quit, at: at(6)))
        #expect(
            feed.batchCommitted() == [
                .publishPresence([.leave("bob", reason: .quit, sessions: 0, at: at(5))], excluding: [])
            ])
        #expect(feed.members.isEmpty)
    }

    @Test func anUnidentifiedSessionEndsSilently() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        _ = feed.committed(.endStored("s1", reason: .closed, at: at(1)))
        #expect(feed.batchCommitted().isEmpty)
    }

    @Test func aChatMessageLetsWhatWasPendingGoFirst() throws {
        var feed = RoomFeed(history: [], historyLimit: 2, gatherMilliseconds: 0)
        _ = feed.committed(.identityStored("b1", user: name("bob"), welcome: true, at: at(1)))
        let message = ChatMessage(id: 7, user: "bob", text: "hi", at: at(2))
        let effects = feed.committed(.messageStored(message))
        #expect(effects.count == 3)
        #expect(effects.last == .publishChat(message))
        guard case .identified(_, _, let welcome?) = effects[1] else {
            Issue.record("no welcome in \(effects)")
            return
        }
        // The welcome was taken before the message: bob gets it once, on /topic/chat.
        let history = try JSONDecoder().decode([ChatMessage].self, from: Data(welcome.history))
        #expect(history.isEmpty)
        #expect(feed.history == [message])
    }

    @Test func historyKeepsTheNewestMessagesOnly() {
        var feed = RoomFeed(
            history: (1...5).map { ChatMessage(id: $0, user: "a", text: "m\($0)", at: at($0)) }, historyLimit: 3,
            gatherMilliseconds: 0)
        #expect(feed.history.map(\.id) == [3, 4, 5])
        _ = feed.committed(.messageStored(ChatMessage(id: 6, user: "a", text: "m6", at: at(6))))
        #expect(feed.history.map(\.id) == [4, 5, 6])
    }

    @Test func aRenameIsALeaveOfTheOldNameThenAJoinOfTheNew() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        _ = feed.committed(.identityStored("s1", user: name("bob"), welcome: false, at: at(1)))
        _ = feed.committed(.identityStored("s1", user: name("robert"), welcome: false, at: at(2)))
        let effects = feed.batchCommitted()
        #expect(
            effects.first
                == .publishPresence(
                    [
                        .join("bob", sessions: 1, at: at(1)), .leave("bob", reason: .renamed, sessions: 0, at: at(2)),
                        .join("robert", sessions: 1, at: at(2)),
                    ], excluding: []))
        #expect(feed.members == [Member(user: "robert", sessions: 1)])
    }

    /// Whatever the batching, a client that applies its welcome and then the events that reach
    /// it ends with the room's member list.
    @Test(arguments: [1, 3, 17, 1000])
    func everyClientEndsWithTheExactMemberList(batchSize: Int) {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 0)
        var views: [SessionID: Set<String>] = [:]
        var identifiedCount = 0
        func apply(_ effects: [RoomFeed.Effect]) {
            for effect in effects {
                switch effect {
                case .publishPresence(let events, let excluding):
                    for session in views.keys where !excluding.contains(session) {
                        for event in events {
                            switch event.type {
                            case .join: views[session]?.insert(event.user)
                            case .leave: views[session]?.remove(event.user)
                            case .status: break
                            }
                        }
                    }
                case .identified(let id, _, let welcome):
                    views[id] = Set(members(of: welcome).map(\.user))
                case .publishChat, .deliverDirect:
                    break
                }
            }
        }
        for index in 0..<200 {
            apply(
                feed.committed(
                    .identityStored(SessionID("s\(index)"), user: name("u\(index)"), welcome: true, at: at(1))))
            identifiedCount += 1
            if identifiedCount % batchSize == 0 { apply(feed.batchCommitted()) }
        }
        apply(feed.batchCommitted())
        let everyone = Set((0..<200).map { "u\($0)" })
        #expect(views.count == 200)
        #expect(views.values.allSatisfy { $0 == everyone })
        // One encoding per step, not per identify.
        #expect(feed.memberListEncodings == (200 + batchSize - 1) / batchSize)
    }

    @Test func aLoneChangeGoesOutAtOnceAndAStormIsGatheredPerWindow() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 10)
        _ = feed.committed(.identityStored("a1", user: name("alice"), welcome: false, at: at(1)), now: 1_000)
        let first = feed.batchCommitted(now: 1_000)
        #expect(first.effects.count == 2 && first.holdUntil == nil, "after a quiet spell: at once")

        // More changes inside the window wait for its end, then go out as one message.
        _ = feed.committed(.identityStored("b1", user: name("bob"), welcome: true, at: at(2)), now: 1_003)
        let held = feed.batchCommitted(now: 1_003)
        #expect(held.effects.isEmpty && held.holdUntil == 1_010)
        _ = feed.committed(.endStored("a1", reason: .closed, at: at(3)), now: 1_006)
        #expect(feed.batchCommitted(now: 1_006).holdUntil == 1_010)
        let gathered = feed.gatherWindowEnded(now: 1_010)
        #expect(
            gathered.first
                == .publishPresence(
                    [.join("bob", sessions: 1, at: at(2)), .leave("alice", reason: .closed, sessions: 0, at: at(3))],
                    excluding: ["b1"]))
        #expect(gathered.count == 2)
        #expect(feed.gatherWindowEnded(now: 1_011).isEmpty, "a timer with nothing pending sends nothing")

        // Quiet again for a window: the next lone change is not held.
        _ = feed.committed(.identityStored("c1", user: name("carol"), welcome: false, at: at(4)), now: 1_030)
        #expect(feed.batchCommitted(now: 1_030).holdUntil == nil)
    }

    @Test func aChatMessageInsideTheWindowStillGoesOutInOrder() {
        var feed = RoomFeed(history: [], historyLimit: 10, gatherMilliseconds: 10)
        _ = feed.committed(.identityStored("a1", user: name("alice"), welcome: false, at: at(1)), now: 1_000)
        _ = feed.batchCommitted(now: 1_000)
        _ = feed.committed(.identityStored("b1", user: name("bob"), welcome: false, at: at(2)), now: 1_002)
        #expect(feed.batchCommitted(now: 1_002).effects.isEmpty)
        let message = ChatMessage(id: 1, user: "bob", text: "hi", at: at(3))
        let effects = feed.committed(.messageStored(message), now: 1_003)
        #expect(effects.first == .publishPresence([.join("bob", sessions: 1, at: at(2))], excluding: []))
        #expect(effects.last == .publishChat(message))
        #expect(feed.gatherWindowEnded(now: 1_012).isEmpty)
    }

    @Test func sessionsPresentAtTheStartAreMembersAnnouncedToNobody() {
        // A node joining a cluster starts from the shared store's snapshot.
        var feed = RoomFeed(
            history: [], historyLimit: 10, gatherMilliseconds: 0,
            present: [(session: "x1", user: name("bob")), (session: "x2", user: name("bob"))])
        #expect(feed.members == [Member(user: "bob", sessions: 2)])
        #expect(feed.batchCommitted().isEmpty)
        _ = feed.committed(.endStored("x1", reason: .nodeLost, at: at(1)))
        #expect(feed.batchCommitted().isEmpty, "bob still has a session")
        _ = feed.committed(.endStored("x2", reason: .nodeLost, at: at(2)))
        guard case .publishPresence(let events, _)? = feed.batchCommitted().first else {
            Issue.record("no leave")
            return
        }
        #expect(events == [.leave("bob", reason: .nodeLost, sessions: 0, at: at(2))])
    }
}
