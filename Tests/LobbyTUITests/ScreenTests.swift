import LobbyCore
import LobbyTUI
import Testing

/// alice in a room with bob and carol: history, an action, dave joining and leaving, and a
/// Korean draft in the input line.
func roomState(width: Int, height: Int) -> ClientState {
    var state = makeState(width: width, height: height)
    state.apply(.status(.connected(user: "alice", sessionID: "3k9xq2zp")), now: time("09:59"))
    let history = [message(1, "bob", "hi alice, welcome to the lobby"), message(2, "alice", "hello bob", at: "10:01")]
    state.apply(.welcome(welcome(members: ["carol", "alice", "bob"], history: history)), now: time("10:02"))
    state.apply(.message(message(3, "carol", "/me waves", at: "10:02")), now: time("10:02"))
    state.apply(.presence(.join("dave", sessions: 1, at: time("10:03"))), now: time("10:03"))
    state.apply(.presence(.leave("dave", reason: .closed, sessions: 0, at: time("10:04"))), now: time("10:04"))
    state.type("안녕 everyone")
    return state
}

/// A row of a screen with the member pane: message area text, border, pane text.
func paneRow(_ message: String, _ pane: String = "", width: Int = 100) -> String {
    padded(message, to: width - 16) + "│ " + padded(pane, to: 14)
}

@Suite("Screen")
struct ScreenTests {
    @Test("100×30: status, messages, member pane, input with the cursor after the text")
    func largeTerminal() {
        let canvas = rendered(roomState(width: 100, height: 30), width: 100, height: 30)
        let expected =
            [
                padded("lobby — connected as alice (session 3k9x…) — 3 members", to: 100),
                paneRow("09:59 -!- connected as alice", "3 members"),
                paneRow("10:00 <bob> hi alice, welcome to the lobby", "* alice"),
                paneRow("10:01 <alice> hello bob", "  bob"),
                paneRow("10:02 * carol waves", "  carol"),
                paneRow("10:03 --> dave joined"),
                paneRow("10:04 <-- dave left (connection closed)"),
            ] + Array(repeating: paneRow(""), count: 22) + [padded("> 안녕 everyone", to: 100)]
        #expect(canvas.lines == expected)
        #expect(canvas.cursor == (row: 29, column: 15, visible: true))
        #expect(canvas.presentCount == 1)
    }

    @Test("100×30: regions are styled apart; own nick bold, nicks colored by name")
    func largeTerminalStyles() {
        let canvas = rendered(roomState(width: 100, height: 30), width: 100, height: 30)
        #expect(canvas.style(row: 0, column: 0) == .status)
        #expect(canvas.style(row: 0, column: 99) == .status)
        #expect(canvas.style(row: 1, column: 0) == .time)
        #expect(canvas.style(row: 1, column: 6) == .notice)
        #expect(canvas.style(row: 2, column: 7) == .nick("bob"))
        #expect(canvas.style(row: 3, column: 7) == .nick("alice", isOwn: true))
        #expect(canvas.style(row: 3, column: 7).isBold)
        #expect(canvas.style(row: 5, column: 6) == .join)
        #expect(canvas.style(row: 6, column: 6) == .leave)
        #expect(canvas.style(row: 2, column: 88) == .nick("alice", isOwn: true))
        #expect(canvas.style(row: 3, column: 88) == .nick("bob"))
    }

