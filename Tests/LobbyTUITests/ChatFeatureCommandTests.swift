import LobbyCore
import LobbyTUI
import Testing

@Suite("Client state: chat feature commands")
struct ChatFeatureCommandTests {
    @Test("/msg NAME TEXT sends a private message; without text it shows the usage")
    func msgCommand() {
        var state = connectedState()
        #expect(state.submit("/msg bob see you at 3") == [.sendDirect(to: "bob", text: "see you at 3")])
        #expect(state.input.text.isEmpty)
        #expect(state.submit("/MSG  carol   hi there ") == [.sendDirect(to: "carol", text: "hi there")])
        #expect(state.submit("/msg bob") == [])
        #expect(state.kinds.last == .notice("usage: /msg NAME TEXT, for example /msg bob see you at 3"))
    }

    @Test("/away defaults to \"away\", keeps its text; /back clears it")
    func awayAndBack() {
        var state = connectedState()
        #expect(state.submit("/away") == [.setAway("away")])
        #expect(state.submit("/away lunch, back at 2") == [.setAway("lunch, back at 2")])
        #expect(state.submit("/back") == [.setAway(nil)])
    }

    @Test("/search TEXT searches; alone it shows the usage")
    func searchCommand() {
        var state = connectedState()
        #expect(state.submit("/search release date") == [.search("release date")])
        #expect(state.submit("/search") == [])
        #expect(state.kinds.last == .notice("usage: /search TEXT, for example /search release date"))
    }

    @Test("/filter smart|all switches the join filter; anything else shows the usage")
    func filterCommand() {
        var state = connectedState()
        #expect(state.joinFilter == .all)
        #expect(state.submit("/filter smart") == [])
        #expect(state.joinFilter == .smart)
        #expect(state.submit("/filter sometimes") == [])
        #expect(state.joinFilter == .smart)
        #expect(state.kinds.last == .notice("usage: /filter smart|all (now: smart)"))
        #expect(state.input.text == "/filter sometimes")  // kept, to be corrected
        _ = state.handle(.control("u"), now: time("10:00"))
        _ = state.submit("/filter all")
        #expect(state.joinFilter == .all)
    }

    @Test("Requests need a connection: the line stays in the input")
    func requestsNeedConnection() {
        var state = makeState()
        #expect(state.submit("/msg bob hi") == [])
        #expect(state.input.text == "/msg bob hi")
    }

    @Test("/help names every command")
    func helpListsEveryCommand() {
        var state = connectedState()
        _ = state.submit("/help")
        let help = state.kinds.compactMap { kind -> String? in if case .help(let text) = kind { text } else { nil } }
        for command in ["/help", "/who", "/me", "/msg", "/away", "/back", "/search", "/filter", "/clear", "/quit"] {
            #expect(help.contains { $0.hasPrefix("  \(command) ") }, "\(command) missing from /help")
        }
    }

    @Test("Tab completes commands at the start of the line, names elsewhere")
    func tabCompletesCommands() {
        var state = connectedState()
        state.type("/se")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "/search ")
        state = connectedState()
        state.type("/b")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "/back ")
        state.type("b")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "/back bob ")
    }

    @Test("A paste goes into the input line whole, line breaks kept, and Enter sends it as one message")
    func pasteIsOneMessage() {
        var state = connectedState()
        _ = state.handle(.paste("first line\r\nsecond\rthird"), now: time("10:00"))
        #expect(state.input.text == "first line\nsecond\nthird")
        #expect(state.handle(.enter, now: time("10:00")) == [.sendChat("first line\nsecond\nthird")])
    }

    @Test("A pasted block starting with / is sent as text, not run as a command")
    func pastedSlashIsText() {
        var state = connectedState()
        _ = state.handle(.paste("/etc/hosts\n/etc/passwd"), now: time("10:00"))
        #expect(state.handle(.enter, now: time("10:00")) == [.sendChat("/etc/hosts\n/etc/passwd")])
    }
}
