import LobbyCore
import LobbyTUI
import Testing

@Suite("Ignore list")
struct IgnoreListTests {
    @Test("the file: one name a line, blanks, comments and repeats skipped; written back the same")
    func file() {
        let list = IgnoreList(text: "mallory\n\n# spam\n  trudy  \nMallory\n")
        #expect(list.names == ["mallory", "trudy"])
        #expect(list.text == "mallory\ntrudy\n")
        #expect(IgnoreList(text: list.text) == list)
    }

    @Test("/ignore, /ignore alone and /unignore, names compared in any case")
    func commands() {
        var list = IgnoreList(text: "")
        #expect(list.run(.ignore(nil))?.notice == "nobody is ignored")
        #expect(list.run(.ignore("Mallory"))?.changed == true)
        #expect(list.contains("mallory") && list.contains("MALLORY") && !list.contains("mallo"))
        #expect(list.run(.ignore("mallory"))! == ("mallory is already ignored", false))
        #expect(list.run(.ignore(nil))?.notice == "ignored: Mallory")
        #expect(list.run(.unignore("bob"))! == ("bob is not ignored", false))
        #expect(list.run(.unignore("MALLORY"))! == ("no longer ignoring MALLORY", true))
        #expect(list.names.isEmpty)
        #expect(list.run(.who) == nil)
    }
}

@Suite("Client state: /ignore")
struct IgnoreCommandTests {
    @Test("an ignored user's messages, private messages and presence lines are hidden; the member pane keeps them")
    func hidden() {
        var state = connectedState()
        #expect(state.submit("/ignore bob") == [.saveIgnoreList(IgnoreList(text: "bob\n"))])
        let before = state.lines.count
        #expect(state.apply(.message(message(20, "bob", "alice: buy now")), now: time("10:00")) == [])
        let direct = DirectMessage(id: 5, from: "bob", to: "alice", text: "psst", at: time("10:00"))
        #expect(state.apply(.direct(direct), now: time("10:00")) == [])
        state.apply(.presence(.status("bob", away: "spam", at: time("10:00"))), now: time("10:00"))
        state.apply(.presence(.leave("bob", reason: .quit, sessions: 0, at: time("10:00"))), now: time("10:00"))
        state.apply(.presence(.join("bob", sessions: 1, at: time("10:01"))), now: time("10:01"))
        #expect(state.lines.count == before)
        #expect(state.members.map(\.user).contains("bob"))
        // Others and the user's own private message to bob still show.
        state.apply(.message(message(21, "carol", "hello")), now: time("10:02"))
        let sent = DirectMessage(id: 6, from: "alice", to: "bob", text: "stop", at: time("10:02"))
        state.apply(.direct(sent), now: time("10:02"))
        #expect(state.lines.count == before + 2)
        #expect(state.submit("/unignore bob") == [.saveIgnoreList(IgnoreList(text: ""))])
        state.apply(.message(message(22, "bob", "sorry")), now: time("10:03"))
        #expect(state.kinds.last == .message(user: "bob", text: "sorry", isOwn: false))
    }
}