    @Test("40×10: no member pane, long lines wrap under the text, status line shortened")
    func mediumTerminal() {
        let canvas = rendered(roomState(width: 40, height: 10), width: 40, height: 10)
        #expect(
            canvas.lines == [
                padded("connected as alice — 3 members", to: 40),
                padded("09:59 -!- connected as alice", to: 40),
                padded("10:00 <bob> hi alice, welcome to the", to: 40),
                padded("      lobby", to: 40),
                padded("10:01 <alice> hello bob", to: 40),
                padded("10:02 * carol waves", to: 40),
                padded("10:03 --> dave joined", to: 40),
                padded("10:04 <-- dave left (connection closed)", to: 40),
                padded("", to: 40),
                padded("> 안녕 everyone", to: 40),
            ])
    }

    @Test("20×5, the smallest size: the newest rows, the input line, a short status")
    func smallestTerminal() {
        let canvas = rendered(roomState(width: 20, height: 5), width: 20, height: 5)
        #expect(
            canvas.lines == [
                "alice — 3 members   ",
                "10:04 <-- dave left ",
                "      (connection   ",
                "      closed)       ",
                "> 안녕 everyone     ",
            ])
        #expect(canvas.cursor == (row: 4, column: 15, visible: true))
    }

    @Test("Below 20×5 only \"terminal too small\" is drawn, clipped", arguments: [(19, 4), (19, 30), (100, 4), (5, 2)])
    func tooSmall(width: Int, height: Int) {
        let canvas = rendered(roomState(width: width, height: height), width: width, height: height)
        let first = String("terminal too small".prefix(width))
        #expect(canvas.lines == [padded(first, to: width)] + Array(repeating: padded("", to: width), count: height - 1))
        #expect(canvas.cursor.visible == false)
    }

    @Test("The member pane shows from 50 columns and is hidden below")
    func memberPaneThreshold() {
        let wide = rendered(roomState(width: 50, height: 10), width: 50, height: 10)
        let narrow = rendered(roomState(width: 49, height: 10), width: 49, height: 10)
        #expect(wide.lines[1].hasSuffix("│ 3 members     "))
        #expect(wide.lines[2].hasSuffix("│ * alice       "))
        #expect(!narrow.lines.joined().contains("│"))
        #expect(!narrow.lines.joined().contains("* alice"))
    }

    @Test("Members that do not fit are counted on the last row")
    func memberOverflow() {
        var state = makeState(width: 60, height: 6)
        state.apply(.welcome(welcome(members: ["alice", "bob", "carol", "dave", "erin"])), now: time("10:00"))
        let canvas = rendered(state, width: 60, height: 6)
        #expect(canvas.lines[1].hasSuffix("│ 5 members     "))
        #expect(canvas.lines[2].hasSuffix("│ * alice       "))
        #expect(canvas.lines[3].hasSuffix("│   bob         "))
        #expect(canvas.lines[4].hasSuffix("│   +3 more     "))
    }

    @Test("A wide name is clipped at the pane's edge: half a syllable becomes a space")
    func wideNameClippedAtEdge() {
        var state = makeState(width: 60, height: 6)
        state.apply(.welcome(welcome(members: ["alice", "a김철수김철수김"])), now: time("10:00"))
        let canvas = rendered(state, width: 60, height: 6)
        #expect(canvas.lines[3] == paneRow("", "  a김철수김철 ", width: 60))
        #expect(displayWidth(of: canvas.lines[3]) == 60)
    }

    @Test("Long Korean and emoji messages wrap by width and never cross into the member pane")
    func wideTextWraps() {
        var state = connectedState(width: 60, height: 8)
        let text = "한국어 메시지가 아주 길어서 줄이 바뀝니다 👩‍👩‍👧❤️ 中文字符也一样很长很长很长"
        state.apply(.message(message(1, "bob", text)), now: time("10:00"))
        let canvas = rendered(state, width: 60, height: 8)
        #expect(
            Array(canvas.lines[2...5]) == [
                paneRow("10:00 <bob> 한국어 메시지가 아주 길어서 줄이", "* alice", width: 60),
                paneRow("      바뀝니다 👩‍👩‍👧❤️", "  bob", width: 60),
                paneRow("      中文字符也一样很长很长很长", "  carol", width: 60),
                paneRow("", width: 60),
            ])
        for row in 1...6 {
            #expect(canvas.cell(row: row, column: 44) == .cluster("│"))
        }
    }

    @Test("A word longer than the row is cut at a cluster boundary, wide clusters whole")
    func longWordIsCut() {
        var state = connectedState(width: 20, height: 6)
        state.apply(.message(message(1, "bob", "가나다라마바사아자차카타")), now: time("10:00"))
        let canvas = rendered(state, width: 20, height: 6)
        #expect(Array(canvas.lines[2...4]) == ["10:00 <bob> 가나다라", "      마바사아자차카", "      타            "])
    }

    @Test("Controls in messages never reach the screen; a line break starts an indented row")
    func controlsStripped() {
        var state = connectedState(width: 40, height: 5)
        state.apply(.message(message(1, "bob", "a\u{1B}[2Jb\nc\td")), now: time("10:00"))
        let canvas = rendered(state, width: 40, height: 5)
        #expect(canvas.lines[2] == padded("10:00 <bob> a[2Jb", to: 40))
        #expect(canvas.lines[3] == padded("      c d", to: 40))
    }

    @Test("Status line while connecting, reconnecting and disconnected")
    func statusLines() {
        var state = makeState(width: 40, height: 5)
        #expect(rendered(state, width: 40, height: 5).lines[0] == padded("lobby — connecting…", to: 40))
        state.apply(.status(.connecting(attempt: 3)), now: time("10:00"))
        #expect(rendered(state, width: 40, height: 5).lines[0] == padded("lobby — connecting… (attempt 3)", to: 40))
        state.apply(.status(.reconnecting(inSeconds: 4)), now: time("10:00"))
        #expect(rendered(state, width: 40, height: 5).lines[0] == padded("lobby — reconnecting in 4 s", to: 40))
        #expect(rendered(state, width: 20, height: 5).lines[0] == "reconnecting in 4 s ")
        state.apply(.status(.disconnected("bad name")), now: time("10:00"))
        #expect(rendered(state, width: 40, height: 5).lines[0] == padded("lobby — disconnected: bad name", to: 40))
    }

    @Test("Long input scrolls horizontally; the cursor stays on the input line")
    func inputScrolls() {
        var state = connectedState(width: 20, height: 5)
        state.type("한국어로 긴 문장을 입력합니다")
        let canvas = rendered(state, width: 20, height: 5)
        // 29 cells of text in 18: the view starts at cell 18 (two half-width steps).
        #expect(canvas.lines[4] == padded(">  입력합니다", to: 20))
        #expect(canvas.cursor == (row: 4, column: 13, visible: true))
    }
}
