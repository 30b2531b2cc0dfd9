import LobbyClient
import LobbyCore
import Testing

@Suite("Plain transcript")
struct PlainTranscriptTests {
    /// Prints times in UTC, so the lines are the same on every machine.
    private func transcript() -> PlainTranscript {
        PlainTranscript(
            clock: { timestamp in
                let minutes = timestamp.millisecondsSince1970 / 60_000
                let hour = minutes / 60 % 24
                let minute = minutes % 60
                return (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
            },
            printable: Self.markControls)
    }

    /// A stand-in for the terminal rule (LobbyTUI's `printable`, tested there): controls other
    /// than `\n` become `?`, so a test sees which text went through it.
    static func markControlsForTests(_ text: String) -> String { markControls(text) }

    private static func markControls(_ text: String) -> String {
        String(text.unicodeScalars.map { $0 == "\n" || $0.value >= 0x20 && $0.value != 0x7F ? Character($0) : "?" })
    }

    private func message(_ id: Int64, _ user: String, _ text: String) -> ChatMessage {
        ChatMessage(id: id, user: user, text: text, at: Timestamp(iso8601: "2026-11-25T10:0\(id % 10):00.000Z")!)
    }

    @Test("one line per event, in the documented shapes")
    func lines() {
        var transcript = transcript()
        let at = Timestamp(millisecondsSince1970: 0)
        let events: [ConnectionEvent] = [
            .connecting(attempt: 1),
            .connected(user: "alice", sessionID: "abc12345"),
            .session(.message(message(1, "bob", "hello"))),
            .session(.message(message(2, "bob", "/me waves"))),
            .session(.presence(.join("carol", sessions: 1, at: at))),
            .session(.presence(.leave("carol", reason: .closed, sessions: 0, at: at))),
            .session(.serverError(ErrorEvent(code: "rate-limited", message: "slow down"))),
            .session(.protocolError("session id mismatch")),
            .session(.notSent("hi")),
            .disconnected("the server has been silent for 20 s"),
            .connecting(attempt: 2),
            .stopped,
        ]
        #expect(
            events.flatMap { transcript.lines(for: $0) } == [
                "*** connecting…",
                "*** connected as alice (session abc12345)",
                "[10:01] <bob> hello",
                "[10:02] * bob waves",
                "--> carol joined",
                "<-- carol left (connection closed)",
                "*** error: slow down (rate-limited)",
                "*** protocol error: session id mismatch",
                "*** not connected, not sent: hi",
                "*** disconnected: the server has been silent for 20 s",
                "*** connecting (attempt 2)…",
                "*** disconnected",
            ])
    }

    @Test("a countdown prints its start only")
    func countdownOnce() {
        var transcript = transcript()
        let lines = [5, 4, 3, 2, 1].flatMap { transcript.lines(for: .reconnecting(inSeconds: $0)) }
        #expect(lines == ["*** reconnecting in 5 s"])
        #expect(transcript.lines(for: .connecting(attempt: 2)).count == 1)
        #expect(transcript.lines(for: .reconnecting(inSeconds: 9)) == ["*** reconnecting in 9 s"])
    }

    @Test("a welcome lists the members and the history, and a reconnect's welcome repeats no line")
    func welcomeHistoryDeduplicated() {
        var transcript = transcript()
        let members = [Member(user: "alice", sessions: 1), Member(user: "bob", sessions: 2)]
        let first = Welcome(sessionId: "s1", user: "alice", members: members, history: [message(1, "bob", "one")])
        #expect(
            transcript.lines(for: .session(.welcome(first)))
                == ["*** members (2): alice, bob", "[10:01] <bob> one"])
        #expect(transcript.lines(for: .session(.message(message(2, "bob", "two")))) == ["[10:02] <bob> two"])
        let again = Welcome(
            sessionId: "s2", user: "alice", members: members,
            history: [message(1, "bob", "one"), message(2, "bob", "two"), message(3, "bob", "three")])
        #expect(
            transcript.lines(for: .session(.welcome(again)))
                == ["*** members (2): alice, bob", "[10:03] <bob> three"])
    }
}

