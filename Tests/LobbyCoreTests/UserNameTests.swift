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
            ("AnaMaría", "AnaMaría"),
            ("Zoë", "Zoë"),
            ("李小龙", "李小龙"),
            ("김민지", "김민지"),
            ("Đặng_Thị_Mỹ", "Đặng_Thị_Mỹ"),
            ("O'Brien-Smith", "O'Brien-Smith"),
            ("\u{00A0}carol\u{3000}", "carol"),
            ("r2d2", "r2d2"),
            ("कार्तिक", "कार्तिक"),  // combining vowel signs with a base: still a name
        ])
    func acceptsAndTrims(raw: String, expected: String) throws {
        #expect(try UserName(validating: raw).rawValue == expected)
    }

    @Test("rejects names that are empty after trimming", arguments: ["", " ", "\n\t \r\n", "\u{2029}\u{85}"])
    func rejectsEmpty(raw: String) {
        #expect(throws: NameError.empty) { try UserName(validating: raw) }
    }

    @Test func lengthCountsCharactersAndBytes() throws {
        let limit = UserName.maximumLength
        #expect(try UserName(validating: String(repeating: "a", count: limit)).rawValue.count == limit)
        #expect(throws: NameError.tooLong) { try UserName(validating: String(repeating: "a", count: limit + 1)) }
        // 21 Hangul syllables are 63 bytes; 22 are 66.
        #expect(try UserName(validating: String(repeating: "가", count: 21)).rawValue.utf8.count == 63)
        #expect(throws: NameError.tooManyBytes) { try UserName(validating: String(repeating: "가", count: 22)) }
        // The attack of issue 21: 32 characters of 600 combining marks each, a 38 KB name.
        let heavy = String(repeating: "a" + String(repeating: "\u{301}", count: 600), count: 32)
        #expect(throws: NameError.tooManyBytes) { try UserName(validating: heavy) }
    }

    @Test func lengthIsMeasuredAfterTrimming() throws {
        let name = "   " + String(repeating: "x", count: UserName.maximumLength) + "   "
        #expect(try UserName(validating: name).rawValue.count == UserName.maximumLength)
    }

    @Test("rejects whitespace inside a name", arguments: ["Ana María", "al ice", "a\u{3000}b", "a\u{00A0}b"])
    func rejectsWhitespaceInside(raw: String) {
        #expect(throws: NameError.whitespaceInside) { try UserName(validating: raw) }
    }

    @Test(
        "rejects names without a letter or digit",
        arguments: ["\u{301}\u{302}\u{303}", "!!!", "👍", "🇫🇷", "-_-", "\u{20DD}"])
    func rejectsNoLetterOrDigit(raw: String) {
        #expect(throws: NameError.noLetterOrDigit) { try UserName(validating: raw) }
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
        "rejects default-ignorable and hiding characters anywhere",
        arguments: [
            ("ali\u{200B}ce", "\u{200B}"),  // zero width space
            ("ali\u{200C}ce", "\u{200C}"),  // zero width non-joiner
            ("al\u{200D}ice", "\u{200D}"),  // ZWJ
            ("👩‍💻dev", "\u{200D}"),  // ZWJ inside an emoji sequence too
            ("a\u{2060}b", "\u{2060}"),  // word joiner
            ("\u{FEFF}alice", "\u{FEFF}"),  // byte order mark
            ("al\u{AD}ice", "\u{AD}"),  // soft hyphen
            ("alice\u{E0041}\u{E0042}", "\u{E0041}"),  // tag characters
            ("a\u{2028}b", "\u{2028}"),  // line separator inside
            ("a\u{2029}b", "\u{2029}"),  // paragraph separator inside
            ("alice\u{3164}", "\u{3164}"),  // Hangul filler
            ("\u{115F}x", "\u{115F}"),
            ("\u{FFA0}x", "\u{FFA0}"),
            ("bob\u{2800}", "\u{2800}"),  // braille blank
            ("a\u{FFFF}", "\u{FFFF}"),  // noncharacter
            // Issue 21: default-ignorable but not Cf, each invisible after "alice".
            ("alice\u{034F}", "\u{034F}"),  // combining grapheme joiner
            ("alice\u{FE0F}", "\u{FE0F}"),  // variation selector 16
            ("alice\u{FE00}", "\u{FE00}"),  // variation selector 1
            ("alice\u{E0100}", "\u{E0100}"),  // variation selector 17
            ("alice\u{180B}", "\u{180B}"),  // Mongolian free variation selector
            ("alice\u{180E}", "\u{180E}"),  // Mongolian vowel separator
            ("alice\u{17B4}", "\u{17B4}"),  // Khmer vowel inherent aq
            ("alice\u{17B5}", "\u{17B5}"),  // Khmer vowel inherent aa
            ("❤️x", "\u{FE0F}"),
        ] as [(String, Unicode.Scalar)])
    func rejectsHidingCharacters(raw: String, scalar: Unicode.Scalar) {
        #expect(throws: NameError.forbiddenCharacter(scalar)) { try UserName(validating: raw) }
    }

    @Test func errorDescriptionsNameTheProblem() {
        #expect(NameError.empty.description == "name must not be empty")
        #expect(NameError.tooLong.description == "name must be at most 32 characters")
        #expect(NameError.tooManyBytes.description == "name must be at most 64 bytes of UTF-8")
        #expect(NameError.whitespaceInside.description == "name must be one word, without spaces")
        #expect(NameError.noLetterOrDigit.description == "name must contain a letter or a digit")
        #expect(
            NameError.forbiddenCharacter("\u{202E}").description
                == "name must not contain U+202E (a bidirectional text control)")
        #expect(
            NameError.forbiddenCharacter("\u{034F}").description
                == "name must not contain U+034F (a character that draws nothing)")
        #expect(
            NameError.forbiddenCharacter("\u{1B}").description == "name must not contain U+001B (a control character)")
    }

    @Test func forbiddenScalarIsReported() {
        #expect(NameError.forbiddenCharacter("\u{200B}").forbiddenScalar == "\u{200B}")
        #expect(NameError.empty.forbiddenScalar == nil)
    }

    @Test func sortsCaseInsensitivelyThenExactly() throws {
        let names = try ["carol", "Bob", "alice", "dave"].map { try UserName(validating: $0) }
        #expect(names.sorted().map(\.rawValue) == ["alice", "Bob", "carol", "dave"])
    }

    @Test func descriptionIsTheName() throws {
        #expect(try UserName(validating: " alice ").description == "alice")
    }

    @Test func namesClaimedUnderEarlierRulesStayUsable() throws {
        #expect(try UserName(previouslyClaimed: "Ana María").rawValue == "Ana María")
        #expect(try UserName(previouslyClaimed: "👩‍💻").rawValue == "👩‍💻")
        #expect(throws: NameError.forbiddenCharacter("\u{1B}")) { try UserName(previouslyClaimed: "a\u{1B}b") }
        #expect(throws: NameError.forbiddenCharacter("\u{202E}")) { try UserName(previouslyClaimed: "a\u{202E}b") }
    }
}
