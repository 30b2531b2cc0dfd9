import LobbyClient
import Testing

@Suite("Configuration file")
struct ConfigFileTests {
    @Test("A good file: strings, booleans, comments, blank lines, escapes")
    func goodFile() throws {
        let text = """
            # lobby settings
            server = "https://chat.example.org/connection"   # the usual one

              name="alice"
            bell = false
            colors = false
            filter = "smart"
            timestamp = "%H:%M:%S"
            log_dir = "~/logs/lobby \\"chat\\""\r
            """
        let file = try ConfigFile(parsing: text)
        #expect(file["server"] == .string("https://chat.example.org/connection"))
        #expect(file["bell"] == .bool(false))
        let settings = try ClientSettings(file)
        #expect(settings.server == "https://chat.example.org/connection")
        #expect(settings.name == "alice")
        #expect(settings.bell == false)
        #expect(settings.colors == false)
        #expect(settings.filter == "smart")
        #expect(settings.timestamp == "%H:%M:%S")
        #expect(settings.logDirectory == "~/logs/lobby \"chat\"")
    }

    @Test("highlight is a comma-separated list of words, blanks around them dropped")
    func highlightWords() throws {
        let settings = try ClientSettings(ConfigFile(parsing: "highlight = \" release, deploy ,, 배포 \"\n"))
        #expect(settings.highlightWords == ["release", "deploy", "배포"])
    }

    @Test("An empty file sets nothing")
    func emptyFile() throws {
        let settings = try ClientSettings(ConfigFile(parsing: "\n# nothing\n"))
        #expect(settings == ClientSettings())
    }

    @Test(
        "Each bad line is an error naming its line",
        arguments: [
            ("name = \"alice\"\nserver", 2, "expected key = value"),
            ("name = alice", 1, "values are \"strings\" (in double quotes), true or false"),
            ("\n\nname = \"alice", 3, "unterminated string (missing closing \")"),
            ("name = \"a\" \"b\"", 1, "unexpected text after the value: \"b\""),
            ("name = ", 1, "missing value after ="),
            ("[server]", 1, "tables ([…]) are not supported: use key = value lines"),
            ("my name = \"x\"", 1, "bad key \"my name\": letters, digits, _ and - only"),
            ("name = \"a\"\nname = \"b\"", 2, "name is set twice (first on line 1)"),
            ("name = \"a\\q\"", 1, "unknown escape \\q in a string"),
        ])
    func badLine(text: String, line: Int, message: String) {
        #expect(throws: ConfigFile.ParseError(line: line, message: message)) { try ConfigFile(parsing: text) }
    }

    @Test(
        "Known keys of the wrong type, bad values and unknown keys name their line",
        arguments: [
            ("\nbell = \"yes\"", 2, "bell must be true or false"),
            ("name = true", 1, "name must be a \"string\""),
            ("filter = \"some\"", 1, "filter must be \"all\" or \"smart\""),
            (
                "name = \"a\"\ncolour = \"red\"", 2,
                "unknown setting colour (known: server, name, bell, colors, filter, timestamp, log_dir, highlight)"
            ),
        ])
    func badSetting(text: String, line: Int, message: String) throws {
        let file = try ConfigFile(parsing: text)
        #expect(throws: ConfigFile.ParseError(line: line, message: message)) { try ClientSettings(file) }
    }

    @Test("The description names the line")
    func description() {
        #expect(
            ConfigFile.ParseError(line: 4, message: "expected key = value").description
                == "line 4: expected key = value")
    }
}
