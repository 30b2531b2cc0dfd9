import LobbyCore
import LobbyTUI
import Testing

/// 40×10 (eight message rows) holding a notice and messages 1...count, one row each.
func longRoom(count: Int = 20) -> ClientState {
    var state = connectedState(width: 40, height: 10)
    for id in 1...count {
        state.apply(.message(message(Int64(id), "bob", "message \(id)")), now: time("10:00"))
    }
    return state
}

/// The message area's rows, trimmed: what scrolling tests compare.
func messageRows(_ state: ClientState) -> [String] {
    let canvas = rendered(state, width: 40, height: 10)
    return canvas.lines[1...8].map { line in
        var text = line
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }
}

@Suite("Scrollback")
struct ScrollbackTests {
    @Test("At the bottom the newest rows show and there is no mark")
    func followsNewest() {
        let rows = messageRows(longRoom())
        #expect(rows.first == "10:00 <bob> message 13")
        #expect(rows.last == "10:00 <bob> message 20")
    }

    @Test("PgUp scrolls a page less one row and shows the \"more below\" mark")
    func pageUp() {
        var state = longRoom()
        #expect(state.handle(.pageUp, now: time("10:00")) == [])
        #expect(state.scrollOffset == 6)
        let rows = messageRows(state)
        #expect(rows[0] == "10:00 <bob> message 8")
        #expect(rows[6] == "10:00 <bob> message 14")
        #expect(rows[7] == "-- more below --")
        let canvas = rendered(state, width: 40, height: 10)
        #expect(canvas.style(row: 8, column: 0) == .status)
        #expect(canvas.style(row: 8, column: 39) == .status)
    }

    @Test("New messages do not yank the view while scrolled up")
    func newMessagesKeepView() {
        var state = longRoom()
        _ = state.handle(.pageUp, now: time("10:00"))
        let before = messageRows(state)
        state.apply(.message(message(21, "carol", "a long message that takes two rows here")), now: time("10:00"))
        #expect(messageRows(state) == before)
        #expect(state.scrollOffset == 8)
    }

    @Test("PgDn scrolls back; at the bottom the mark goes away")
    func pageDown() {
        var state = longRoom()
        _ = state.handle(.pageUp, now: time("10:00"))
        _ = state.handle(.pageUp, now: time("10:00"))
        _ = state.handle(.pageDown, now: time("10:00"))
        #expect(messageRows(state).last == "-- more below --")
        _ = state.handle(.pageDown, now: time("10:00"))
        _ = state.handle(.pageDown, now: time("10:00"))
        #expect(state.scrollOffset == 0)
        #expect(messageRows(state).last == "10:00 <bob> message 20")
    }

    @Test("PgUp stops when the oldest row is at the top")
    func stopsAtTop() {
        var state = longRoom()
        for _ in 0..<10 { _ = state.handle(.pageUp, now: time("10:00")) }
        #expect(state.scrollOffset == 14)
        let rows = messageRows(state)
        #expect(rows[0] == "09:59 -!- connected as alice")
        #expect(rows[6] == "10:00 <bob> message 6")
        #expect(rows[7] == "-- more below --")
    }

    @Test("When everything fits there is nothing to scroll")
    func nothingToScroll() {
        var state = longRoom(count: 3)
        _ = state.handle(.pageUp, now: time("10:00"))
        #expect(state.scrollOffset == 0)
    }

    @Test("Sending a message returns to the bottom")
    func sendingReturnsToBottom() {
        var state = longRoom()
        _ = state.handle(.pageUp, now: time("10:00"))
        #expect(state.submit("back") == [.sendChat("back")])
        #expect(state.scrollOffset == 0)
    }

    @Test("A resize keeps the offset within what the new size can scroll")
    func resizeClamps() {
        var state = longRoom()
        for _ in 0..<10 { _ = state.handle(.pageUp, now: time("10:00")) }
        state.resize(width: 40, height: 20)
        #expect(state.scrollOffset == 21 - 17)
        state.resize(width: 40, height: 30)
        #expect(state.scrollOffset == 0)
    }
}
