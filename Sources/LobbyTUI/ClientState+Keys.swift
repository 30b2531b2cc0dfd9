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
        case .alt("b"): input.moveWordLeft()
        case .alt("f"): input.moveWordRight()
        case .alt("d"): input.deleteNextWord()
        case .up, .control("p"): recallOlderInput()
        case .down, .control("n"): recallNewerInput()
        case .pageUp:
            // At the top of what is loaded: fetch the page before it.
            if scroll(by: scrollPage) { return requestOlderHistory() }
        case .pageDown: scroll(by: -scrollPage)
        case .wheelUp:
            if scroll(by: Self.wheelRows) { return requestOlderHistory() }
        case .wheelDown: scroll(by: -Self.wheelRows)
        case .paste(let text):
            // Line breaks of any kind become `\n`; other controls cannot be drawn or sent.
            let normalized = text.replacingNewlines().filter {
                $0 == "\n" || displayWidth(of: $0) > 0 || isJoining($0)
            }
            input.insert(normalized)
        case .tab: complete()
        case .control("l"), .resize: return [.redraw]
        case .control("c"): return [.quit]
        case .control("d"):
            if input.isEmpty { return [.quit] }
            input.deleteForward()
        case .control, .escape, .alt: break
        }
        return []
    }

    /// Combining marks, ZWJ and variation selectors arrive alone from the terminal and join the
    /// cluster before the cursor.
    func isJoining(_ character: Character) -> Bool {
        character.unicodeScalars.allSatisfy { scalar in
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .spacingMark: true
            default: scalar.value == 0x200D || (0xFE00...0xFE0F).contains(scalar.value)
            }
        }
    }

    // MARK: - Running a line

    private mutating func submit(now: Timestamp) -> [ClientCommand] {
        let line = TypedLine(parsing: input.text)
        if line != .empty { remember(input.text) }
        return run(line, now: now)
    }

    /// Sends chat text, or keeps it in the input line when there is no connection to send it on.
    mutating func send(_ text: String, now: Timestamp) -> [ClientCommand] {
        sendRequest(.sendChat(text), now: now)
    }

    /// Sends a request, or keeps the input line when there is no connection to send it on.
    mutating func sendRequest(_ command: ClientCommand, now: Timestamp) -> [ClientCommand] {
        guard case .connected = status else {
            append(.error("not connected: message not sent (it stays in the input line)"), at: now, now: now)
            return []
        }
        input = LineEditor()
        scrollToBottom()
        return [command]
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

    /// Rows one notch of the mouse wheel scrolls.
    static let wheelRows = 3

    /// Scrolls by `rows` (positive: up); returns whether the view is at the top of what is
    /// loaded (measured once: measuring wraps every line).
    @discardableResult
    private mutating func scroll(by rows: Int) -> Bool {
        let maximum = maximumScrollOffset
        scrollOffset = min(max(scrollOffset + rows, 0), maximum)
        if scrollOffset == 0 { scrollToBottom() }
        return scrollOffset >= maximum
    }

    /// Follows new lines again; nothing is unseen any more.
    mutating func scrollToBottom() {
        scrollOffset = 0
        unseenMessages = 0
        unseenMentions = 0
    }

    // MARK: - Tab completion

    private mutating func complete() {
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
        // A word starting the line with `/` is a command; anywhere else a name.
        let isCommand = start == 0 && word.hasPrefix("/")
        let candidates =
            isCommand
            ? Self.commandNames.filter { $0.hasPrefix(word) }
            : members.map(\.user).filter { $0 != ownName && $0.lowercased().hasPrefix(word) }
        guard !candidates.isEmpty else { return }
        let started = NameCompletion(
            textBefore: String(before[..<start]), textAfter: String(input.textAfterCursor),
            candidates: candidates, index: 0, separator: isCommand ? " " : start == 0 ? ": " : " ")
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

extension String {
    /// `\r\n` and lone `\r` (what terminals paste) as `\n`.
    func replacingNewlines() -> String {
        var result = ""
        for character in self {
            result.append(character.isNewline ? "\n" : character)
        }
        return result
    }
}
