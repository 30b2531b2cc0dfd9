import LobbyCore
import LobbyTUI
import Testing

func direct(_ id: Int64, _ from: String, _ to: String, _ text: String, at clock: String = "10:00") -> DirectMessage {
    DirectMessage(id: id, from: from, to: to, text: text, at: time(clock))
}

@Suite("Client state: chat feature events")
struct ChatFeatureEventTests {
    @Test("Private messages: received read *alice*, sent -> *bob*; the welcome's are shown once")
    func directLines() {
        var state = connectedState()
        #expect(state.apply(.direct(direct(1, "bob", "alice", "psst")), now: time("10:00")) == [.bell])
        #expect(state.apply(.direct(direct(2, "alice", "bob", "what?")), now: time("10:00")) == [])
        var greeting = welcome(members: ["alice", "bob"])
        greeting.directs = [direct(2, "alice", "bob", "what?"), direct(1, "bob", "alice", "psst")]
        state.apply(.welcome(greeting), now: time("10:01"))
        state.apply(.welcome(greeting), now: time("10:02"))
        let directs = state.kinds.filter { if case .direct = $0 { true } else { false } }
        #expect(
            directs == [
                .direct(from: "bob", to: "alice", text: "psst", isOutgoing: false),
                .direct(from: "alice", to: "bob", text: "what?", isOutgoing: true),
            ])
        let screen = rendered(state, width: 100, height: 30).lines
        #expect(screen.contains { $0.hasPrefix("10:00 *bob* psst ") })
        #expect(screen.contains { $0.hasPrefix("10:00 -> *bob* what? ") })
    }

    @Test("not-here is shown as the server says it, without the code")
    func notHere() {
        var state = connectedState()
        state.apply(.serverError(ErrorEvent(code: "not-here", message: "bob is not here")), now: time("10:00"))
        #expect(state.kinds.last == .error("bob is not here"))
    }

    @Test("Away: status events set and clear a member's away, with a line each; /who shows it")
    func awayStatus() {
        var state = connectedState()
        state.apply(.presence(.status("bob", away: "lunch", at: time("10:00"))), now: time("10:00"))
        #expect(state.members.first { $0.user == "bob" }?.away == "lunch")
        #expect(state.members.count == 3)
        _ = state.submit("/who")
        #expect(state.kinds.last == .notice("3 members: alice (you), bob (away: lunch), carol"))
        // Another session joining keeps the away message.
        state.apply(.presence(.join("bob", sessions: 2, at: time("10:01"))), now: time("10:01"))
        #expect(state.members.first { $0.user == "bob" }?.away == "lunch")
        state.apply(.presence(.status("bob", away: nil, at: time("10:02"))), now: time("10:02"))
        #expect(state.members.first { $0.user == "bob" }?.away == nil)
        let lines = rendered(state, width: 100, height: 30).lines
        #expect(lines.contains { $0.hasPrefix("10:00 --- bob is away: lunch ") })
        #expect(lines.contains { $0.hasPrefix("10:02 --- bob is back ") })
    }

    @Test("The member pane dims away users")
    func memberPaneDimsAway() {
        var state = connectedState()
        state.apply(.presence(.status("bob", away: "lunch", at: time("10:00"))), now: time("10:00"))
        let canvas = rendered(state, width: 100, height: 30)
        // Pane rows: title, * alice, bob, carol; names start two cells right of the border + 2.
        let column = 100 - 16 + 4
        #expect(canvas.lines[3].hasSuffix(padded("  bob", to: 14)))
        #expect(canvas.style(row: 3, column: column) == .nick("bob", isAway: true))
        #expect(canvas.style(row: 3, column: column).isDim)
        #expect(!canvas.style(row: 4, column: column).isDim)
    }

    @Test("A join soon after a lost connection reads 'is back'; after a quit or a minute, 'joined'")
    func reconnectFlaps() {
        var state = connectedState()
        state.apply(.presence(.leave("bob", reason: .closed, sessions: 0, at: time("10:00"))), now: time("10:00"))
        state.apply(
            .presence(.join("bob", sessions: 1, at: Timestamp(iso8601: "2026-11-27T10:00:59.000Z")!)),
            now: time("10:01"))
        #expect(state.kinds.last == .rejoin(user: "bob"))
        state.apply(.presence(.leave("bob", reason: .timeout, sessions: 0, at: time("10:02"))), now: time("10:02"))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:04"))), now: time("10:04"))
        #expect(state.kinds.last == .join(user: "bob"))
        state.apply(.presence(.leave("bob", reason: .quit, sessions: 0, at: time("10:05"))), now: time("10:05"))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:05"))), now: time("10:05"))
        #expect(state.kinds.last == .join(user: "bob"))
        state.apply(.presence(.leave("bob", reason: .nodeLost, sessions: 0, at: time("10:06"))), now: time("10:06"))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:06"))), now: time("10:06"))
        #expect(rendered(state, width: 100, height: 30).lines.contains { $0.hasPrefix("10:06 --> bob is back ") })
    }

    @Test("Smart filter: joins and leaves of users quiet for 10 minutes are hidden; the pane still updates")
    func smartFilter() {
        var state = connectedState()
        _ = state.submit("/filter smart")
        state.apply(.message(message(1, "bob", "hi", at: "10:00")), now: time("10:00"))
        state.apply(.presence(.join("dave", sessions: 1, at: time("10:05"))), now: time("10:05"))
        #expect(state.members.contains { $0.user == "dave" })
        #expect(!state.kinds.contains(.join(user: "dave")))
        state.apply(.presence(.leave("bob", reason: .quit, sessions: 0, at: time("10:09"))), now: time("10:09"))
        #expect(state.kinds.last == .leave(user: "bob", reason: .quit))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:11"))), now: time("10:11"))
        #expect(state.kinds.last != .join(user: "bob"))
        #expect(state.members.contains { $0.user == "bob" })
        _ = state.submit("/filter all")
        state.apply(.presence(.leave("dave", reason: .quit, sessions: 0, at: time("10:12"))), now: time("10:12"))
        #expect(state.kinds.last == .leave(user: "dave", reason: .quit))
    }

    @Test("Mentions: a word match in any case highlights and rings; part of a word does not")
    func mentions() {
        var state = connectedState()
        #expect(state.apply(.message(message(1, "bob", "hey ALICE, look")), now: time("10:00")) == [.bell])
        #expect(state.apply(.message(message(2, "bob", "@alice: done")), now: time("10:00")) == [.bell])
        #expect(state.apply(.message(message(3, "bob", "malice and alicent")), now: time("10:00")) == [])
        #expect(state.apply(.message(message(4, "alice", "I am alice")), now: time("10:00")) == [])
        #expect(state.lines.map(\.isMention) == [false, true, true, false, false])
        let canvas = rendered(state, width: 100, height: 30)
        let row = canvas.lines.firstIndex { $0.hasPrefix("10:00 <bob> hey ALICE") }!
        #expect(canvas.style(row: row, column: 12) == .mention)
        state.bell = false
        #expect(state.apply(.message(message(5, "bob", "alice?")), now: time("10:00")) == [])
    }

    @Test("Scrolled up, the status line counts new messages and mentions below")
    func unseenCounts() {
        let history = (1...60).map { message(Int64($0), "bob", "line \($0)") }
        var state = connectedState(width: 100, height: 20, history: history)
        _ = state.handle(.pageUp, now: time("10:00"))
        state.apply(.message(message(61, "carol", "news")), now: time("10:00"))
        state.apply(.message(message(62, "carol", "alice: look")), now: time("10:00"))
        #expect(
            rendered(state, width: 100, height: 20).lines[0].trimmingTrailing().hasSuffix(" — 2 new, 1 mention below"))
        _ = state.handle(.pageDown, now: time("10:00"))
        _ = state.handle(.pageDown, now: time("10:00"))
        #expect(state.scrollOffset == 0)
        #expect(state.unseenMessages == 0)
        #expect(!rendered(state, width: 100, height: 20).lines[0].contains("below"))
    }

    @Test("Multi-line messages: one nick line, continuation lines indented")
    func multiLineMessage() {
        var state = connectedState()
        state.apply(.message(message(1, "bob", "first\nsecond\n\nfourth")), now: time("10:00"))
        let lines = rendered(state, width: 40, height: 12).lines.map { $0.trimmingTrailing() }
        let start = lines.firstIndex(of: "10:00 <bob> first")!
        #expect(Array(lines[(start + 1)...(start + 3)]) == ["      second", "", "      fourth"])
    }

    @Test("A configured strftime format sets the message times")
    func timestampFormat() {
        var state = connectedState()
        state.timestampFormat = "%H:%M:%S"
        state.apply(.message(ChatMessage(id: 1, user: "bob", text: "hi", at: time("10:00"))), now: time("10:00"))
        #expect(state.lines.last?.time == "10:00:00")
    }

    @Test("Search results: a header with the count, then dated lines, oldest first")
    func searchResults() {
        var state = connectedState()
        let results = [
            ChatMessage(id: 9, user: "bob", text: "release on friday", at: time("10:00", day: 26)),
            ChatMessage(id: 3, user: "carol", text: "release soon?", at: time("09:00", day: 20)),
        ]
        state.apply(.search(SearchReply(query: "release", messages: results)), now: time("10:00"))
        let lines = rendered(state, width: 100, height: 30).lines.map { $0.prefix(84).trimmingTrailing() }
        let start = lines.firstIndex(of: "-- search: release (2 results) --")!
        #expect(lines[start + 1] == "2026-11-20 09:00 <carol> release soon?")
        #expect(lines[start + 2] == "2026-11-26 10:00 <bob> release on friday")
    }

    /// Issue 26: `/me` lines showed raw (`<bob> /me waves`) in search results.
    @Test("Search results: an action reads as the action")
    func searchResultsShowActions() {
        var state = connectedState()
        let results = [ChatMessage(id: 4, user: "bob", text: "/me waves at the release", at: time("09:30", day: 25))]
        state.apply(.search(SearchReply(query: "release", messages: results)), now: time("10:00"))
        let lines = rendered(state, width: 100, height: 30).lines.map { $0.prefix(84).trimmingTrailing() }
        #expect(lines.contains("2026-11-25 09:30 * bob waves at the release"), "\(lines)")
        #expect(!lines.contains { $0.contains("/me") })
    }
}

extension StringProtocol {
    func trimmingTrailing() -> String {
        String(self.reversed().drop { $0 == " " }.reversed())
    }
}
