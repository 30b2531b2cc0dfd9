import Testing

@testable import LobbyClient

@Suite("Name tokens file")
struct NameTokensTests {
    /// Well-formed tokens: 43 base64url characters, the way a Lobby server makes them.
    static func token(_ seed: Character) -> String {
        String(repeating: seed, count: 42) + "_"
    }
    let t1 = token("a")
    let t2 = token("b")
    let t3 = token("c")
    let t4 = token("d")

    @Test func setThenReadPerServerAndName() throws {
        var tokens = NameTokens(text: "")
        try tokens.set(t1, server: "http://a:1/connection", name: "alice")
        try tokens.set(t2, server: "http://b:2/connection", name: "alice")
        try tokens.set(t3, server: "http://a:1/connection/", name: "bob")
        #expect(tokens.token(server: "http://a:1/connection/", name: "alice") == t1)
        #expect(tokens.token(server: "http://b:2/connection", name: "alice") == t2)
        #expect(tokens.token(server: "http://a:1/connection", name: "bob") == t3)
        #expect(tokens.token(server: "http://a:1/connection", name: "carol") == nil)
        try tokens.set(t4, server: "http://a:1/connection", name: "alice")
        #expect(tokens.token(server: "http://a:1/connection", name: "alice") == t4)
        #expect(NameTokens(text: tokens.text) == tokens)
        #expect(tokens.text.split(separator: "\n").count == 3)
    }

    @Test func linesThatDoNotParseAreKeptAndIgnored() throws {
        var tokens = NameTokens(text: "# my tokens\ngarbage\nhttp://a/c\talice\t\(t1)\n")
        #expect(tokens.token(server: "http://a/c", name: "alice") == t1)
        try tokens.set(t2, server: "http://a/c", name: "alice")
        #expect(tokens.text == "# my tokens\ngarbage\nhttp://a/c\talice\t\(t2)\n")
    }

    @Test(
        "Only 43 base64url characters are a token",
        arguments: [
            (String(repeating: "A", count: 43), true),
            ("0123456789-_abcdefghijklmnopqrstuvwxyzABCDE", true),
            (String(repeating: "A", count: 42), false),
            (String(repeating: "A", count: 44), false),
            (String(repeating: "A", count: 42) + "=", false),
            (String(repeating: "A", count: 42) + "+", false),
            (String(repeating: "A", count: 42) + "\n", false),
            (String(repeating: "A", count: 41) + "é", false),  // 43 bytes, 42 characters
            ("", false),
        ])
    func wellFormed(token: String, isToken: Bool) {
        #expect(NameTokens.isWellFormed(token) == isToken)
    }

    @Test("A hostile token holding a line break is refused and cannot override another server's claim")
    func hostileTokenWithNewline() throws {
        var tokens = NameTokens(text: "")
        try tokens.set(t1, server: "http://good:1/connection", name: "alice")
        let hostile = "x\nhttp://good:1/connection\talice\t\(t2)"
        #expect(throws: NameTokensError.malformedToken) {
            try tokens.set(hostile, server: "http://evil:6/connection", name: "alice")
        }
        #expect(tokens.token(server: "http://good:1/connection", name: "alice") == t1)
        #expect(tokens.text == "http://good:1/connection\talice\t\(t1)\n")
    }

    @Test("A server URL or name with whitespace or a line break cannot inject a line")
    func hostileServerAndName() throws {
        var tokens = NameTokens(text: "")
        try tokens.set(t1, server: "http://good:1/connection", name: "alice")
        #expect(throws: NameTokensError.malformedServer) {
            try tokens.set(t2, server: "http://evil:6/x\thttp://good:1/connection\talice", name: "alice")
        }
        #expect(throws: NameTokensError.malformedServer) {
            try tokens.set(t2, server: "http://evil:6/x\nhttp://good:1/connection", name: "alice")
        }
        #expect(throws: NameTokensError.malformedServer) {
            try tokens.set(t2, server: "http://evil:6/x y", name: "alice")
        }
        #expect(throws: NameTokensError.malformedName) {
            try tokens.set(t2, server: "http://evil:6/connection", name: "alice\nhttp://good:1/connection")
        }
        #expect(tokens.text == "http://good:1/connection\talice\t\(t1)\n")
    }

    @Test("A file read strictly: malformed lines never answer, even when they come last")
    func strictParsing() {
        let file = [
            "http://good:1/connection\talice\t\(t1)",
            "http://good:1/connection\talice\tshort",  // not a token
            "http://good:1/connection\talice\t\(t2)\textra",  // four fields
            "http://good:1/connection\talice\t\(t2)=",  // 44 characters
            "http://good:1/connection\t\t\(t2)",  // no name
            "http://good:1/connection x\talice\t\(t2)",  // a space in the server
        ].joined(separator: "\n")
        let tokens = NameTokens(text: file)
        #expect(tokens.token(server: "http://good:1/connection", name: "alice") == t1)
        #expect(tokens.token(server: "http://good:1/connection x", name: "alice") == nil)
    }
}
