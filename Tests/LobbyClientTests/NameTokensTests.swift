import Testing

@testable import LobbyClient

@Suite("Name tokens file")
struct NameTokensTests {
    @Test func setThenReadPerServerAndName() {
        var tokens = NameTokens(text: "")
        tokens.set("t1", server: "http://a:1/connection", name: "alice")
        tokens.set("t2", server: "http://b:2/connection", name: "alice")
        tokens.set("t3", server: "http://a:1/connection/", name: "bob")
        #expect(tokens.token(server: "http://a:1/connection/", name: "alice") == "t1")
        #expect(tokens.token(server: "http://b:2/connection", name: "alice") == "t2")
        #expect(tokens.token(server: "http://a:1/connection", name: "bob") == "t3")
        #expect(tokens.token(server: "http://a:1/connection", name: "carol") == nil)
        tokens.set("t4", server: "http://a:1/connection", name: "alice")
        #expect(tokens.token(server: "http://a:1/connection", name: "alice") == "t4")
        #expect(NameTokens(text: tokens.text) == tokens)
        #expect(tokens.text.split(separator: "\n").count == 3)
    }

    @Test func linesThatDoNotParseAreKeptAndIgnored() {
        var tokens = NameTokens(text: "# my tokens\ngarbage\nhttp://a/c\talice\tok\n")
        #expect(tokens.token(server: "http://a/c", name: "alice") == "ok")
        tokens.set("new", server: "http://a/c", name: "alice")
        #expect(tokens.text == "# my tokens\ngarbage\nhttp://a/c\talice\tnew\n")
    }
}
