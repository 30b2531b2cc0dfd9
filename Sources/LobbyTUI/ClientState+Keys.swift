import LobbyCore

/// Tab completion in progress: pressing Tab again offers the next name.
struct NameCompletion: Sendable, Equatable {
    var textBefore: String
    var textAfter: String
    var candidates: [String]
    var index: Int
    /// A name completed at the start of the line is addressed (`bob: `), as IRC clients do.
    var separator: String
}

extension ClientState {
    /// Edits the input line, scrolls, or runs the line on Enter; returns what the client loop
    /// must do.
    ///
    /// Ctrl-C quits. Ctrl-D quits on an empty line and deletes the cluster under the cursor
    /// otherwise, as in shells, so an Emacs-trained hand does not end the chat by accident.
    public mutating func handle(_ key: Key, now: Timestamp) -> [ClientCommand] {
        if key != .tab { completion = nil }
        switch key {
        case .character(let character):
            // Controls never reach the input line: they could not be drawn.
            guard !character.isNewline, displayWidth(of: character) > 0 || isJoining(character) else { return [] }
            input.insert(character)
        case .enter: return submit(now: now)
        case .backspace, .control("h"): input.deleteBackward()
        case .delete: input.deleteForward()
        case .left, .control("b"): input.moveLeft()
        case .right, .control("f"): input.moveRight()
        case .home, .control("a"): input.moveToStart()
        case .end, .control("e"): input.moveToEnd()
        case .control("u"): input.deleteToStart()
        case .control("k"): input.deleteToEnd()
        case .control("w"): input.deletePreviousWord()
        case .up, .control("p"): recallOlderInput()
        case .down, .control("n"): recallNewerInput()
        case .pageUp: scroll(by: scrollPage)
        case .pageDown: scroll(by: -scrollPage)
        case .tab: completeName()
        case .control("l"), .resize: return [.redraw]
        case .control("c"): return [.quit]
        case .control("d"):
            if input.isEmpty { return [.quit] }
            input.deleteForward()
        case .control, .escape: break
        }
        return []
    }

    /// Combining marks, ZWJ and variation selectors arrive alone from the terminal and join the
    /// cluster before the cursor.
    private func isJoining(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: true
            default: scalar.value == 0x200D || (0xFE00...0xFE0F).contains(scalar.value)
            }
        }
    }

    // MARK: - Running a line

    private mutating func submit(now: Timestamp) -> [ClientCommand] {
        let text = input.text
        let trimmed = text.trimmed(where: \.isWhitespace)
        guard !trimmed.isEmpty else {
            input = LineEditor()
            return []
        }
        remember(text)
        if trimmed.hasPrefix("/"), !trimmed.hasPrefix("//") {
            return run(command: trimmed, now: now)
        }
        // `//path` sends `/path`: the IRC way to start a message with a slash.
        return send(trimmed.hasPrefix("//") ? String(trimmed.dropFirst()) : text, now: now)
    }

    private mutating func run(command line: String, now: Timestamp) -> [ClientCommand] {
        let name = line.prefix { !$0.isWhitespace }.lowercased()
        let argument = line.drop { !$0.isWhitespace }.trimmed(where: \.isWhitespace)
        switch name {
        case "/quit", "/exit":
            input = LineEditor()
            return [.quit]
        case "/me":
            guard !argument.isEmpty else {
                input = LineEditor()
                append(.notice("usage: /me TEXT, for example /me waves"), at: now, now: now)
                return []
            }
            return send("/me " + argument, now: now)
        case "/help":
            input = LineEditor()
            for line in Self.helpLines { append(.help(line), at: now, now: now) }
        case "/who":
            input = LineEditor()
            append(.notice(whoLine), at: now, now: now)
        case "/clear":
            input = LineEditor()
            clearLines()
        default:
            input = LineEditor()
            append(.notice("unknown command \(name): type /help for the list"), at: now, now: now)
        }
        return []
    }

    /// Sends chat text, or keeps it in the input line when there is no connection to send it on.
    private mutating func send(_ text: String, now: Timestamp) -> [ClientCommand] {
        guard case .connected = status else {
            append(.error("not connected: message not sent (it stays in the input line)"), at: now, now: now)
            return []
        }
        input = LineEditor()
        scrollOffset = 0
        return [.sendChat(text)]
    }

    static let helpLines = [
        "commands:",
        "  /help       this help",
        "  /who        who is here",
        "  /me TEXT    an action: * you TEXT",
        "  /clear      clear the message area",
        "  /quit       leave (also Ctrl-C, or Ctrl-D on an empty line)",
        "keys: PgUp/PgDn scroll, Tab completes names, Up/Down recall lines, Ctrl-L redraws",
    ]

    private var whoLine: String {
        guard !members.isEmpty else { return "no members known yet" }
        let names = members.map { $0.user == ownName ? "\($0.user) (you)" : $0.user }
        return "\(members.count) \(members.count == 1 ? "member" : "members"): " + names.joined(separator: ", ")
    }

    // MARK: - Input history

    private mutating func remember(_ text: String) {
        historyPosition = nil
        if inputHistory.last != text { inputHistory.append(text) }
        if inputHistory.count > Self.maximumInputHistory { inputHistory.removeFirst() }
    }

    private mutating func recallOlderInput() {
        guard !inputHistory.isEmpty else { return }
        let position: Int
        if let current = historyPosition {
            guard current > 0 else { return }
            position = current - 1
        } else {
            draft = input.text
            position = inputHistory.count - 1
        }
        historyPosition = position
        input.replace(with: inputHistory[position])
    }

    private mutating func recallNewerInput() {
        guard let current = historyPosition else { return }
        if current + 1 < inputHistory.count {
            historyPosition = current + 1
            input.replace(with: inputHistory[current + 1])
        } else {
            historyPosition = nil
            input.replace(with: draft)
        }
    }

    // MARK: - Scrolling

    private var scrollPage: Int {
        ScreenLayout(width: terminalSize.width, height: terminalSize.height).scrollPage
    }

    private mutating func scroll(by rows: Int) {
        scrollOffset = min(max(scrollOffset + rows, 0), maximumScrollOffset)
    }

    // MARK: - Tab completion

    private mutating func completeName() {
        if var current = completion {
            current.index = (current.index + 1) % current.candidates.count
            completion = current
            applyCompletion(current)
            return
        }
        let before = Array(input.textBeforeCursor)
        var start = before.count
        while start > 0, !before[start - 1].isWhitespace { start -= 1 }
        let word = String(before[start...]).lowercased()
        guard !word.isEmpty else { return }
        let candidates = members.map(\.user).filter { $0 != ownName && $0.lowercased().hasPrefix(word) }
        guard !candidates.isEmpty else { return }
        let started = NameCompletion(
            textBefore: String(before[..<start]), textAfter: String(input.textAfterCursor),
            candidates: candidates, index: 0, separator: start == 0 ? ": " : " ")
        completion = started
        applyCompletion(started)
    }

    private mutating func applyCompletion(_ completion: NameCompletion) {
        let head = completion.textBefore + completion.candidates[completion.index] + completion.separator
        input.replace(with: head + completion.textAfter, cursor: head.count)
    }
}

extension StringProtocol {
    func trimmed(where isTrimmed: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: { !isTrimmed($0) }), let last = lastIndex(where: { !isTrimmed($0) })
        else { return "" }
        return String(self[first...last])
    }
}
