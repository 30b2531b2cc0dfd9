import LobbyClient
import LobbyTUI

extension PlainTranscript {
    /// The transcript `--plain` prints and `log_dir` files keep: local `HH:MM` times, and text
    /// made inert by the rule the full-screen client draws with.
    static func forTerminal() -> PlainTranscript {
        PlainTranscript(
            clock: { TimeZoneRule.system.localTime(of: $0).clock },
            printable: { LobbyTUI.printable($0, keepingNewlines: true) })
    }
}
