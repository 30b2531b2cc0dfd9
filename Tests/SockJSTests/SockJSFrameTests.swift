import SockJS
import TestSupport
import Testing

@Suite("SockJS frames")
struct SockJSFrameTests {
    @Test(
        "encoding",
        arguments: [
            (SockJSFrame.open, "o"),
            (.heartbeat, "h"),
            (.messages([]), "a[]"),
            (.messages(["a"]), #"a["a"]"#),
            (.messages(["a", "b"]), #"a["a","b"]"#),
            (.messages(["CONNECTED\nversion:1.2\n\n\u{0}"]), #"a["CONNECTED\nversion:1.2\n\n\u0000"]"#),
            (.messages(["\u{2028}😀\"\\"]), #"a["\u2028\ud83d\ude00\"\\"]"#),
            (.close(code: 3000, reason: "Go away!"), #"c[3000,"Go away!"]"#),
            (.close(code: 2010, reason: "Another connection still open"), #"c[2010,"Another connection still open"]"#),
            (.close(code: 1002, reason: "Broken \"JSON\"\n"), #"c[1002,"Broken \"JSON\"\n"]"#),
            (.close(code: -1, reason: ""), #"c[-1,""]"#),
        ]
    )
    func encoding(frame: SockJSFrame, expected: String) {
        #expect(frame.encoded == expected)
        #expect(frame.encodedBytes == Array(expected.utf8))
    }

    @Test("named close frames")
    func namedFrames() {
        #expect(SockJSFrame.goAway.encoded == #"c[3000,"Go away!"]"#)
        #expect(SockJSFrame.anotherConnectionStillOpen.encoded == #"c[2010,"Another connection still open"]"#)
    }

    @Test(
        "parsing",
        arguments: [
            ("o", SockJSFrame.open),
            ("o\n", .open),
            ("h", .heartbeat),
            ("h\n", .heartbeat),
            ("a[]", .messages([])),
            (#"a["a","b"]"#, .messages(["a", "b"])),
            ("a[\"x\"]\n", .messages(["x"])),
            (#"a[ "x" ]"#, .messages(["x"])),
            (#"a["MESSAGE\n\n\u0000","\ud83d\ude00"]"#, .messages(["MESSAGE\n\n\u{0}", "😀"])),
            (#"c[3000,"Go away!"]"#, .close(code: 3000, reason: "Go away!")),
            (
                #"c[ 2010 , "Another connection still open" ]"#,
                .close(code: 2010, reason: "Another connection still open")
            ),
            ("c[0,\"\"]\n", .close(code: 0, reason: "")),
            (#"c[-5,"x"]"#, .close(code: -5, reason: "x")),
        ]
    )
    func parsing(text: String, expected: SockJSFrame) throws {
        #expect(try SockJSFrame(parsing: text) == expected)
        #expect(try SockJSFrame(parsing: Array(text.utf8)) == expected)
    }

    @Test(
        "unknown frames",
        arguments: ["", "\n", "x", "O", "oo", "o\n\n", "hh", " o", "h ", "m[\"a\"]", "a", "c", "a\"x\"", "c3000"])
    func unknownFrames(text: String) {
        #expect(throws: SockJSError.invalidFrame) { try SockJSFrame(parsing: text) }
    }

    @Test(
        "malformed frame bodies",
        arguments: [
            "a[", "a[\"x\"", "a[1]", "a[\"x\"]x", "a[\"x\"] [", "c[]", "c[3000]", "c[\"3000\",\"x\"]", "c[3000,\"x\"",
            "c[3000,1]", "c[3000,\"x\",1]", "c[3000.5,\"x\"]", "c[3e3,\"x\"]", "c[03000,\"x\"]", "c[-,\"x\"]",
            "c[99999999999999999999999,\"x\"]", "c[3000,\"x\"]]",
        ]
    )
    func malformedBodies(text: String) {
        #expect(throws: SockJSError.brokenJSON) { try SockJSFrame(parsing: text) }
    }

    @Test("property: encoding then parsing gives the frame back")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 0xF4A3E)
        for _ in 0..<2000 {
            let frame: SockJSFrame
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: frame = .open
            case 1: frame = .heartbeat
            case 2:
                frame = .messages(
                    (0..<Int.random(in: 0...5, using: &generator)).map { _ in generator.nextTestString() })
            default:
                frame = .close(
                    code: Int.random(in: -100_000...100_000, using: &generator), reason: generator.nextTestString())
            }
            #expect(try SockJSFrame(parsing: frame.encoded) == frame)
            #expect(try SockJSFrame(parsing: frame.encodedBytes + [0x0A]) == frame)
        }
    }
}
