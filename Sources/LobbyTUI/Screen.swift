import LobbyCore

/// Draws a ``ClientState`` on a ``Canvas``: the whole screen, every time.
///
/// Each region is drawn clipped to its own rectangle (see ``ScreenLayout``), so nothing a user
/// types or the server sends can spill into another region or wrap the terminal.
public enum Screen {
    public static func render(_ state: ClientState, on canvas: any Canvas, now: Timestamp) {
        let size = canvas.size
        let layout = ScreenLayout(width: size.width, height: size.height)
        canvas.clear()
        if layout.isTooSmall {
            canvas.put("terminal too small", row: 0, column: 0, style: .plain)
            canvas.moveCursor(row: 0, column: 0, visible: false)
            canvas.present()
            return
        }
        drawStatus(state, layout: layout, on: canvas)
        drawMessages(state, layout: layout, on: canvas)
        if layout.showsMemberPane { drawMembers(state, layout: layout, on: canvas) }
        drawInput(state, layout: layout, on: canvas)
        canvas.present()
    }

    // MARK: - Status line

    private static func drawStatus(_ state: ClientState, layout: ScreenLayout, on canvas: any Canvas) {
        canvas.put(String(repeating: " ", count: layout.width), row: layout.statusRow, column: 0, style: .status)
        let choices = statusTexts(state)
        let text = choices.first { displayWidth(of: $0) <= layout.width } ?? choices[choices.count - 1]
        canvas.put(text, row: layout.statusRow, column: 0, style: .status)
    }

    /// The status line from the most to the least detailed; the first that fits is shown.
    static func statusTexts(_ state: ClientState) -> [String] {
        let texts = connectionTexts(state)
        guard state.scrollOffset > 0, state.unseenMessages > 0 else { return texts }
        // Scrolled up: what arrived below, so a mention is not missed.
        var below = "\(state.unseenMessages) new"
        if state.unseenMentions > 0 {
            below += ", \(state.unseenMentions) \(state.unseenMentions == 1 ? "mention" : "mentions")"
        }
        return texts.map { "\($0) — \(below) below" } + texts
    }

    private static func connectionTexts(_ state: ClientState) -> [String] {
        switch state.status {
        case .connecting(let attempt):
            let text = attempt > 1 ? "connecting… (attempt \(attempt))" : "connecting…"
            return ["lobby — " + text, text]
        case .connected(let user, let sessionID):
            let session = sessionID.count > 4 ? sessionID.prefix(4) + "…" : Substring(sessionID)
            let count = state.members.count
            let members = "\(count) \(count == 1 ? "member" : "members")"
            // Your own away state, where irssi shows it: on the status line.
            let away = state.ownAway.map { $0 == TypedLine.defaultAwayMessage ? " [away]" : " [away: \($0)]" } ?? ""
            let shortAway = state.ownAway == nil ? "" : " [away]"
            return [
                "lobby — connected as \(user)\(away) (session \(session)) — \(members)",
                "connected as \(user)\(away) — \(members)",
                "\(user)\(shortAway) — \(members)",
                user + shortAway,
                user,
            ].map { printable($0) }
        case .reconnecting(let seconds):
            let text = "reconnecting in \(seconds) s"
            return ["lobby — " + text, text]
        case .disconnected(let reason):
            return ["lobby — disconnected: \(printable(reason))", "disconnected: \(printable(reason))"]
        }
    }

    // MARK: - Message area

    private static func drawMessages(_ state: ClientState, layout: ScreenLayout, on canvas: any Canvas) {
        let height = layout.messageHeight
        let width = layout.messageWidth
        let offset = state.scrollOffset > 0 ? min(state.scrollOffset, maximumOffset(state, layout: layout)) : 0
        let contentHeight = offset > 0 ? height - 1 : height
        // Wrap from the newest line back, only as far as the rows in view.
        var rows: [[StyledRun]] = []
        for line in state.lines.reversed() where rows.count < offset + contentHeight {
            rows.insert(contentsOf: line.rows(width: width), at: 0)
        }
        let end = rows.count - offset
        let visible = rows[max(end - contentHeight, 0)..<max(end, 0)]
        for (index, row) in visible.enumerated() {
            draw(row, row: layout.messageTop + index, width: width, on: canvas)
        }
        if offset > 0 {
            let mark = "-- more below --"
            let padded = mark + String(repeating: " ", count: max(width - displayWidth(of: mark), 0))
            draw(
                [StyledRun(text: padded, style: .status)], row: layout.messageTop + height - 1, width: width, on: canvas
            )
        }
    }

