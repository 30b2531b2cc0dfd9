import LobbyCore
import LobbyTUI
import Testing

@Suite("Client state: history on demand")
struct HistoryOnDemandTests {
    /// alice with messages 101…130 loaded, on a screen that shows about 20 of them.
    func loadedState() -> ClientState {
        connectedState(width: 100, height: 24, history: (101...130).map { message(Int64($0), "bob", "line \($0)") })
    }

    @Test("PgUp reaching the top asks for the page before the oldest loaded message, once at a time")
    func pageUpAtTopRequestsHistory() {
        var state = loadedState()
        #expect(state.handle(.pageUp, now: time("10:00")) == [.requestHistory(before: 101, limit: 100)])
        #expect(state.handle(.pageUp, now: time("10:00")) == [])
    }

    @Test("Older messages go on top and the view stays on the same rows")
    func prependKeepsScrollPosition() {
        var state = loadedState()
        _ = state.handle(.pageUp, now: time("10:00"))
        let before = rendered(state, width: 100, height: 24).lines
        let offset = state.scrollOffset
        let older = (71...100).map { message(Int64($0), "carol", "old \($0)") }
        state.apply(.history(HistoryReply(before: 101, messages: older)), now: time("10:00"))
        #expect(state.scrollOffset == offset)
        #expect(rendered(state, width: 100, height: 24).lines == before)
        #expect(
            state.lines.first { $0.messageID != nil }?.kind == .message(user: "carol", text: "old 71", isOwn: false))
        // The next request, on reaching the new top, continues from the new oldest message.
        #expect(state.handle(.pageUp, now: time("10:00")) == [])
        #expect(state.handle(.pageUp, now: time("10:00")) == [.requestHistory(before: 71, limit: 100)])
    }

    @Test("An empty answer shows the beginning of history on top and stops further requests")
    func beginningOfHistory() {
        var state = loadedState()
        _ = state.handle(.pageUp, now: time("10:00"))
        state.apply(.history(HistoryReply(before: 101, messages: [])), now: time("10:00"))
        #expect(state.lines.first?.kind == .marker("-- beginning of history --"))
        #expect(state.handle(.pageUp, now: time("10:00")) == [])
        #expect(rendered(state, width: 100, height: 24).lines[1].hasPrefix("-- beginning of history --"))
    }

    @Test("A reconnect forgets an unanswered request, so PgUp can ask again")
    func reconnectResetsRequest() {
        var state = loadedState()
        _ = state.handle(.pageUp, now: time("10:00"))
        state.apply(.welcome(welcome(members: ["alice", "bob"])), now: time("10:01"))
        #expect(state.handle(.pageUp, now: time("10:01")) == [.requestHistory(before: 101, limit: 100)])
    }

    @Test("The mouse wheel scrolls three rows at a time")
    func mouseWheel() {
        var state = connectedState(width: 100, height: 24, history: (1...60).map { message(Int64($0), "bob", "\($0)") })
        _ = state.handle(.wheelUp, now: time("10:00"))
        #expect(state.scrollOffset == 3)
        _ = state.handle(.wheelDown, now: time("10:00"))
        #expect(state.scrollOffset == 0)
    }

    @Test("Past the line limit the oldest lines go, and PgUp fetches them again from the oldest kept")
    func droppedLinesCanBeFetchedAgain() {
        // A tall terminal: few PgUps to the top (each one measures every line).
        var state = connectedState(width: 100, height: 1000)
        for id in 1...5010 { state.apply(.message(message(Int64(id), "bob", "line \(id)")), now: time("10:00")) }
        #expect(state.lines.count == 5000)
        let oldestKept = state.lines.first { $0.messageID != nil }!.messageID!
        #expect(oldestKept == 11)
        // PgUp until the top is reached and the page above is asked for (bounded).
        var request: [ClientCommand] = []
        for _ in 0..<1000 where request.isEmpty { request = state.handle(.pageUp, now: time("10:00")) }
        #expect(request == [.requestHistory(before: 11, limit: 100)])
        // The dropped messages are new again, so the answer is shown.
        let answer = (1...10).map { message(Int64($0), "bob", "line \($0)") }
        state.apply(.history(HistoryReply(before: 11, messages: answer)), now: time("10:00"))
        #expect(state.lines.first { $0.messageID != nil }?.messageID == 1)
    }
}
