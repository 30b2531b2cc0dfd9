import SockJS
import TestSupport
import Testing

@Suite("Transport URLs")
struct TransportURLTests {
    @Test(
        "session id from valid transport URLs",
        arguments: [
            ("ws://127.0.0.1:8080/connection/123/abc12345/websocket", "abc12345"),
            ("wss://chat.example.com/connection/123/abc12345/websocket", "abc12345"),
            ("http://localhost:8080/connection/123/abc12345/xhr_streaming", "abc12345"),
            ("https://localhost/connection/123/abc12345/xhr", "abc12345"),
            ("WS://HOST/connection/123/abc12345/websocket", "abc12345"),
            ("ws://h:1/connection/123/abc12345/websocket/", "abc12345"),
            ("ws://h:1/connection/123/abc12345/websocket?token=x/y.z", "abc12345"),
            ("ws://h:1/connection/123/abc12345/websocket#frag", "abc12345"),
            ("ws://h:1/a/b/connection/123/abc12345/websocket", "abc12345"),
            ("ws://h/123/abc12345/websocket", "abc12345"),
            ("ws://[::1]:8080/connection/123/abc12345/websocket", "abc12345"),
            ("ws://user:pw@h:8080/connection/123/abc12345/websocket", "abc12345"),
            ("http://h/connection/1/s/eventsource", "s"),
            ("http://h/connection/1/s/htmlfile?c=_jp.a1", "s"),
            ("http://h/connection/1/s/jsonp", "s"),
            ("http://h/connection/1/s/xhr_send", "s"),
            ("http://h/connection/1/s/jsonp_send", "s"),
            ("ws://h/connection/123/a-B_c~9/websocket", "a-B_c~9"),
        ]
    )
    func validURLs(url: String, expected: String) {
        #expect(sessionID(fromTransportURL: url) == expected)
    }

    @Test(
        "malformed transport URLs give nil",
        arguments: [
            "",
            "abc12345",
            "/connection/123/abc12345/websocket",
            "127.0.0.1:8080/connection/123/abc12345/websocket",
            "ftp://h/connection/123/abc12345/websocket",
            "ws:/h/connection/123/abc12345/websocket",
            "ws:///connection/123/abc12345/websocket",
            "ws://:8080/connection/123/abc12345/websocket",
            "ws://h:80a/connection/123/abc12345/websocket",
            "ws://h:99999/connection/123/abc12345/websocket",
            "ws://h:/connection/123/abc12345/websocket",
            "ws://h p/connection/123/abc12345/websocket",
            "ws://[::1/connection/123/abc12345/websocket",
            "ws://h",
            "ws://h/",
            "ws://h/websocket",
            "ws://h/abc12345/websocket",
            "ws://h/connection/123/abc12345",
            "ws://h/connection/123/abc12345/",
            "ws://h/connection/123/abc12345/unknown",
            "ws://h/connection/123//websocket",
            "ws://h/connection//abc12345/websocket",
            "ws://h/connection/123/abc.12345/websocket",
            "ws://h/connection/1.2/abc12345/websocket",
            "ws://h/connection/123/abc12345/websocket//",
            "ws://h?/connection/123/abc12345/websocket",
        ]
    )
    func malformedURLs(url: String) {
        #expect(sessionID(fromTransportURL: url) == nil)
    }

    @Test(
        "transport URLs built from a base",
        arguments: [
            (
                "http://127.0.0.1:8080/connection", Transport.websocket,
                "ws://127.0.0.1:8080/connection/123/abc/websocket"
            ),
            ("https://chat.example.com/connection", .websocket, "wss://chat.example.com/connection/123/abc/websocket"),
            ("ws://h:1/connection", .websocket, "ws://h:1/connection/123/abc/websocket"),
            ("wss://h/connection", .websocket, "wss://h/connection/123/abc/websocket"),
            ("HTTP://h/connection", .websocket, "ws://h/connection/123/abc/websocket"),
            ("http://h/connection/", .websocket, "ws://h/connection/123/abc/websocket"),
            ("http://h", .websocket, "ws://h/123/abc/websocket"),
            ("http://h/", .websocket, "ws://h/123/abc/websocket"),
            ("http://h/a/b/connection", .websocket, "ws://h/a/b/connection/123/abc/websocket"),
            ("http://h/connection?token=t", .websocket, "ws://h/connection/123/abc/websocket?token=t"),
            ("http://h/connection#top", .websocket, "ws://h/connection/123/abc/websocket"),
            ("http://[::1]:8080/connection", .websocket, "ws://[::1]:8080/connection/123/abc/websocket"),
            ("http://h/connection", .xhrStreaming, "http://h/connection/123/abc/xhr_streaming"),
            ("https://h/connection", .xhr, "https://h/connection/123/abc/xhr"),
            ("ws://h/connection", .xhrSend, "http://h/connection/123/abc/xhr_send"),
            ("wss://h/connection", .eventsource, "https://h/connection/123/abc/eventsource"),
        ]
    )
    func builtURLs(base: String, transport: Transport, expected: String) {
        #expect(makeTransportURL(base: base, server: "123", session: "abc", transport: transport) == expected)
    }

