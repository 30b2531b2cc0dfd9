import LobbyTUI
import Testing

@Suite("Bracketed paste decoding")
struct PasteDecoderTests {
    func feed(_ keys: [Key]) -> [Key] {
        var decoder = PasteDecoder()
        return keys.flatMap { decoder.feed($0) }
    }

    func sequence(_ text: String) -> [Key] {
        [.escape] + text.map(Key.character)
    }

    @Test("A paste between ESC [200~ and ESC [201~ is one key, Enter as a line break")
    func pasteBecomesOneKey() {
        let keys =
            sequence("[200~") + [.character("a"), .enter, .character("b"), .enter, .character("c")] + sequence("[201~")
        #expect(feed(keys) == [.paste("a\nb\nc")])
    }

    @Test("Keys around a paste pass through unchanged")
    func keysAroundPaste() {
        let keys = [.character("x")] + sequence("[200~") + [.character("y")] + sequence("[201~") + [.enter]
        #expect(feed(keys) == [.character("x"), .paste("y"), .enter])
    }

    @Test("An Escape not starting a paste is given back with what followed")
    func loneEscape() {
        #expect(feed([.escape, .character("q")]) == [.escape, .character("q")])
        #expect(
            feed([.escape, .character("["), .character("2"), .character("x")])
                == [.escape, .character("["), .character("2"), .character("x")])
        #expect(
            feed([.escape, .escape] + sequence("[200~") + [.character("z")] + sequence("[201~"))
                == [.escape, .escape, .paste("z")])
    }

    @Test("Inside a paste, an Escape that is not the end sequence is dropped; the text goes on")
    func escapeInsidePaste() {
        let keys = sequence("[200~") + [.character("a"), .escape, .character("b")] + sequence("[201~")
        #expect(feed(keys) == [.paste("ab")])
    }
}
