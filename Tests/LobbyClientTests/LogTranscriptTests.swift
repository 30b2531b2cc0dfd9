import LobbyClient
import LobbyCore
import Testing

@Suite("Log transcript: what log_dir files get")
struct LogTranscriptTests {
    private static func clock(_ timestamp: Timestamp) -> String {
        let minutes = timestamp.millisecondsSince1970 / 60_000
        let two = { (value: Int64) in (value < 10 ? "0" : "") + "\(value)" }
        return two(minutes / 60 % 24) + ":" + two(minutes % 60)
    }

    private func transcript(now: Int64 = 9 * 60) -> LogTranscript {
        LogTranscript(
            PlainTranscript(clock: Self.clock, printable: { $0 }), clock: Self.clock,
            now: { Timestamp(millisecondsSince1970: now * 60_000) })
    }

    @Test("every line has a time: presence at its own, connection changes at the time written")
    func everyLineStamped() {
        var log = transcript()
        let at = Timestamp(millisecondsSince1970: (10 * 60 + 2) * 60_000)
        let message = ChatMessage(id: 1, user: "bob", text: "hi\nthere", at: at)
        let events: [ConnectionEvent] = [
            .connected(user: "alice", sessionID: "s1"),
            .session(.presence(.join("carol", sessions: 1, at: at))),
            .session(.presence(.status("carol", away: "lunch", at: at))),
            .session(.message(message)),
            .session(.serverError(ErrorEvent(code: "rate-limited", message: "slow down"))),
        ]
        #expect(
            events.flatMap { log.lines(for: $0) } == [
                "[09:00] *** connected as alice (session s1)",
                "[10:02] --> carol joined",
                "[10:02] --- carol is away: lunch",
                "[10:02] <bob> hi",
                "        there",
                "[09:00] *** error: slow down (rate-limited)",
            ])
    }

    @Test("a server that stays down is written once, not once per attempt; a reconnect says so")
    func retriesOnce() {
        var log = transcript()
        let down = "cannot connect to 127.0.0.1:8080: connection refused"
        var events: [ConnectionEvent] = [.connected(user: "alice", sessionID: "s1"), .disconnected("connection lost")]
        for attempt in 1...4 {
            events += [.reconnecting(inSeconds: 2), .reconnecting(inSeconds: 1), .connecting(attempt: attempt)]
            events += [.disconnected(down)]
        }
        events += [.reconnecting(inSeconds: 1), .connecting(attempt: 5), .connected(user: "alice", sessionID: "s2")]
        #expect(
            events.flatMap { log.lines(for: $0) } == [
                "[09:00] *** connected as alice (session s1)",
                "[09:00] *** disconnected: connection lost",
                "[09:00] *** connected as alice (session s2)",
            ])
    }
}
