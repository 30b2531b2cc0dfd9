import LobbyTUI
import Testing

@Suite("Line editor")
struct LineEditorTests {
    let family = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}"
    let heart = "\u{2764}\u{FE0F}"

    @Test("Korean: the cursor moves one syllable at a time and Backspace removes one syllable")
    func korean() {
        var editor = LineEditor()
        editor.insert("한국어")
        #expect(editor.cursor == 3)
        #expect(editor.cursorColumn == 6)
        editor.moveLeft()
        #expect(editor.cursor == 2)
        #expect(editor.cursorColumn == 4)
        editor.deleteBackward()
        #expect(editor.text == "한어")
        #expect(editor.cursor == 1)
    }

    @Test("An emoji ZWJ sequence is one step for the cursor and one Backspace")
    func zwjSequence() {
        var editor = LineEditor()
        editor.insert("a" + family + "b")
        #expect(editor.text.count == 3)
        editor.moveLeft()
        editor.moveLeft()
        #expect(editor.cursor == 1)
        #expect(editor.cursorColumn == 1)
        editor.moveRight()
        #expect(editor.cursorColumn == 3)
        editor.deleteBackward()
        #expect(editor.text == "ab")
    }

    @Test("Scalars typed one at a time join into one cluster, cursor after it")
    func scalarsJoinWhenTyped() {
        var editor = LineEditor()
        for scalar in family.unicodeScalars {
            editor.insert(Character(scalar))
        }
        #expect(editor.text == family)
        #expect(editor.cursor == 1)
        #expect(editor.cursorColumn == 2)
        editor.insert("e")
        editor.insert("\u{0301}")
        #expect(editor.cursor == 2)
        #expect(editor.text.count == 2)
        #expect(editor.cursorColumn == 3)
    }

    @Test("VS16 emoji and combining marks are deleted whole, forward and backward")
    func deletesWholeClusters() {
        var editor = LineEditor()
        editor.insert(heart + "e\u{0301}x")
        editor.moveToStart()
        editor.deleteForward()
        #expect(editor.text == "e\u{0301}x")
        editor.moveRight()
        editor.deleteBackward()
        #expect(editor.text == "x")
        #expect(editor.cursor == 0)
    }

    @Test("Home and End, and nothing happens past the edges")
    func homeEndAndEdges() {
        var editor = LineEditor(text: "abc")
        #expect(editor.cursor == 3)
        editor.moveRight()
        editor.deleteForward()
        #expect(editor.cursor == 3)
        editor.moveToStart()
        editor.moveLeft()
        editor.deleteBackward()
        #expect(editor.cursor == 0)
        #expect(editor.text == "abc")
    }

    @Test("Ctrl-U and Ctrl-K kill to the start and to the end")
    func killLine() {
        var editor = LineEditor(text: "hello 한국 world")
        editor.replace(with: editor.text, cursor: 8)
        editor.deleteToEnd()
        #expect(editor.text == "hello 한국")
        editor.moveLeft()
        editor.deleteToStart()
        #expect(editor.text == "국")
        #expect(editor.cursor == 0)
    }

    @Test("Ctrl-W deletes the previous word and the blanks after it")
    func deletePreviousWord() {
        var editor = LineEditor(text: "say 안녕 하세요  ")
        editor.deletePreviousWord()
        #expect(editor.text == "say 안녕 ")
        editor.deletePreviousWord()
        #expect(editor.text == "say ")
        editor.deletePreviousWord()
        #expect(editor.text == "")
        editor.deletePreviousWord()
        #expect(editor.text == "")
    }

    @Test("Short text is shown whole, cursor after it")
    func visibleShortText() {
        let editor = LineEditor(text: "한a")
        #expect(editor.visible(width: 10) == VisibleInput(text: "한a", cursorColumn: 3))
    }

    @Test("Long text scrolls by half a width so the cursor stays in view")
    func horizontalScroll() {
        var editor = LineEditor(text: "abcdefghijklmnop")
        #expect(editor.visible(width: 10) == VisibleInput(text: "klmnop", cursorColumn: 6))
        editor.moveToStart()
        #expect(editor.visible(width: 10) == VisibleInput(text: "abcdefghij", cursorColumn: 0))
        editor.replace(with: editor.text, cursor: 9)
        #expect(editor.visible(width: 10) == VisibleInput(text: "abcdefghij", cursorColumn: 9))
        editor.moveRight()
        #expect(editor.visible(width: 10) == VisibleInput(text: "fghijklmno", cursorColumn: 5))
    }

    @Test("The cursor is in view for every position of a wide-character line")
    func cursorAlwaysVisible() {
        var editor = LineEditor(text: "한국어 텍스트 " + family + heart + " 中文 éé")
        for position in 0...editor.text.count {
            editor.replace(with: editor.text, cursor: position)
            for width in [3, 4, 7, 10] {
                let visible = editor.visible(width: width)
                #expect(visible.cursorColumn >= 0 && visible.cursorColumn < width)
                #expect(displayWidth(of: visible.text) <= width)
            }
        }
    }

    @Test("A wide character cut by the left edge shows as a space")
    func wideCharacterCutAtLeftEdge() {
        // Scrolled by 3 cells: "한" occupies cells 2-3, so cell 3 shows blank.
        let editor = LineEditor(text: "ab한cdefg")
        let visible = editor.visible(width: 7)
        #expect(visible == VisibleInput(text: " cdefg", cursorColumn: 6))
    }
}
