import LobbyCore
import LobbyTUI
import Testing

@Suite("Client state: keys and commands")
struct ClientCommandTests {
    @Test("Enter sends the line and empties the input")
    func sendsChat() {
        var state = connectedState()
        #expect(state.submit("hello 한국어") == [.sendChat("hello 한국어")])
        #expect(state.input.text.isEmpty)
    }

    @Test("An empty or blank line does nothing")
    func emptyLine() {
        var state = connectedState()
        let before = state.lines
        #expect(state.handle(.enter, now: time("10:00")) == [])
        #expect(state.submit("   ") == [])
        #expect(state.lines == before)
        #expect(state.input.text.isEmpty)
    }

    @Test("Without a connection the line is kept and the user told so")
    func notConnected() {
        var state = makeState()
        #expect(state.submit("hello") == [])
        #expect(state.input.text == "hello")
        #expect(state.kinds.last == .error("not connected: message not sent (it stays in the input line)"))
    }

    @Test("/me TEXT is sent as the text \"/me TEXT\"; /me alone gets a hint")
    func meCommand() {
        var state = connectedState()
        #expect(state.submit("/me waves") == [.sendChat("/me waves")])
        #expect(state.submit("/me") == [])
        #expect(state.kinds.last == .notice("usage: /me TEXT, for example /me waves"))
    }

    @Test("/quit, in any case, quits")
    func quitCommand() {
        var state = connectedState()
        #expect(state.submit("/quit") == [.quit])
        #expect(state.submit("/QUIT") == [.quit])
    }

    @Test("/help shows local help lines and sends nothing")
    func helpCommand() {
        var state = connectedState()
        #expect(state.submit("/help") == [])
        let help = state.kinds.filter { if case .help = $0 { true } else { false } }
        #expect(help.count == TypedLine.helpLines.count)
        #expect(help.first == .help("commands:"))
    }

    @Test("/who lists the members locally, own name marked")
    func whoCommand() {
        var state = connectedState()
        #expect(state.submit("/who") == [])
        #expect(state.kinds.last == .notice("3 members: alice (you), bob, carol"))
    }

    @Test("/clear empties the message area; cleared messages do not come back on reconnect")
    func clearCommand() {
        var state = connectedState(history: [message(1, "bob", "old")])
        #expect(state.submit("/clear") == [])
        #expect(state.lines.isEmpty)
        state.apply(
            .welcome(welcome(members: ["alice", "bob"], history: [message(1, "bob", "old")])), now: time("10:00"))
        #expect(state.lines.isEmpty)
    }

    @Test("An unknown command gets a hint, is not sent, and stays in the input to be corrected")
    func unknownCommand() {
        var state = connectedState()
        #expect(state.submit("/dance now") == [])
        #expect(state.kinds.last == .notice("unknown command /dance: type /help for the list (not sent)"))
        #expect(state.input.text == "/dance now")
    }

    @Test("A usage mistake keeps the line in the input too")
    func usageKeepsInput() {
        var state = connectedState()
        #expect(state.submit("/msg bob") == [])
        #expect(state.input.text == "/msg bob")
    }

    @Test(
        "Text over the limit (characters or UTF-8 bytes) is refused before it is sent and stays in the input",
        arguments: [
            String(repeating: "a", count: ChatLimits.textLength.upperBound + 1),
            "/me " + String(repeating: "a", count: ChatLimits.textLength.upperBound),
            "/msg bob " + String(repeating: "가", count: ChatLimits.textLength.upperBound + 1),
            String(repeating: "e" + String(repeating: "\u{301}", count: 8), count: 1500),
        ])
    func overTheLimit(text: String) {
        var state = connectedState()
        _ = state.handle(.paste(text), now: time("10:00"))  // one insertion: typing 4 000 keys is slow
        #expect(state.handle(.enter, now: time("10:00")) == [])
        #expect(state.input.text == text)
        guard case .error(let line) = state.kinds.last else {
            Issue.record("no error line: \(state.kinds.last.map { "\($0)" } ?? "none")")
            return
        }
        #expect(line.hasPrefix("text must be at most "))
        #expect(line.hasSuffix("(not sent; it stays in the input line)"))
    }

