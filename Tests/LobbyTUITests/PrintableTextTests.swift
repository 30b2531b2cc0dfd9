import LobbyTUI
import Testing

@Suite("Printable text: the one rule for the screen, --plain and log files")
struct PrintableTextTests {
    @Test(
        "Terminal escapes lose their ESC (or C1 introducer) and arrive as inert text",
        arguments: [
            ("\u{1B}]52;c;ZXZpbA==\u{07}", "]52;c;ZXZpbA=="),  // OSC 52: write the clipboard
            ("\u{1B}[6n", "[6n"),  // DSR: the terminal would type its answer into the input
            ("\u{9B}6n", "6n"),  // the same query with the one-byte C1 CSI
            ("\u{9D}0;title\u{9C}", "0;title"),  // C1 OSC … ST: set the window title
            ("a\u{7F}\u{08}b\u{00}c", "abc"),  // DEL, backspace, NUL
        ])
    func escapes(hostile: String, shown: String) {
        #expect(printable(hostile) == shown)
        #expect(printable(hostile, keepingNewlines: true) == shown)
    }

    @Test("Bidi controls, which would reorder what follows them on screen, are dropped")
    func bidiControls() {
        let hostile =
            "invoice\u{202E}fdp.exe\u{202C} \u{2066}a\u{2069}\u{2067}b\u{2069}\u{2068}c\u{2069}\u{200E}\u{200F}\u{061C}"
        #expect(printable(hostile) == "invoicefdp.exe abc")
    }

    @Test("Every kind of line break becomes \\n when kept and a space otherwise; tabs become spaces")
    func lineBreaks() {
        let text = "a\nb\r\nc\rd\u{2028}e\u{2029}f\u{85}g\u{0B}h\u{0C}i\tj"
        #expect(printable(text, keepingNewlines: true) == "a\nb\nc\nd\ne\nf\ng\nh\ni j")
        #expect(printable(text) == "a b c d e f g h i j")
    }

    @Test("Wide, combining and emoji text is kept as it is")
    func ordinaryText() {
        let text = "한국어 e\u{301} 👩\u{200D}👩\u{200D}👧 ❤\u{FE0F} 中文"
        #expect(printable(text) == text)
    }
}
