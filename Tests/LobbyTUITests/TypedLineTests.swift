import LobbyCore
import LobbyTUI
import Testing

@Suite("Typed line: the one command parser of both clients")
struct TypedLineTests {
    @Test(
        "Lines parse to what both clients carry out",
        arguments: [
            ("hello", TypedLine.chat("hello")),
            ("  hello  ", .chat("  hello  ")),
            ("   ", .empty),
            ("//usr/bin is a path", .chat("/usr/bin is a path")),
            ("/not a command\nbut a paste", .chat("/not a command\nbut a paste")),
            ("/me waves", .action("waves")),
            ("/me", .usage("/me TEXT, for example /me waves")),
            ("/msg alice secret", .direct(to: "alice", text: "secret")),
            ("/MSG  carol   hi there ", .direct(to: "carol", text: "hi there")),
            ("/msg alice", .usage("/msg NAME TEXT, for example /msg bob see you at 3")),
            ("/away", .away("away")),
            ("/away lunch, back at 2", .away("lunch, back at 2")),
            ("/back", .back),
            ("/search release date", .search("release date")),
            ("/search", .usage("/search TEXT, for example /search release date")),
            ("/filter SMART", .filter(.smart)),
            ("/filter sometimes", .filter(nil)),
            ("/nick  carol2 ", .nick("carol2")),
            ("/nick", .usage("/nick NAME, for example /nick alice2")),
            ("/set", .set(key: nil, value: nil)),
            ("/set  bell ", .set(key: "bell", value: nil)),
            ("/SET bell false", .set(key: "bell", value: "false")),
            ("/set timestamp  %H:%M:%S  ", .set(key: "timestamp", value: "%H:%M:%S")),
            ("/set highlight release, deploy", .set(key: "highlight", value: "release, deploy")),
            ("/help", .help),
            ("/who", .who),
            ("/clear", .clear),
            ("/quit", .quit),
            ("/exit", .quit),
            ("/mgs hi", .unknown("/mgs")),
            ("/", .unknown("/")),
        ])
    func parsing(typed: String, meaning: TypedLine) {
        #expect(TypedLine(parsing: typed) == meaning)
    }

    @Test("Every command in the list parses as a known command, and /help names it")
    func everyCommandIsKnown() {
        for name in TypedLine.commandNames {
            if case .unknown = TypedLine(parsing: name + " x") {
                Issue.record("\(name) is listed but unknown to the parser")
            }
            #expect(TypedLine.helpLines.contains { $0.hasPrefix("  \(name) ") }, "\(name) missing from /help")
        }
    }

    @Test("Text over the limits is refused with the server's own words; commands without text are not")
    func refusals() {
        let long = String(repeating: "a", count: ChatLimits.textLength.upperBound + 1)
        #expect(TypedLine(parsing: long).refusal == ChatLimits.textProblem(long))
        #expect(TypedLine(parsing: "/msg bob " + long).refusal == ChatLimits.textProblem(long))
        #expect(TypedLine(parsing: "/me " + String(long.dropFirst(4))).refusal != nil)
        #expect(TypedLine(parsing: "/away " + String(repeating: "z", count: 201)).refusal != nil)
        #expect(TypedLine(parsing: "/away " + String(repeating: "z", count: 200)).refusal == nil)
        #expect(TypedLine(parsing: "hello").refusal == nil)
        #expect(TypedLine(parsing: "/who").refusal == nil)
    }
}