    @Test("Text at the limit is sent")
    func atTheLimit() {
        var state = connectedState()
        let text = String(repeating: "a", count: ChatLimits.textLength.upperBound)
        #expect(state.submit(text) == [.sendChat(text)])
        #expect(state.input.text.isEmpty)
    }

    @Test("A double slash sends a message that starts with a slash")
    func doubleSlash() {
        var state = connectedState()
        #expect(state.submit("//usr/bin is a path") == [.sendChat("/usr/bin is a path")])
    }

    @Test("Ctrl-L redraws; a resize redraws; Ctrl-C quits")
    func controlKeys() {
        var state = connectedState()
        #expect(state.handle(.control("l"), now: time("10:00")) == [.redraw])
        #expect(state.handle(.resize, now: time("10:00")) == [.redraw])
        #expect(state.handle(.control("c"), now: time("10:00")) == [.quit])
    }

    @Test("Ctrl-D quits on an empty line and deletes forward otherwise")
    func controlD() {
        var state = connectedState()
        state.type("ab")
        _ = state.handle(.home, now: time("10:00"))
        #expect(state.handle(.control("d"), now: time("10:00")) == [])
        #expect(state.input.text == "b")
        _ = state.handle(.control("u"), now: time("10:00"))
        _ = state.handle(.control("k"), now: time("10:00"))
        #expect(state.handle(.control("d"), now: time("10:00")) == [.quit])
    }

    @Test("Editing keys reach the line editor")
    func editingKeys() {
        var state = connectedState()
        state.type("안녕 world")
        _ = state.handle(.control("w"), now: time("10:00"))
        _ = state.handle(.control("a"), now: time("10:00"))
        _ = state.handle(.delete, now: time("10:00"))
        _ = state.handle(.control("e"), now: time("10:00"))
        _ = state.handle(.left, now: time("10:00"))
        _ = state.handle(.backspace, now: time("10:00"))
        #expect(state.input.text == " ")
        #expect(state.input.cursor == 0)
        _ = state.handle(.character("\u{1B}"), now: time("10:00"))
        #expect(state.input.text == " ")
    }

    @Test("Up and Down walk the input history and come back to the draft")
    func inputHistory() {
        var state = connectedState()
        _ = state.submit("first")
        _ = state.submit("second")
        state.type("draft")
        _ = state.handle(.up, now: time("10:00"))
        #expect(state.input.text == "second")
        _ = state.handle(.up, now: time("10:00"))
        _ = state.handle(.up, now: time("10:00"))
        #expect(state.input.text == "first")
        _ = state.handle(.down, now: time("10:00"))
        #expect(state.input.text == "second")
        _ = state.handle(.down, now: time("10:00"))
        #expect(state.input.text == "draft")
        _ = state.handle(.down, now: time("10:00"))
        #expect(state.input.text == "draft")
    }

    @Test("Tab completes a member name, addressed at the start of the line")
    func tabCompletionAtStart() {
        var state = connectedState()
        state.type("b")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "bob: ")
        #expect(state.input.cursor == 5)
    }

    @Test("Tab again cycles through the matching names; other keys end the cycle")
    func tabCompletionCycles() {
        var state = makeState()
        let names = ["alice", "Carl", "carol", "dave"]
        state.apply(.welcome(welcome(members: names)), now: time("10:00"))
        state.type("hi CA and")
        for _ in 0..<4 { _ = state.handle(.left, now: time("10:00")) }
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "hi Carl  and")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "hi carol  and")
        #expect(state.input.cursor == 9)
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "hi Carl  and")
        state.type("x")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "hi Carl x and")
    }

    @Test("Tab does not complete our own name, nor an empty word")
    func tabCompletionSkips() {
        var state = connectedState()
        state.type("al")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "al")
        state.type(" ")
        _ = state.handle(.tab, now: time("10:00"))
        #expect(state.input.text == "al ")
    }
}
