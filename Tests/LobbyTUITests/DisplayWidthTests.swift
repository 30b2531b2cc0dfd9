import LobbyTUI
import Testing

@Suite("Display width")
struct DisplayWidthTests {
    @Test("ASCII letters are one cell", arguments: ["a", "Z", "~", " "] as [Character])
    func ascii(character: Character) {
        #expect(displayWidth(of: character) == 1)
    }

    @Test(
        "Hangul syllables, CJK ideographs and fullwidth forms are two cells",
        arguments: ["한", "국", "中", "文", "日", "Ａ"] as [Character])
    func wideScripts(character: Character) {
        #expect(displayWidth(of: character) == 2)
    }

    @Test("An emoji ZWJ sequence is one cluster of two cells")
    func zwjFamily() {
        let family: Character = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(family.unicodeScalars.count == 5)
        #expect(displayWidth(of: family) == 2)
    }

    @Test("VS16 turns a one-cell symbol into a two-cell emoji; without it the symbol stays narrow")
    func variationSelector() {
        #expect(displayWidth(of: "\u{2764}\u{FE0F}") == 2)
        #expect(displayWidth(of: "\u{2764}") == 1)
    }

    @Test("Combining marks add no width")
    func combiningMarks() {
        let decomposed: Character = "e\u{0301}"
        #expect(decomposed.unicodeScalars.count == 2)
        #expect(displayWidth(of: decomposed) == 1)
        #expect(displayWidth(of: "a\u{0308}\u{0323}") == 1)
    }

    @Test("Hangul written as conjoining jamo is one two-cell cluster")
    func conjoiningJamo() {
        let syllable: Character = "\u{1112}\u{1161}\u{11AB}"
        #expect(displayWidth(of: syllable) == 2)
    }

    @Test("Flags and skin-tone emoji are two cells")
    func flagsAndModifiers() {
        #expect(displayWidth(of: "\u{1F1F0}\u{1F1F7}") == 2)
        #expect(displayWidth(of: "\u{1F44B}\u{1F3FD}") == 2)
    }

    @Test(
        "Controls are zero cells: they are never printed",
        arguments: ["\n", "\t", "\u{1B}", "\u{7F}", "\u{85}", "\r\n", "\u{2028}"] as [Character])
    func controls(character: Character) {
        #expect(displayWidth(of: character) == 0)
    }

    @Test("A string's width sums its clusters")
    func stringWidth() {
        #expect(displayWidth(of: "hi 한국어 👩‍👩‍👧❤️") == 3 + 6 + 1 + 2 + 2)
        #expect(displayWidth(of: "") == 0)
    }

    @Test("What curses is sent matches the measured width")
    func terminalSafeForms() {
        #expect(terminalSafeText(for: "a") == "a")
        #expect(terminalSafeText(for: "한") == "한")
        #expect(terminalSafeText(for: "e\u{0301}") == "e\u{0301}")
        // VS16: the narrow symbol plus a space, so no terminal draws it wider than the layout.
        #expect(terminalSafeText(for: "\u{2764}\u{FE0F}") == "\u{2764} ")
        // ZWJ sequence: its first emoji, which every terminal draws in two cells.
        #expect(terminalSafeText(for: "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}") == "\u{1F469}")
        #expect(terminalSafeText(for: "\u{1B}") == "")
    }
}
