import Testing

@testable import LobbyBench

@Suite("Message bodies")
struct PayloadTests {
    @Test("a stamp is found inside whatever JSON the server wraps around the text")
    func stampInLobbyMessage() {
        let body = Array(
            #"{"at":"2026-11-25T10:00:00.000Z","id":42,"text":"t=987654321 s=17 p=2","type":"message","user":"p0"}"#
                .utf8)
        #expect(Stamp.find(in: body) == Stamp(sentAt: 987_654_321, sequence: 17, publisher: 2))
        #expect(Stamp.find(in: body[...]) == Stamp(sentAt: 987_654_321, sequence: 17, publisher: 2))
    }

    @Test("a stamp round-trips through its text, and RabbitMQ's verbatim body")
    func stampRoundTrip() {
        let stamp = Stamp(sentAt: 18_446_744_073, sequence: 0, publisher: 0)
        #expect(Stamp.find(in: Outbound.chatBody(stamp)) == stamp)
    }

    @Test("bodies without a complete stamp give nil")
    func noStamp() {
        #expect(Stamp.find(in: Array(#"{"text":"hello"}"#.utf8)) == nil)
        #expect(Stamp.find(in: Array("t=12 s=3".utf8)) == nil)
        #expect(Stamp.find(in: Array("at=x t=".utf8)) == nil)
        #expect(Stamp.find(in: [UInt8]()) == nil)
    }

    @Test("presence and error events")
    func serverEvents() {
        let leave = ServerEvent(
            json: Array(#"{"at":"…","reason":"closed","sessions":0,"type":"leave","user":"v1-abc"}"#.utf8))
        #expect(leave == ServerEvent(type: "leave", user: "v1-abc", reason: "closed"))
        let join = ServerEvent(json: Array(#"{"at":"…","sessions":1,"type":"join","user":"bob"}"#.utf8))
        #expect(join == ServerEvent(type: "join", user: "bob"))
        let error = ServerEvent(json: Array(#"{"code":"rate-limited","message":"slow down","type":"error"}"#.utf8))
        #expect(error?.code == "rate-limited")
        #expect(ServerEvent(json: Array(#"{"text":"no type"}"#.utf8)) == nil)
    }

    @Test("string fields are unescaped, and a key must be followed by a colon")
    func stringFields() {
        let bytes = Array(#"{"note":"user","user" : "a\"b\\c\nd"}"#.utf8)
        #expect(jsonStringField("user", in: bytes) == "a\"b\\c\nd")
        #expect(jsonStringField("missing", in: bytes) == nil)
        #expect(jsonStringField("n", in: Array(#"{"n":5}"#.utf8)) == nil)
        #expect(jsonStringField("n", in: Array(#"{"n":"unterminated"#.utf8)) == nil)
    }
}
