import LobbyCore
import Testing

@Suite("UserName validation")
struct UserNameTests {
    @Test(
        "accepts ordinary names, trimmed",
        arguments: [
            ("alice", "alice"),
            ("  alice \n", "alice"),
            ("\t\r\nbob\u{2028}", "bob"),
            ("Ana María", "Ana María"),
            ("Zoë", "Zoë"),
            ("李小龙", "李小龙"),
            ("Đặng Thị Mỹ", "Đặng Thị Mỹ"),
            ("O'Brien-Smith", "O'Brien-Smith"),
            ("\u{00A0}carol\u{3000}", "carol"),
        ])
    func acceptsAndTrims(raw: String, expected: String) throws {
        #expect(try UserName(validating: raw).rawValue == expected)
    }

    @Test(
        "accepts emoji sequences that use joiners, modifiers and tags",
        arguments: [
            "👩‍💻 dev",  // ZWJ sequence
            "👨‍👩‍👧‍👦",  // family: three joiners in one cluster
            "👋🏽 hi",  // skin tone modifier
            "❤️",  // variation selector 16
            "🏴󠁧󠁢󠁳󠁣󠁴󠁿 scot",  // subdivision flag: black flag + tag characters
            "🇫🇷",  // regional indicators
        ])
    func acceptsEmoji(raw: String) throws {
        #expect(try UserName(validating: raw).rawValue == raw)
    }

    @Test("rejects names that are empty after trimming", arguments: ["", " ", "\n\t \r\n", "\u{2029}\u{85}"])
    func rejectsEmpty(raw: String) {
        #expect(throws: NameError.empty) { try UserName(validating: raw) }
    }

    @Test func lengthCountsCharactersNotScalarsOrBytes() throws {
        let limit = UserName.maximumLength
        #expect(try UserName(validating: String(repeating: "a", count: limit)).rawValue.count == limit)
        #expect(try UserName(validating: String(repeating: "👩‍💻", count: limit)).rawValue.count == limit)
        #expect(try UserName(validating: String(repeating: "e\u{301}", count: limit)).rawValue.count == limit)
        #expect(throws: NameError.tooLong) { try UserName(validating: String(repeating: "a", count: limit + 1)) }
        #expect(throws: NameError.tooLong) { try UserName(validating: String(repeating: "👍🏿", count: limit + 1)) }
    }

    @Test func lengthIsMeasuredAfterTrimming() throws {
        let name = "   " + String(repeating: "x", count: UserName.maximumLength) + "   "
        #expect(try UserName(validating: name).rawValue.count == UserName.maximumLength)
    }

    @Test(
        "rejects control characters, C0 and C1 alike",
        arguments: [
            ("a\u{0}b", "\u{0}"), ("a\tb", "\t"), ("a\nb", "\n"), ("a\u{1B}[31mb", "\u{1B}"),
            ("a\u{7F}", "\u{7F}"), ("a\u{85}b", "\u{85}"), ("x\u{9B}31m", "\u{9B}"),
        ] as [(String, Unicode.Scalar)])
    func rejectsControlCharacters(raw: String, scalar: Unicode.Scalar) {
        #expect(throws: NameError.forbiddenCharacter(scalar)) { try UserName(validating: raw) }
    }

    @Test(
        "rejects bidi controls that reorder text",
        arguments: [
            "\u{061C}", "\u{200E}", "\u{200F}", "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}",
            "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}",
        ] as [Unicode.Scalar])
    func rejectsBidiControls(scalar: Unicode.Scalar) {
        #expect(throws: NameError.forbiddenCharacter(scalar)) { try UserName(validating: "ad\(scalar)min") }
    }

    @Test(
        "rejects characters that hide inside a name",
        arguments: [
            ("ali\u{200B}ce", "\u{200B}"),  // zero width space
            ("ali\u{200C}ce", "\u{200C}"),  // zero width non-joiner
            ("al\u{200D}ice", "\u{200D}"),  // ZWJ that joins nothing
            ("alice\u{200D}", "\u{200D}"),  // trailing ZWJ
            ("a\u{200D}\u{301}b", "\u{200D}"),  // ZWJ hidden before a combining mark
            ("a\u{2060}b", "\u{2060}"),  // word joiner
            ("\u{FEFF}alice", "\u{FEFF}"),  // byte order mark
            ("al\u{AD}ice", "\u{AD}"),  // soft hyphen
            ("alice\u{E0041}\u{E0042}", "\u{E0041}"),  // tag characters outside a flag
            ("a\u{2028}b", "\u{2028}"),  // line separator inside
            ("a\u{2029}b", "\u{2029}"),  // paragraph separator inside
            ("alice\u{3164}", "\u{3164}"),  // Hangul filler
            ("\u{115F}", "\u{115F}"),
            ("\u{FFA0}x", "\u{FFA0}"),
            ("bob\u{2800}", "\u{2800}"),  // braille blank
            ("a\u{FFFF}", "\u{FFFF}"),  // noncharacter
        ] as [(String, Unicode.Scalar)])
    func rejectsHidingCharacters(raw: String, scalar: Unicode.Scalar) {
        #expect(throws: NameError.forbiddenCharacter(scalar)) { try UserName(validating: raw) }
    }

    @Test("rejects names with nothing visible", arguments: ["\u{FE0F}", "\u{034F}", "\u{FE0F} \u{FE0E}"])
    func rejectsInvisibleNames(raw: String) {
        #expect(throws: NameError.invisible) { try UserName(validating: raw) }
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(NameError.empty.description == "name must not be empty")
        #expect(NameError.tooLong.description == "name must be at most 32 characters")
        #expect(NameError.invisible.description == "name must contain a visible character")
        #expect(
            NameError.forbiddenCharacter("\u{202E}").description
                == "name must not contain U+202E (a bidirectional text control)")
        #expect(
            NameError.forbiddenCharacter("\u{7}").description == "name must not contain U+0007 (a control character)")
        #expect(
            NameError.forbiddenCharacter("\u{200B}").description
                == "name must not contain U+200B (an invisible formatting character)")
        #expect(
            NameError.forbiddenCharacter("\u{E0041}").description
                == "name must not contain U+E0041 (an invisible formatting character)")
    }

    @Test func forbiddenScalarIsReported() {
        #expect(NameError.forbiddenCharacter("\u{200B}").forbiddenScalar == "\u{200B}")
        #expect(NameError.empty.forbiddenScalar == nil)
    }

    @Test func equalityIsCanonicalEquivalenceAndCaseSensitive() throws {
        #expect(try UserName(validating: "Zo\u{EB}") == UserName(validating: "Zoe\u{308}"))
        #expect(try UserName(validating: "alice") != UserName(validating: "Alice"))
    }

    @Test func sortsCaseInsensitivelyThenExactly() throws {
        let names = try ["carol", "bob", "alice", "Bob", "Alice", "dave"].map { try UserName(validating: $0) }
        #expect(names.sorted().map(\.rawValue) == ["Alice", "alice", "Bob", "bob", "carol", "dave"])
    }

    @Test func descriptionIsTheName() throws {
        #expect(try UserName(validating: " alice ").description == "alice")
    }
}
