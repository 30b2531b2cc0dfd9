import SockJS
import TestSupport
import Testing

@Suite("Message decoding")
struct MessageDecodingTests {
    private func decode(_ text: String) throws(SockJSError) -> [String] {
        try SockJSJSON.decodeMessages(Array(text.utf8))
    }

    @Test(
        "valid payloads",
        arguments: [
            (#"["a","b"]"#, ["a", "b"]),
            (#"[]"#, []),
            (#"[""]"#, [""]),
            (" \t\r\n[ \"a\" ,\n\"b\" ]\n ", ["a", "b"]),
            (#""single""#, ["single"]),
            (#"  "single"  "#, ["single"]),
            (#"["\u0000"]"#, ["\u{0}"]),
            (#"["\/"]"#, ["/"]),
            (#"["\"\\\/\b\f\n\r\t"]"#, ["\"\\/\u{08}\u{0C}\n\r\t"]),
            (#"["\u00e9\u00E9"]"#, ["éé"]),
            (#"["é😀"]"#, ["é😀"]),
            (#"["\ud83d\ude00"]"#, ["😀"]),
            (#"["\uD83D\uDE00"]"#, ["😀"]),
            (#"["\udbff\udfff"]"#, ["\u{10FFFF}"]),
            (#"["\u2028\ufff0"]"#, ["\u{2028}\u{FFF0}"]),
            (
                #"["SEND\ndestination:/app/chat\n\n{\"text\":\"hi\"}\u0000"]"#,
                ["SEND\ndestination:/app/chat\n\n{\"text\":\"hi\"}\u{0}"]
            ),
            (#"["\n"]"#, ["\n"]),
        ]
    )
    func validPayloads(json: String, expected: [String]) throws {
        #expect(try decode(json) == expected)
    }

    @Test("empty payloads", arguments: ["", " ", "\n", " \t\r\n "])
    func emptyPayloads(json: String) {
        #expect(throws: SockJSError.payloadExpected) { try decode(json) }
    }

    @Test(
        "broken JSON",
        arguments: [
            "[", "]", "[\"a\"", "[\"a\",]", "[,\"a\"]", "[\"a\" \"b\"]", "[\"a\"\"b\"]", "[\"a\";\"b\"]",
            "[1]", "[null]", "[true]", "[{}]", "[[\"a\"]]", "null", "true", "1", "{}", "{\"a\":\"b\"}", "'a'", "['a']",
            "\"abc", "[\"abc]", #"["a\"]"#, #"["\x"]"#, #"["\U0041"]"#, #"["\u12"]"#, #"["\u12g4"]"#, #"["\u"]"#,
            #"["\"#, #"["\ud83d"]"#, #"["\ude00"]"#, #"["\ud83d\u0041"]"#, #"["\ud83dx"]"#, #"["\ud83d\ud83d"]"#,
            #"["\ude00\ud83d"]"#, "[\"a\nb\"]", "[\"a\tb\"]", "[\"\u{1F}\"]", "[\"a\"] x", "[\"a\"][\"b\"]",
            "[\"a\"],", "\"a\" \"b\"", "\u{FEFF}[\"a\"]", "[\"a\"]\u{0}", "\u{0}", "x", "[\"a\",\"b\",]",
            "\u{A0}[\"a\"]",
        ]
    )
    func brokenJSON(json: String) {
        #expect(throws: SockJSError.brokenJSON) { try decode(json) }
    }

    @Test(
        "invalid UTF-8",
        arguments: [
            [0x5B, 0x22, 0xFF, 0x22, 0x5D],  // 0xFF never appears in UTF-8
            [0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D],  // overlong "/"
            [0x5B, 0x22, 0xED, 0xA0, 0xBD, 0x22, 0x5D],  // encoded surrogate D83D
            [0x5B, 0x22, 0xE2, 0x82, 0x22, 0x5D],  // truncated sequence
            [0x5B, 0x22, 0xF4, 0x90, 0x80, 0x80, 0x22, 0x5D],  // above U+10FFFF
            [0x5B, 0x22, 0x80, 0x22, 0x5D],  // lone continuation byte
        ] as [[UInt8]]
    )
    func invalidUTF8(bytes: [UInt8]) {
        #expect(throws: SockJSError.invalidUTF8) { try SockJSJSON.decodeMessages(bytes) }
    }

    @Test("decodes from any byte collection")
    func anyCollection() throws {
        let bytes = Array(#"xx["a"]"#.utf8)
        #expect(try SockJSJSON.decodeMessages(bytes[2...]) == ["a"])
        #expect(try SockJSJSON.decodeMessages(#"["b"]"#.utf8) == ["b"])
    }

    @Test("property: truncating a valid payload anywhere breaks it")
    func truncations() throws {
        var generator = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let strings = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                generator.nextTestString(maxLength: 8)
            }
            let bytes = Array(SockJSJSON.encodeArray(strings).utf8)
            for cut in 1..<bytes.count {
                #expect(throws: SockJSError.self) { try SockJSJSON.decodeMessages(bytes[..<cut]) }
            }
        }
    }

    @Test("errors describe themselves as the reference servers answer")
    func errorDescriptions() {
        #expect(SockJSError.brokenJSON.description == "Broken JSON encoding.")
        #expect(SockJSError.payloadExpected.description == "Payload expected.")
        #expect(SockJSError.brokenJSON != SockJSError.payloadExpected)
        #expect(!SockJSError.invalidUTF8.description.isEmpty)
        #expect(!SockJSError.invalidFrame.description.isEmpty)
    }

    @Test(
        "jsonp_send form bodies",
        arguments: [
            ("d=%5B%22a%22%5D", ["a"]),
            ("d=%5B%22a+b%22%5D", ["a b"]),
            ("x=1&d=%5B%22%5Cu00e9%22%5D&y=2", ["é"]),
            ("d=%5b%22%c3%a9%22%5d", ["é"]),
            ("d=[\"plain\"]", ["plain"]),
        ]
    )
    func jsonpSendForms(body: String, expected: [String]) throws {
        let messages = try SockJSJSON.decodeJSONPSendBody(
            Array(body.utf8),
            contentType: "application/x-www-form-urlencoded; charset=UTF-8"
        )
        #expect(messages == expected)
    }

    @Test("jsonp_send raw bodies")
    func jsonpSendRaw() throws {
        #expect(try SockJSJSON.decodeJSONPSendBody(Array(#"["a"]"#.utf8), contentType: "text/plain") == ["a"])
        #expect(try SockJSJSON.decodeJSONPSendBody(Array(#"["a"]"#.utf8), contentType: nil) == ["a"])
        #expect(
            try SockJSJSON.decodeJSONPSendBody(Array("d=%5B%5D".utf8), contentType: "Application/X-WWW-Form-Urlencoded")
                == []
        )
    }

    @Test("jsonp_send without a payload", arguments: ["", "d=", "x=1", "dd=%5B%5D", "d"])
    func jsonpSendMissing(body: String) {
        #expect(throws: SockJSError.payloadExpected) {
            try SockJSJSON.decodeJSONPSendBody(Array(body.utf8), contentType: "application/x-www-form-urlencoded")
        }
    }

    @Test("jsonp_send with a broken form", arguments: ["d=%5", "d=%zz%5D", "d=%5B"])
    func jsonpSendBroken(body: String) {
        #expect(throws: SockJSError.self) {
            try SockJSJSON.decodeJSONPSendBody(Array(body.utf8), contentType: "application/x-www-form-urlencoded")
        }
    }
}
