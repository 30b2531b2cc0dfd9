import LobbyTUI
import Testing

@Suite("Meta keys: Escape then a key is Alt; unknown escape sequences are swallowed")
struct MetaKeyDecoderTests {
    private func decode(_ keys: [Key]) -> [Key] {
        var decoder = MetaKeyDecoder()
        return keys.flatMap { decoder.feed($0) }
    }

    @Test("Escape then a character is Alt plus that character, not the character typed")
    func altCharacter() {
        #expect(decode([.escape, .character("x")]) == [.alt("x")])
        #expect(decode([.escape, .character("b"), .character("c")]) == [.alt("b"), .character("c")])
        #expect(decode([.escape, .escape, .character("d")]) == [.alt("d")])
    }

    @Test("A CSI or SS3 sequence curses did not know types nothing, and what follows is kept")
    func unknownSequences() {
        let csi: [Key] = [.escape] + "[1;5D".map(Key.character) + [.character("a")]
        #expect(decode(csi) == [.character("a")])
        let ss3: [Key] = [.escape, .character("O"), .character("P"), .character("b")]
        #expect(decode(ss3) == [.character("b")])
        let home: [Key] = [.escape] + "[1~".map(Key.character)
        #expect(decode(home).isEmpty)
    }

    @Test("Keys without an Escape pass through; Escape before a function key is dropped")
    func passThrough() {
        #expect(
            decode([.character("a"), .enter, .home, .control("a")]) == [.character("a"), .enter, .home, .control("a")])
        #expect(decode([.escape, .left]) == [.left])
    }
}

@Suite("Alt keys in the input line")
struct AltKeyTests {
    @Test("Alt-B and Alt-F move by words, Alt-D deletes the next word, other Alt keys type nothing")
    func wordKeys() {
        var state = connectedState()
        state.type("hello big world")
        _ = state.handle(.alt("b"), now: time("10:00"))
        #expect(state.input.cursor == 10)
        _ = state.handle(.alt("b"), now: time("10:00"))
        #expect(state.input.cursor == 6)
        _ = state.handle(.alt("d"), now: time("10:00"))
        #expect(state.input.text == "hello  world")
        _ = state.handle(.alt("f"), now: time("10:00"))
        #expect(state.input.cursor == 12)
        _ = state.handle(.alt("x"), now: time("10:00"))
        #expect(state.input.text == "hello  world")
    }
}
