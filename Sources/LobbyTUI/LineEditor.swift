/// The input line: text edited one grapheme cluster (`Character`) at a time.
///
/// The cursor is an index in `Character`s, so ←/→ step over a whole Hangul syllable, a letter
/// with its combining accents or an emoji ZWJ sequence, and Backspace removes it whole. Scalars
/// typed one at a time join the cluster before them the way Unicode says they do: inserting
/// U+0301 after `e` leaves one cluster `é` and the cursor after it.
///
/// ```swift
/// var editor = LineEditor()
/// editor.insert("한")
/// editor.insert("글")
/// editor.moveLeft()
/// editor.deleteBackward()   // text == "글", cursor == 0
/// ```
public struct LineEditor: Sendable, Equatable {
    public private(set) var text: String
    /// The cursor, in `Character`s from the start: `0...text.count`.
    public private(set) var cursor: Int

    public init(text: String = "") {
        self.text = text
        cursor = text.count
    }

    public var isEmpty: Bool { text.isEmpty }

    /// Replaces the text and puts the cursor at its end (history recall, completion).
    public mutating func replace(with newText: String, cursor newCursor: Int? = nil) {
        text = newText
        cursor = min(max(newCursor ?? newText.count, 0), newText.count)
    }

    public mutating func insert(_ character: Character) {
        insert(String(character))
    }

    public mutating func insert(_ string: String) {
        let head = String(textBeforeCursor) + string
        text = head + textAfterCursor
        // Counting the joined head, not adding string.count: what was inserted may merge with
        // the cluster before the cursor (a combining mark, a ZWJ, a variation selector).
        cursor = min(head.count, text.count)
    }

    public mutating func moveLeft() { cursor = max(cursor - 1, 0) }
    public mutating func moveRight() { cursor = min(cursor + 1, text.count) }
    public mutating func moveToStart() { cursor = 0 }
    public mutating func moveToEnd() { cursor = text.count }

    /// Backspace: removes the cluster before the cursor.
    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        remove(from: cursor - 1, to: cursor)
    }

    /// Delete: removes the cluster under the cursor.
    public mutating func deleteForward() {
        guard cursor < text.count else { return }
        remove(from: cursor, to: cursor + 1)
    }

    /// Ctrl-U: removes everything before the cursor.
    public mutating func deleteToStart() {
        remove(from: 0, to: cursor)
    }

    /// Ctrl-K: removes everything from the cursor on.
    public mutating func deleteToEnd() {
        remove(from: cursor, to: text.count)
    }

    /// Ctrl-W: removes the word before the cursor and the blanks between it and the cursor.
    public mutating func deletePreviousWord() {
        let characters = Array(text)
        var start = cursor
        while start > 0, characters[start - 1].isWhitespace { start -= 1 }
        while start > 0, !characters[start - 1].isWhitespace { start -= 1 }
        remove(from: start, to: cursor)
    }

    /// Alt-B: to the start of the word before the cursor.
    public mutating func moveWordLeft() {
        let characters = Array(text)
        while cursor > 0, characters[cursor - 1].isWhitespace { cursor -= 1 }
        while cursor > 0, !characters[cursor - 1].isWhitespace { cursor -= 1 }
    }

    /// Alt-F: past the end of the word after the cursor.
    public mutating func moveWordRight() {
        let characters = Array(text)
        while cursor < characters.count, characters[cursor].isWhitespace { cursor += 1 }
        while cursor < characters.count, !characters[cursor].isWhitespace { cursor += 1 }
    }

    /// Alt-D: removes from the cursor to the end of the word after it.
    public mutating func deleteNextWord() {
        let start = cursor
        moveWordRight()
        let end = cursor
        cursor = start
        remove(from: start, to: end)
    }

    /// The text before the cursor.
    public var textBeforeCursor: Substring { text.prefix(cursor) }
    /// The text from the cursor on.
    public var textAfterCursor: Substring { text.dropFirst(cursor) }

    private mutating func remove(from start: Int, to end: Int) {
        guard start < end else { return }
        let characters = Array(text)
        let kept = String(characters[..<start]) + String(characters[end...])
        text = kept
        // Removing clusters can let the neighbors join (a lone combining mark after the gap).
        cursor = min(String(characters[..<start]).count, kept.count)
    }
}

/// The part of the input line that fits in a number of cells, and where the cursor is in it.
public struct VisibleInput: Sendable, Equatable {
    /// At most `width` cells wide.
    public var text: String
    /// The cursor's cell within `text` (at most `width - 1`).
    public var cursorColumn: Int

    public init(text: String, cursorColumn: Int) {
        self.text = text
        self.cursorColumn = cursorColumn
    }
}

extension LineEditor {
    /// The cursor's cell counted from the start of the text.
    public var cursorColumn: Int { displayWidth(of: textBeforeCursor) }

    /// The slice of the text to show in `width` cells, scrolled horizontally so the cursor is
    /// always visible.
    ///
    /// Scrolling jumps by about half the width, as readline and irssi do, so the text does not
    /// slide under the user's eyes on every keystroke: the view starts at the first multiple of
    /// `width / 2` cells that leaves the cursor inside the last cell or before it. A double-width
    /// cluster cut by the left edge shows as a space.
    public func visible(width: Int) -> VisibleInput {
        guard width > 0 else { return VisibleInput(text: "", cursorColumn: 0) }
        let cursorCell = cursorColumn
        let step = max(width / 2, 1)
        var start = 0
        while cursorCell - start > width - 1 { start += step }
        var visible = ""
        var cell = 0
        for character in text {
            let clusterWidth = displayWidth(of: character)
            defer { cell += clusterWidth }
            if clusterWidth == 0 { continue }
            let column = cell - start
            if column + clusterWidth <= 0 { continue }
            if column >= width { break }
            if column < 0 || column + clusterWidth > width {
                visible += column < 0 ? String(repeating: " ", count: column + clusterWidth) : " "
                continue
            }
            visible.append(character)
        }
        return VisibleInput(text: visible, cursorColumn: cursorCell - start)
    }
}
