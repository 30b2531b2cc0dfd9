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

@Suite("Client state: a taken name and /nick")
struct NameTakenTests {
    private let taken = ErrorEvent(code: ErrorCode.nameTaken, message: "the name alice is taken on this server")

    @Test("a first identity refused: the status says how out, text stays, /nick asks without a connection")
    func refusedFirstIdentity() {
        var state = makeState()
        state.apply(.serverError(taken), now: time("10:00"))
        #expect(state.status == .disconnected("the name is taken: /nick ANOTHER or /quit"))
        #expect(
            state.kinds.suffix(2) == [
                .error("the name alice is taken on this server (name-taken)"),
                .notice("type /nick ANOTHERNAME to take another name, or /quit"),
            ])
        #expect(state.submit("hello") == [])
        #expect(state.input.text == "hello")
        _ = state.handle(.control("u"), now: time("10:00"))
        #expect(state.submit("/nick alice2") == [.rename("alice2")])
        #expect(state.input.text.isEmpty)
        state.apply(.status(.connected(user: "alice2", sessionID: "s1")), now: time("10:00"))
        #expect(state.ownName == "alice2")
        #expect(state.kinds.last == .notice("connected as alice2"))
        #expect(state.submit("/quit") == [.quit])
    }

    @Test("a refused /nick on a live session keeps the name")
    func refusedRename() {
        var state = connectedState()
        #expect(state.submit("/nick bob") == [.rename("bob")])
        state.apply(
            .serverError(ErrorEvent(code: ErrorCode.nameTaken, message: "the name bob is taken")), now: time("10:00"))
        #expect(state.kinds.last == .notice("you are still alice"))
        #expect(state.submit("hi") == [.sendChat("hi")])
    }

    @Test("/nick needs a valid name: a bad one is refused locally and stays in the input")
    func invalidNick() {
        var state = connectedState()
        #expect(state.submit("/nick") == [])
        #expect(state.kinds.last == .notice("usage: /nick NAME, for example /nick alice2"))
        _ = state.handle(.control("u"), now: time("10:00"))
        let long = "/nick " + String(repeating: "n", count: 200)
        #expect(state.submit(long) == [])
        #expect(state.input.text == long)
        guard case .error(let line) = state.kinds.last else {
            Issue.record("no error line")
            return
        }
        #expect(line.hasPrefix("/nick: "))
    }
}

@Suite("Client state: /reconnect")
struct ReconnectCommandTests {
    @Test("/reconnect asks for a new connection, and its end is not shown as a lost connection")
    func reconnect() {
        var state = connectedState()
        #expect(state.submit("/reconnect") == [.reconnect])
        state.apply(.status(.connecting(attempt: 1)), now: time("10:00"))
        state.apply(.status(.connected(user: "alice", sessionID: "s2")), now: time("10:00"))
        #expect(state.kinds.suffix(2) == [.notice("reconnecting…"), .notice("reconnected as alice")])
    }

    @Test("/reconnect works without a connection (after a kick)")
    func reconnectWhenDisconnected() {
        var state = makeState()
        state.apply(.status(.disconnected("removed by an operator (kicked)")), now: time("10:00"))
        #expect(state.submit("/reconnect") == [.reconnect])
    }
}

@Suite("Client state: highlight words")
struct HighlightWordTests {
    @Test("a highlight word marks a message and rings like the own name; a part of a word does not")
    func highlightWord() {
        var state = connectedState()
        state.highlightWords = ["deploy", "배포"]
        #expect(state.apply(.message(message(10, "bob", "Deploy: done")), now: time("10:00")) == [.bell])
        #expect(state.lines.last?.isMention == true)
        #expect(state.apply(.message(message(11, "bob", "redeployment")), now: time("10:00")) == [])
        #expect(state.lines.last?.isMention == false)
        #expect(state.apply(.message(message(12, "bob", "배포 끝")), now: time("10:00")) == [.bell])
        #expect(state.apply(.message(message(13, "alice", "deploy")), now: time("10:00")) == [])
    }
}

@Suite("Client state: /set")
struct SetCommandStateTests {
    @Test("/set is handed to the client loop, which owns the file, and says what happened with noteSetting")
    func set() {
        var state = connectedState()
        #expect(state.submit("/set bell false") == [.set(key: "bell", value: "false")])
        #expect(state.input.text.isEmpty)
        #expect(state.submit("/set") == [.set(key: nil, value: nil)])
        state.noteSetting(["bell = false (saved to /c/config.toml)"], now: time("10:00"))
        state.noteSetting(
            ["/set bell: bell must be true or false (nothing changed)"], isError: true, now: time("10:00"))
        #expect(
            state.kinds.suffix(2) == [
                .notice("bell = false (saved to /c/config.toml)"),
                .error("/set bell: bell must be true or false (nothing changed)"),
            ])
    }
}
