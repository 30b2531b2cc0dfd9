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
}

@Suite("Bracketed paste decoding")
struct PasteDecoderTests {
    func feed(_ keys: [Key]) -> [Key] {
        var decoder = PasteDecoder()
        return keys.flatMap { decoder.feed($0) }
    }

    func sequence(_ text: String) -> [Key] {
        [.escape] + text.map(Key.character)
    }

    @Test("A paste between ESC [200~ and ESC [201~ is one key, Enter as a line break")
    func pasteBecomesOneKey() {
        let keys =
            sequence("[200~") + [.character("a"), .enter, .character("b"), .enter, .character("c")] + sequence("[201~")
        #expect(feed(keys) == [.paste("a\nb\nc")])
    }

    @Test("Keys around a paste pass through unchanged")
    func keysAroundPaste() {
        let keys = [.character("x")] + sequence("[200~") + [.character("y")] + sequence("[201~") + [.enter]
        #expect(feed(keys) == [.character("x"), .paste("y"), .enter])
    }

    @Test("An Escape not starting a paste is given back with what followed")
    func loneEscape() {
        #expect(feed([.escape, .character("q")]) == [.escape, .character("q")])
        #expect(
            feed([.escape, .character("["), .character("2"), .character("x")])
                == [.escape, .character("["), .character("2"), .character("x")])
        #expect(
            feed([.escape, .escape] + sequence("[200~") + [.character("z")] + sequence("[201~"))
                == [.escape, .escape, .paste("z")])
    }

    @Test("Inside a paste, an Escape that is not the end sequence is dropped; the text goes on")
    func escapeInsidePaste() {
        let keys = sequence("[200~") + [.character("a"), .escape, .character("b")] + sequence("[201~")
        #expect(feed(keys) == [.paste("ab")])
    }
}