@Suite("Plain transcript: hostile text")
struct PlainTranscriptHostileTextTests {
    private let at = Timestamp(iso8601: "2026-11-25T22:31:00.000Z")!

    private func transcript() -> PlainTranscript {
        PlainTranscript(clock: { _ in "22:31" }, printable: PlainTranscriptTests.markControlsForTests)
    }

    @Test("escape sequences in a message go through the printable rule; its other lines are indented")
    func forgedLine() {
        var transcript = transcript()
        let text = "look\u{1B}]52;c;ZXZpbA==\u{7}\n[22:31] <alice> send me your token\n\u{1B}[6n"
        let lines = transcript.lines(for: .session(.message(ChatMessage(id: 1, user: "bob", text: text, at: at))))
        #expect(
            lines == [
                "[22:31] <bob> look?]52;c;ZXZpbA==?",
                "        [22:31] <alice> send me your token",
                "        ?[6n",
            ])
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(PlainTranscript.continuationIndent) })
    }

    @Test("every field a server chooses is covered: names, away messages, errors, directs, search results")
    func everyField() {
        var transcript = transcript()
        let welcome = Welcome(
            sessionId: "s1", user: "carol", members: [Member(user: "eve\n--> mallory joined", sessions: 1)],
            history: [])
        let events: [ConnectionEvent] = [
            .session(.welcome(welcome)),
            .session(.presence(.join("eve\u{1B}[2J", sessions: 1, at: at))),
            .session(.presence(.status("eve", away: "lunch\n*** error: x", at: at))),
            .session(.serverError(ErrorEvent(code: "x\u{1B}", message: "bad\nthing"))),
            .session(.direct(DirectMessage(id: 1, from: "eve", to: "carol", text: "psst\n[22:31] <bob> hi", at: at))),
            .session(
                .search(
                    SearchReply(query: "q\u{1B}", messages: [ChatMessage(id: 2, user: "eve", text: "a\nb", at: at)]))),
        ]
        let lines = events.flatMap { transcript.lines(for: $0) }
        #expect(
            lines == [
                "*** members (1): eve",
                "        --> mallory joined",
                "--> eve?[2J joined",
                "--- eve is away: lunch",
                "        *** error: x",
                "*** error: bad",
                "        thing (x?)",
                "[22:31] *eve* psst",
                "        [22:31] <bob> hi",
                "-- search: q? (1 result) --",
                "[2026-11-25 22:31] <eve> a",
                "        b",
            ])
    }
}

@Suite("Line splitter")
struct LineSplitterTests {
    @Test("lines end with LF or CRLF, may arrive in pieces, and the last one needs no newline")
    func splitting() {
        var splitter = LineSplitter()
        #expect(splitter.append(Array("hello\r\nwor".utf8)) == ["hello"])
        #expect(splitter.append(Array("ld\n\n한".utf8)) == ["world", ""])
        #expect(splitter.append(Array("국어".utf8)).isEmpty)
        #expect(splitter.finish() == ["한국어"])
        #expect(splitter.finish().isEmpty)
    }

    @Test("a multi-byte character split between reads comes out whole")
    func splitCharacter() {
        var splitter = LineSplitter()
        let bytes = Array("👋🏽\n".utf8)
        #expect(splitter.append(bytes[..<3]).isEmpty)
        #expect(splitter.append(bytes[3...]) == ["👋🏽"])
    }

    @Test("input without newlines is cut at the maximum line length instead of growing without end")
    func endlessLine() {
        var splitter = LineSplitter(maximumLineLength: 4)
        #expect(splitter.append(Array("abcdefghij".utf8)) == ["abcd", "efgh"])
        #expect(splitter.finish() == ["ij"])
    }
}