    @Test(
        "malformed bases give nil",
        arguments: [
            "", "localhost:8080", "/connection", "ftp://h/connection", "http://", "http:///connection", "http://h:x/",
        ]
    )
    func malformedBases(base: String) {
        #expect(makeTransportURL(base: base, server: "123", session: "abc") == nil)
    }

    @Test("unusable ids give nil", arguments: ["", "a.b", "a/b", "a?b", "a#b", "a b", "a%20", "a\nb"])
    func unusableIDs(id: String) {
        #expect(makeTransportURL(base: "http://h/connection", server: id, session: "abc") == nil)
        #expect(makeTransportURL(base: "http://h/connection", server: "123", session: id) == nil)
    }

    @Test("default transport is websocket")
    func defaultTransport() {
        #expect(
            makeTransportURL(base: "http://h:8/connection", server: "007", session: "s1")
                == "ws://h:8/connection/007/s1/websocket"
        )
    }

    @Test("property: the session id parsed from a built URL is the one put in")
    func buildThenParse() {
        var generator = SplitMix64(seed: 0x50C7_5A11)
        let bases = ["http://127.0.0.1:8080/connection", "https://h/a/b/", "ws://[::1]:1/x?y=z", "wss://h"]
        for _ in 0..<2000 {
            let server = randomServerID(using: &generator)
            let session = randomSessionID(length: Int.random(in: 1...40, using: &generator), using: &generator)
            let base = bases.randomElement(using: &generator)!
            let transport = Transport.allCases.randomElement(using: &generator)!
            let url = makeTransportURL(base: base, server: server, session: session, transport: transport)
            #expect(url.flatMap(sessionID(fromTransportURL:)) == session, "\(base) \(server) \(session)")
        }
    }

    @Test("server ids are three digits")
    func serverIDs() {
        var generator = SplitMix64(seed: 1)
        var seen: Set<String> = []
        for _ in 0..<5000 {
            let id = randomServerID(using: &generator)
            #expect(id.count == 3 && id.allSatisfy(\.isASCII) && id.allSatisfy(\.isNumber))
            seen.insert(id)
        }
        #expect(seen.count > 900)  // about 993 expected of 1000
        #expect(seen.contains { $0.hasPrefix("0") })  // zero-padded
    }

    @Test("session ids are [a-z0-9] of the requested length")
    func sessionIDs() {
        var generator = SplitMix64(seed: 2)
        let alphabet = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        var used: Set<Character> = []
        for length in [1, 8, 8, 8, 32] {
            for _ in 0..<200 {
                let id = randomSessionID(length: length, using: &generator)
                #expect(id.count == length)
                #expect(id.allSatisfy(alphabet.contains))
                used.formUnion(id)
            }
        }
        #expect(used == alphabet)
        #expect(randomSessionID(using: &generator).count == 8)
    }

    @Test("session id characters are uniform: bytes that would bias them are skipped")
    func sessionIDsAreUnbiased() {
        /// Yields the given values, then zeros.
        struct ScriptedGenerator: RandomNumberGenerator {
            var values: [UInt64]
            mutating func next() -> UInt64 { values.isEmpty ? 0 : values.removeFirst() }
        }
        // 0xFF…: every byte is ≥ 252, so none of them may become a character.
        var scripted = ScriptedGenerator(values: [.max, 0x0000_0000_0000_2301])
        // Then bytes 0x01, 0x23 (35), 0x00, lowest first: "b", "9", "a".
        #expect(randomSessionID(length: 3, using: &scripted) == "b9a")
        var generator = SplitMix64(seed: 7)
        var counts: [Character: Int] = [:]
        for _ in 0..<4_500 {
            for character in randomSessionID(length: 8, using: &generator) { counts[character, default: 0] += 1 }
        }
        // 36 000 characters: 1 000 expected each; ±20 % is far beyond chance (σ ≈ 31).
        #expect(counts.count == 36)
        #expect(counts.values.allSatisfy { (800...1_200).contains($0) })
    }

    @Test("the same seed gives the same ids")
    func deterministicIDs() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        #expect(randomSessionID(using: &first) == randomSessionID(using: &second))
        #expect(randomServerID(using: &first) == randomServerID(using: &second))
    }
}