    private static func maximumOffset(_ state: ClientState, layout: ScreenLayout) -> Int {
        var scrolled = state
        scrolled.resize(width: layout.width, height: layout.height)
        return scrolled.maximumScrollOffset
    }

    // MARK: - Member pane

    private static func drawMembers(_ state: ClientState, layout: ScreenLayout, on canvas: any Canvas) {
        let column = layout.memberPaneColumn
        // One blank cell between the border and the names.
        let width = ScreenLayout.memberPaneWidth - 2
        for row in layout.messageTop..<(layout.messageTop + layout.messageHeight) {
            canvas.put("│", row: row, column: column, style: .dim)
        }
        // While disconnected nobody says who comes and goes: the last list known is greyed while a
        // reconnect is coming, and gone when none is (a kick, a refused certificate).
        let members: [Member]
        if state.membersAreKnown {
            members = state.members
        } else if case .disconnected = state.status {
            members = []
        } else {
            members = state.members
        }
        let count = members.count
        let title = state.membersAreKnown ? "\(count) \(count == 1 ? "member" : "members")" : "(disconnected)"
        draw(
            [StyledRun(text: title, style: state.membersAreKnown ? .bold : .dim)], row: layout.messageTop, width: width,
            column: column + 2, on: canvas)
        let slots = layout.messageHeight - 1
        let overflow = count > slots
        let shown = overflow ? members.prefix(max(slots - 1, 0)) : members[...]
        for (index, member) in shown.enumerated() {
            let isOwn = member.user == state.ownName
            let nickStyle: TextStyle =
                state.membersAreKnown ? .nick(member.user, isOwn: isOwn, isAway: member.away != nil) : .dim
            let runs = [
                StyledRun(text: isOwn ? "* " : "  ", style: .plain),
                StyledRun(text: printable(member.user), style: nickStyle),
            ]
            draw(runs, row: layout.messageTop + 1 + index, width: width, column: column + 2, on: canvas)
        }
        if overflow, slots > 0 {
            let more = StyledRun(text: "  +\(count - shown.count) more", style: .dim)
            draw([more], row: layout.messageTop + slots, width: width, column: column + 2, on: canvas)
        }
    }

    // MARK: - Input line

    private static func drawInput(_ state: ClientState, layout: ScreenLayout, on canvas: any Canvas) {
        let prompt = "> "
        let promptWidth = displayWidth(of: prompt)
        canvas.put(prompt, row: layout.inputRow, column: 0, style: .bold)
        // A pasted line break shows as ↵ (one cell for one character, so the cursor stays put).
        var shown = state.input
        if shown.text.contains("\n") {
            shown.replace(with: String(shown.text.map { $0 == "\n" ? "↵" : $0 }), cursor: shown.cursor)
        }
        let visible = shown.visible(width: layout.width - promptWidth)
        canvas.put(visible.text, row: layout.inputRow, column: promptWidth, style: .plain)
        canvas.moveCursor(row: layout.inputRow, column: promptWidth + visible.cursorColumn, visible: true)
    }

    // MARK: - Clipped drawing

    /// Draws runs from `column`, never past `column + width`.
    private static func draw(
        _ runs: [StyledRun], row: Int, width: Int, column: Int = 0, on canvas: any Canvas
    ) {
        var used = 0
        for run in runs {
            let text = clipped(run.text, toWidth: width - used)
            guard !text.isEmpty else { break }
            canvas.put(text, row: row, column: column + used, style: run.style)
            used += displayWidth(of: text)
        }
    }
}

/// The longest start of `text` that fits in `width` cells; a double-width cluster cut by the
/// limit becomes a space.
func clipped(_ text: String, toWidth width: Int) -> String {
    placeClusters(of: text, column: 0, width: max(width, 0)).map(\.text).joined()
}
