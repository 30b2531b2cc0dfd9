import LobbyCore
import Testing

@testable import LobbyTUI

/// Issue 26, item 9: the gap /clear leaves is marked, your own away state shows, a bare /away
/// reads sensibly, and /msg to an away user says so.
@Suite("Client state: /clear, own away state, away notices")
struct AwayAndClearTests {
    @Test("history loaded after /clear is separated from the newer lines by a marker")
    func clearThenPageUp() {
        var state = connectedState(history: [message(10, "bob", "cleared line")])
        _ = state.submit("/clear")
        state.apply(.message(message(11, "bob", "after the clear")), now: time("10:00"))
        #expect(state.handle(.pageUp, now: time("10:00")) == [.requestHistory(before: 10, limit: 100)])
        state.apply(.history(HistoryReply(before: 10, messages: [message(9, "carol", "older")])), now: time("10:00"))
        let texts = state.kinds.compactMap { kind -> String? in
            switch kind {
            case .message(_, let text, _): text
            case .marker(let text): text
            default: nil
            }
        }
        #expect(texts == ["older", "-- cleared with /clear --", "after the clear"])
    }

    @Test("/clear with nothing older: the marker sits under the beginning of history")
    func clearThenBeginning() {
        var state = connectedState(history: [message(10, "bob", "cleared line")])
        _ = state.submit("/clear")
        _ = state.handle(.pageUp, now: time("10:00"))
        state.apply(.history(HistoryReply(before: 10, messages: [])), now: time("10:00"))
        #expect(
            state.kinds.prefix(2) == [.marker("-- beginning of history --"), .marker("-- cleared with /clear --")])
    }

    @Test("your own away state is on the status line; a bare /away reads 'is away'")
    func ownAwayState() {
        var state = connectedState()
        #expect(state.submit("/away") == [.setAway("away")])
        state.apply(.presence(.status("alice", away: "away", at: time("10:00"))), now: time("10:00"))
        #expect(state.ownAway == "away")
        #expect(Screen.statusTexts(state)[0] == "lobby — connected as alice [away] (session 3k9x…) — 3 members")
        #expect(rendered(state, width: 100, height: 30).lines.contains { $0.hasPrefix("10:00 --- alice is away ") })
        state.apply(.presence(.status("alice", away: "lunch", at: time("10:01"))), now: time("10:01"))
        #expect(Screen.statusTexts(state)[0] == "lobby — connected as alice [away: lunch] (session 3k9x…) — 3 members")
        state.apply(.presence(.status("alice", away: nil, at: time("10:02"))), now: time("10:02"))
        #expect(Screen.statusTexts(state)[0] == "lobby — connected as alice (session 3k9x…) — 3 members")
    }

    @Test("/msg to an away user shows their away message")
    func directToAwayUser() {
        var state = connectedState()
        state.apply(.presence(.status("bob", away: "lunch", at: time("10:00"))), now: time("10:00"))
        #expect(state.submit("/msg bob are you there?") == [.sendDirect(to: "bob", text: "are you there?")])
        #expect(state.kinds.last == .notice("bob is away: lunch"))
        #expect(state.submit("/msg carol hi") == [.sendDirect(to: "carol", text: "hi")])
        let awayNotices = state.kinds.filter { kind in
            if case .notice(let text) = kind { text.contains("is away") } else { false }
        }
        #expect(awayNotices == [.notice("bob is away: lunch")])
        #expect(MemberList.awayText(user: "bob", message: "away") == "bob is away")
    }
}
