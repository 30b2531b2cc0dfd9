import LobbyClient
import Testing

@Suite("Configuration file: /set's rewrite")
struct ConfigFileRewriteTests {
    static let file = """
        # my settings
        server = "https://chat.example.org/connection"  # work

        bell = true
        name = "alice"
        """ + "\n"

    @Test("A change replaces the key's line and keeps every other line and comment")
    func replaces() throws {
        let text = try ConfigFile.Change(key: "bell", typed: "false").applied(to: Self.file)
        #expect(
            text == """
                # my settings
                server = "https://chat.example.org/connection"  # work

                bell = false
                name = "alice"
                """ + "\n")
        #expect(try ClientSettings(ConfigFile(parsing: text)).bell == false)
    }

    @Test("A key the file does not have is appended, after a line break the file lacked")
    func appends() throws {
        let change = try ConfigFile.Change(key: "timestamp", typed: "%H:%M:%S")
        #expect(change.line == #"timestamp = "%H:%M:%S""#)
        #expect(try change.applied(to: Self.file) == Self.file + "timestamp = \"%H:%M:%S\"\n")
        #expect(try change.applied(to: "name = \"alice\"") == "name = \"alice\"\ntimestamp = \"%H:%M:%S\"\n")
        #expect(try change.applied(to: "") == "timestamp = \"%H:%M:%S\"\n")
    }

    @Test("A quoted value is read as the file reads strings: with its escapes")
    func quoted() throws {
        let change = try ConfigFile.Change(key: "name", typed: #""true""#)
        #expect(change.value == .string("true"))
        #expect(try ConfigFile.Change(key: "log_dir", typed: #""~/a \"b\"""#).value == .string(#"~/a "b""#))
    }

    @Test(
        "Bad keys and values are refused with the parser's words",
        arguments: [
            ("bell", "yes", "bell must be true or false"),
            ("bell", "\"no\"", "bell must be true or false"),
            ("name", "true", "name must be a \"string\""),
            ("filter", "sometimes", "filter must be \"all\" or \"smart\""),
            ("colour", "true", "unknown setting colour"),
            ("bad key", "true", "bad key"),
            ("name", "\"alice\" extra", "unexpected text after the value"),
            ("name", "\"unterminated", "unterminated string"),
            ("timestamp", "a\u{7}b", "control characters"),
        ])
    func refusals(key: String, typed: String, expected: String) {
        do {
            let change = try ConfigFile.Change(key: key, typed: typed)
            Issue.record("accepted: \(change.line)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("A hostile value cannot add a line: a line break and quotes are escaped inside the string")
    func noInjection() throws {
        let hostile = "x\"\nbell = false\n# \"\\"
        let text = try ConfigFile.Change(key: "name", typed: hostile).applied(to: "bell = true\n")
        #expect(text.split(separator: "\n").count == 2)
        let settings = try ClientSettings(ConfigFile(parsing: text))
        #expect(settings.name == hostile)
        #expect(settings.bell == true)
        // Typed as TOML, a raw line break is refused before anything is parsed.
        #expect(throws: ConfigFile.ParseError.self) {
            try ConfigFile.Change(key: "name", typed: "\"x\nbell = false\"")
        }
        #expect(throws: ConfigFile.ParseError.self) {
            try ConfigFile.Change(key: "name", typed: "\"x\r\nbell = false\"")
        }
    }

    @Test("A file that does not parse is not rewritten: its error names the line")
    func brokenFile() {
        #expect(throws: ConfigFile.ParseError(line: 2, message: "expected key = value")) {
            try ConfigFile.Change(key: "bell", typed: "false").applied(to: "bell = true\noops\n")
        }
    }
}
