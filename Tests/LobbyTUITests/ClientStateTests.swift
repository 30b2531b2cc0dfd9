import LobbyCore
import LobbyTUI
import Testing

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

@Suite("Client state: network events")
struct ClientStateTests {
    @Test("A welcome sets the member list, each user once, sorted")
    func welcomeSetsMembers() {
        var state = makeState()
        var greeting = welcome(members: ["carol", "alice", "Bob"])
        greeting.members.append(Member(user: "carol", sessions: 2))
        state.apply(.welcome(greeting), now: time("10:00"))
        #expect(state.members.map(\.user) == ["alice", "Bob", "carol"])
        #expect(state.members.last?.sessions == 2)
    }

    @Test("A welcome's history is shown in order, oldest first")
    func welcomeShowsHistory() {
        var state = makeState()
        let history = [message(2, "bob", "second", at: "10:01"), message(1, "bob", "first")]
        state.apply(.welcome(welcome(members: ["alice", "bob"], history: history)), now: time("10:05"))
        #expect(
            state.kinds == [
                .message(user: "bob", text: "first", isOwn: false),
                .message(user: "bob", text: "second", isOwn: false),
            ])
        #expect(state.lines.map(\.time) == ["10:00", "10:01"])
        #expect(state.lines.map(\.messageID) == [1, 2])
    }

    @Test("Reconnecting: the new welcome's history does not repeat lines already shown")
    func historyDedupedOnReconnect() {
        var state = connectedState(history: [message(1, "bob", "one"), message(2, "carol", "two")])
        state.apply(.message(message(3, "bob", "three")), now: time("10:00"))
        state.apply(.status(.reconnecting(inSeconds: 1)), now: time("10:01"))
        state.apply(.status(.connected(user: "alice", sessionID: "newsess1")), now: time("10:02"))
        let history = [message(2, "carol", "two"), message(3, "bob", "three"), message(4, "carol", "missed")]
        state.apply(.welcome(welcome(members: ["alice", "carol"], history: history)), now: time("10:02"))
        let texts = state.lines.compactMap { line -> String? in
            if case .message(_, let text, _) = line.kind { text } else { nil }
        }
        #expect(texts == ["one", "two", "three", "missed"])
        #expect(state.members.map(\.user) == ["alice", "carol"])
    }

    @Test("A message already shown (same id) is ignored")
    func messageDedupe() {
        var state = connectedState()
        state.apply(.message(message(7, "bob", "hi")), now: time("10:00"))
        state.apply(.message(message(7, "bob", "hi")), now: time("10:00"))
        #expect(state.lines.filter { $0.messageID == 7 }.count == 1)
    }

    @Test("Own messages are marked; /me messages become actions")
    func ownMessagesAndActions() {
        var state = connectedState()
        state.apply(.message(message(1, "alice", "hello")), now: time("10:00"))
        state.apply(.message(message(2, "bob", "/me waves back")), now: time("10:00"))
        state.apply(.message(message(3, "bob", "/meh")), now: time("10:00"))
        #expect(
            Array(state.kinds.suffix(3)) == [
                .message(user: "alice", text: "hello", isOwn: true),
                .action(user: "bob", text: "waves back", isOwn: false),
                .message(user: "bob", text: "/meh", isOwn: false),
            ])
    }

    @Test("A join adds the member and a notice")
    func join() {
        var state = connectedState()
        state.apply(.presence(.join("dave", sessions: 1, at: time("10:03"))), now: time("10:03"))
        #expect(state.members.map(\.user) == ["alice", "bob", "carol", "dave"])
        #expect(state.kinds.last == .join(user: "dave"))
    }

    @Test("A leave removes the member and says why, in words", arguments: LeaveReason.allCases)
    func leave(reason: LeaveReason) {
        var state = connectedState()
        state.apply(.presence(.leave("bob", reason: reason, sessions: 0, at: time("10:04"))), now: time("10:04"))
        #expect(state.members.map(\.user) == ["alice", "carol"])
        #expect(state.kinds.last == .leave(user: "bob", reason: reason))
    }

    @Test("A leave that leaves the user other sessions keeps the member")
    func leaveWithSessionsLeft() {
        var state = connectedState()
        state.apply(.presence(.leave("bob", reason: .closed, sessions: 1, at: time("10:04"))), now: time("10:04"))
        #expect(state.members.map(\.user) == ["alice", "bob", "carol"])
    }

    @Test("A rename is the old name leaving and the new one joining")
    func rename() {
        var state = connectedState()
        state.apply(.presence(.leave("bob", reason: .renamed, sessions: 0, at: time("10:05"))), now: time("10:05"))
        state.apply(.presence(.join("robert", sessions: 1, at: time("10:05"))), now: time("10:05"))
        #expect(state.members.map(\.user) == ["alice", "carol", "robert"])
        #expect(Array(state.kinds.suffix(2)) == [.leave(user: "bob", reason: .renamed), .join(user: "robert")])
    }

    @Test("A presence batch applies every event in order: the member list is exact and each line is shown")
    func presenceBatch() throws {
        var state = connectedState()  // alice, bob, carol
        let json = """
            {"type":"batch","events":[\
            {"type":"join","user":"dave","sessions":1,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"leave","user":"bob","reason":"timeout","sessions":0,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"join","user":"Anna","sessions":1,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"join","user":"erin","sessions":1,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"leave","user":"dave","reason":"quit","sessions":0,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"join","user":"bob","sessions":2,"at":"2026-11-27T10:01:00.000Z"},\
            {"type":"leave","user":"carol","reason":"closed","sessions":1,"at":"2026-11-27T10:01:00.000Z"}]}
            """
        let batch = try JSONDecoder().decode(PresenceMessage.self, from: Data(json.utf8))
        for event in batch.events {
            state.apply(.presence(event), now: time("10:01"))
        }
        #expect(
            state.members == [
                Member(user: "alice", sessions: 1), Member(user: "Anna", sessions: 1), Member(user: "bob", sessions: 2),
                Member(user: "carol", sessions: 1), Member(user: "erin", sessions: 1),
            ])
        #expect(
            Array(state.kinds.suffix(7)) == [
                .join(user: "dave"), .leave(user: "bob", reason: .timeout), .join(user: "Anna"),
                // bob's timeout and join a moment later: a reconnect flap, not another join.
                .join(user: "erin"), .leave(user: "dave", reason: .quit), .rejoin(user: "bob"),
                .leave(user: "carol", reason: .closed),
            ])
    }

    @Test("A storm-sized batch of joins and leaves ends with exactly the users still there, sorted")
    func largeBatch() {
        var state = connectedState()
        var expected: Set<String> = ["alice", "bob", "carol"]
        var events: [PresenceEvent] = []
        for index in 0..<2000 {
            let name = index.isMultiple(of: 2) ? "User\(index)" : "user\(index)"
            events.append(.join(name, sessions: 1, at: time("10:01")))
            expected.insert(name)
        }
        for index in stride(from: 0, to: 2000, by: 3) {
            let name = index.isMultiple(of: 2) ? "User\(index)" : "user\(index)"
            events.append(.leave(name, reason: .closed, sessions: 0, at: time("10:02")))
            expected.remove(name)
        }
        events.append(.leave("bob", reason: .quit, sessions: 0, at: time("10:02")))
        expected.remove("bob")
        for event in PresenceMessage(events).events {
            state.apply(.presence(event), now: time("10:02"))
        }
        let order = { (name: String) in (name.lowercased(), name) }
        #expect(state.members.map(\.user) == expected.sorted { order($0) < order($1) })
        #expect(state.members.allSatisfy { $0.sessions == 1 })
    }

    @Test("The welcome is authoritative: presence that arrived before it is superseded, later events apply on top")
    func welcomeSupersedesEarlierPresence() {
        var state = makeState()
        state.apply(.status(.connected(user: "alice", sessionID: "3k9xq2zp")), now: time("09:59"))
        for event in PresenceMessage([
            .join("bob", sessions: 1, at: time("10:00")), .join("ghost", sessions: 1, at: time("10:00")),
            .leave("carol", reason: .closed, sessions: 0, at: time("10:00")),
        ]).events {
            state.apply(.presence(event), now: time("10:00"))
        }
        // The welcome's list is the state after those changes (and after alice's own join).
        state.apply(.welcome(welcome(members: ["alice", "bob", "carol"])), now: time("10:00"))
        #expect(state.members.map(\.user) == ["alice", "bob", "carol"])
        for event in PresenceMessage([
            .leave("bob", reason: .quit, sessions: 0, at: time("10:01")), .join("dave", sessions: 1, at: time("10:01")),
        ]).events {
            state.apply(.presence(event), now: time("10:01"))
        }
        #expect(state.members.map(\.user) == ["alice", "carol", "dave"])
    }

    @Test("Connection status transitions: connected, lost, reconnecting, reconnected")
    func reconnectTransitions() {
        var state = makeState()
        #expect(state.status == .connecting(attempt: 1))
        state.apply(.status(.connected(user: "alice", sessionID: "aaaa1111")), now: time("10:00"))
        state.apply(.status(.reconnecting(inSeconds: 2)), now: time("10:01"))
        state.apply(.status(.reconnecting(inSeconds: 1)), now: time("10:01"))
        state.apply(.status(.connecting(attempt: 2)), now: time("10:01"))
        #expect(state.status == .connecting(attempt: 2))
        state.apply(.status(.connected(user: "alice", sessionID: "bbbb2222")), now: time("10:02"))
        #expect(state.status == .connected(user: "alice", sessionID: "bbbb2222"))
        // The countdown updates the status line only: one notice per transition.
        #expect(
            state.kinds == [
                .notice("connected as alice"),
                .notice("connection lost; reconnecting in 2 s"),
                .notice("reconnected as alice"),
            ])
    }

    @Test("Being disconnected for good is an error line")
    func disconnected() {
        var state = connectedState()
        state.apply(.status(.disconnected("server closed the session")), now: time("10:00"))
        state.apply(.status(.disconnected("server closed the session")), now: time("10:00"))
        #expect(state.kinds.filter { $0 == .error("disconnected: server closed the session") }.count == 1)
    }

    @Test("A server that stays down is reported once, not at every attempt")
    func repeatedFailuresShownOnce() {
        var state = makeState()
        let refused = ConnectionStatus.disconnected("connection refused")
        for attempt in 1...3 {
            state.apply(.status(.connecting(attempt: attempt)), now: time("10:00"))
            state.apply(.status(refused), now: time("10:00"))
            state.apply(.status(.reconnecting(inSeconds: attempt)), now: time("10:00"))
        }
        state.apply(.status(.disconnected("no route to host")), now: time("10:00"))
        state.apply(.status(.connected(user: "alice", sessionID: "aaaa1111")), now: time("10:01"))
        state.apply(.status(refused), now: time("10:02"))
        #expect(
            state.kinds == [
                .error("disconnected: connection refused"), .error("disconnected: no route to host"),
                .notice("connected as alice"), .error("disconnected: connection refused"),
            ])
    }

    @Test("The server's name for us wins over the one we asked for")
    func serverConfirmedName() {
        var state = makeState()
        state.apply(.welcome(welcome(members: ["Alice"], user: "Alice")), now: time("10:00"))
        state.apply(.message(message(1, "Alice", "hi")), now: time("10:00"))
        #expect(state.ownName == "Alice")
        #expect(state.kinds.last == .message(user: "Alice", text: "hi", isOwn: true))
    }

    @Test("Server errors and protocol errors are shown, never swallowed")
    func errors() {
        var state = connectedState()
        state.apply(.serverError(ErrorEvent(code: "rate-limited", message: "slow down")), now: time("10:00"))
        state.apply(.protocolError("session id mismatch: url abc, server xyz"), now: time("10:00"))
        #expect(
            Array(state.kinds.suffix(2)) == [
                .error("slow down (rate-limited)"), .error("session id mismatch: url abc, server xyz"),
            ])
    }

    @Test("A day-change line comes before the first line of another day")
    func dayChange() {
        var state = makeState()
        let yesterday = ChatMessage(id: 1, user: "bob", text: "late", at: time("23:59", day: 26))
        state.apply(.welcome(welcome(members: ["bob"], history: [yesterday])), now: time("10:00"))
        state.apply(.message(message(2, "bob", "morning", at: "08:00")), now: time("10:00"))
        state.apply(.message(message(3, "bob", "again", at: "08:01")), now: time("10:00"))
        #expect(
            state.kinds == [
                .dayChange("Thursday 26 November 2026"), .message(user: "bob", text: "late", isOwn: false),
                .dayChange("Friday 27 November 2026"), .message(user: "bob", text: "morning", isOwn: false),
                .message(user: "bob", text: "again", isOwn: false),
            ])
    }

    @Test("Times are local: a fixed offset moves the clock and the day")
    func localTime() {
        // 22:00 UTC on the 27th is 07:00 on the 28th at UTC+9; 14:00 UTC is 23:00 the day before.
        var state = ClientState(ownName: "alice", now: time("22:00"), timeZone: .fixedOffset(seconds: 9 * 3600))
        state.apply(.message(message(1, "bob", "안녕", at: "14:00")), now: time("22:00"))
        #expect(state.lines.map(\.time) == ["23:00", "23:00"])
        #expect(state.kinds.first == .dayChange("Friday 27 November 2026"))
    }
}
