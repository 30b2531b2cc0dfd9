import LobbyCore
import Testing

@testable import LobbyTUI

/// Issue 26, items 2 and 3: while disconnected the member list is unknown; a reconnect announces
/// only what changed, and a server restart once.
@Suite("Client state: members across a reconnect")
struct ReconnectContinuityTests {
    private func welcome(_ members: [String], instance: String?) -> Welcome {
        Welcome(
            sessionId: "s2", user: "alice", members: members.map { Member(user: $0, sessions: 1) }, history: [],
            serverInstance: instance)
    }

    /// alice, bob and carol on server run "run-1", then the connection is lost.
    private func stateAfterLosingTheConnection() -> ClientState {
        var state = makeState()
        state.apply(.welcome(welcome(["alice", "bob", "carol"], instance: "run-1")), now: time("10:00"))
        state.apply(.status(.connected(user: "alice", sessionID: "s1")), now: time("10:00"))
        state.apply(.status(.disconnected("the server has been silent for 20 s")), now: time("10:01"))
        state.apply(.status(.reconnecting(inSeconds: 2)), now: time("10:01"))
        return state
    }

    @Test("while disconnected /who says the list is unknown, and the pane greys the last list")
    func unknownWhileDisconnected() {
        var state = stateAfterLosingTheConnection()
        #expect(!state.membersAreKnown)
        _ = state.submit("/who")
        #expect(
            state.kinds.last == .notice("who is here is unknown while disconnected; the list is refreshed on reconnect")
        )
        let screen = rendered(state, width: 100, height: 30)
        #expect(screen.lines[1].hasSuffix("│ (disconnected)"))
        #expect(screen.lines[2].contains("│ * alice"))
        #expect(screen.style(row: 2, column: 88) == .dim)
    }

    @Test("after a kick (no reconnect coming) the pane lists nobody")
    func kickedClientListsNobody() {
        var state = makeState()
        state.apply(.welcome(welcome(["alice", "bob"], instance: "run-1")), now: time("10:00"))
        state.apply(.status(.connected(user: "alice", sessionID: "s1")), now: time("10:00"))
        state.apply(.status(.disconnected("removed by an operator (kicked)")), now: time("10:01"))
        let screen = rendered(state, width: 100, height: 30)
        #expect(screen.lines[1].hasSuffix("│ (disconnected)"))
        #expect(!screen.lines.contains { $0.contains("bob") && $0.contains("│") })
    }

    @Test("the same server: members there all along are not joins; a newcomer is; a late one is back")
    func reconnectToTheSameServer() {
        var state = stateAfterLosingTheConnection()
        let before = state.lines.count
        state.apply(.welcome(welcome(["alice", "bob", "dave"], instance: "run-1")), now: time("10:02"))
        state.apply(.status(.connected(user: "alice", sessionID: "s2")), now: time("10:02"))
        #expect(state.membersAreKnown)
        #expect(state.members.map(\.user) == ["alice", "bob", "dave"])
        #expect(Array(state.kinds[before...]) == [.join(user: "dave"), .notice("reconnected as alice")])
        // carol was there before the outage and comes back after alice did.
        state.apply(.presence(.join("carol", sessions: 1, at: time("10:02"))), now: time("10:02"))
        #expect(state.kinds.last == .rejoin(user: "carol"))
    }

    @Test("a join that reaches the new session before its welcome is the welcome's to tell")
    func presenceBeforeTheWelcome() {
        var state = stateAfterLosingTheConnection()
        let before = state.lines.count
        state.apply(.status(.connecting(attempt: 2)), now: time("10:02"))
        state.apply(.presence(.join("carol", sessions: 1, at: time("10:02"))), now: time("10:02"))
        state.apply(.presence(.join("dave", sessions: 1, at: time("10:02"))), now: time("10:02"))
        state.apply(.welcome(welcome(["alice", "bob", "carol", "dave"], instance: "run-2")), now: time("10:02"))
        #expect(Array(state.kinds[before...]) == [.notice("server restarted"), .join(user: "dave")])
    }

    @Test("another server run: one 'server restarted' line")
    func reconnectAfterARestart() {
        var state = stateAfterLosingTheConnection()
        let before = state.lines.count
        state.apply(.welcome(welcome(["alice"], instance: "run-2")), now: time("10:02"))
        state.apply(.status(.connected(user: "alice", sessionID: "s2")), now: time("10:02"))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:02"))), now: time("10:02"))
        #expect(
            Array(state.kinds[before...]) == [
                .notice("server restarted"), .notice("reconnected as alice"), .rejoin(user: "bob"),
            ])
    }

    @Test("a server that names no run never reads as restarted; a /nick welcome is no reconnect")
    func noInstanceAndRename() {
        var state = makeState()
        state.apply(.welcome(welcome(["alice", "bob"], instance: nil)), now: time("10:00"))
        state.apply(.status(.connected(user: "alice", sessionID: "s1")), now: time("10:00"))
        // A rename's welcome while connected: nothing to compare.
        state.apply(.welcome(welcome(["alice", "bob", "erin"], instance: nil)), now: time("10:00"))
        #expect(!state.kinds.contains(.join(user: "erin")))
        state.apply(.status(.connecting(attempt: 1)), now: time("10:01"))
        state.apply(.welcome(welcome(["alice", "bob", "erin"], instance: nil)), now: time("10:02"))
        #expect(!state.kinds.contains(.notice("server restarted")))
        #expect(!state.kinds.contains(.join(user: "bob")))
    }
}

@Suite("Room continuity")
struct RoomContinuityTests {
    @Test("a first welcome has nothing to compare with; failed attempts keep the list from before the outage")
    func firstWelcomeAndFailedAttempts() {
        var continuity = RoomContinuity()
        let first = Welcome(
            sessionId: "s1", user: "alice", members: [Member(user: "bob", sessions: 1)], history: [],
            serverInstance: "a")
        #expect(continuity.welcomed(first, now: time("10:00")) == nil)
        continuity.connectionLost(members: [Member(user: "bob", sessions: 1)])
        continuity.connectionLost(members: [])
        let next = Welcome(
            sessionId: "s2", user: "alice", members: [Member(user: "bob", sessions: 1)], history: [],
            serverInstance: "a")
        #expect(
            continuity.welcomed(next, now: time("10:01"))
                == RoomContinuity.Reconnect(serverRestarted: false, arrived: []))
    }

    @Test("a quit followed by a join is a join; a lost connection within a minute is a return")
    func flaps() {
        var continuity = RoomContinuity()
        continuity.left(.leave("bob", reason: .quit, sessions: 0, at: time("10:00")))
        #expect(continuity.joinLine(for: .join("bob", sessions: 1, at: time("10:00"))) == .joined)
        continuity.left(.leave("bob", reason: .timeout, sessions: 0, at: time("10:00")))
        #expect(continuity.joinLine(for: .join("bob", sessions: 1, at: time("10:02"))) == .joined)
        continuity.left(.leave("bob", reason: .closed, sessions: 0, at: time("10:00")))
        #expect(continuity.joinLine(for: .join("bob", sessions: 1, at: time("10:00"))) == .returned)
    }
}
