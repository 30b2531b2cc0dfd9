import STOMP
import Testing

@testable import LobbyBench

@Suite("Presence and reply bodies")
struct LobbyJSONTests {
    static func changes(_ json: String) -> [PresenceChange]? {
        PresenceChange.all(in: Array(json.utf8))
    }

    @Test("a bare event, keys in the server's sorted order or any other")
    func bareEvents() {
        #expect(
            Self.changes(#"{"at":"2026-12-03T10:00:00.000Z","sessions":1,"type":"join","user":"alice"}"#)
                == [PresenceChange(kind: .join, user: "alice")])
        #expect(
            Self.changes(#"{"at":"…","reason":"quit","sessions":0,"type":"leave","user":"bob"}"#)
                == [PresenceChange(kind: .leave, user: "bob", reason: "quit")])
        #expect(
            Self.changes(#" { "user" : "bob" , "type" : "leave", "reason": "timeout", "sessions": 0 } "#)
                == [PresenceChange(kind: .leave, user: "bob", reason: "timeout")])
        #expect(
            Self.changes(#"{"at":"…","away":"lunch","type":"status","user":"carol"}"#)
                == [PresenceChange(kind: .other, user: "carol")])
        #expect(
            Self.changes(#"{"at":"…","away":null,"type":"status","user":"carol"}"#)
                == [PresenceChange(kind: .other, user: "carol")])
    }

    @Test("a batch: events in order, whether `events` comes before `type` (sorted keys) or after")
    func batches() {
        let expected = [
            PresenceChange(kind: .join, user: "a"), PresenceChange(kind: .leave, user: "b", reason: "closed"),
            PresenceChange(kind: .other, user: "c"), PresenceChange(kind: .join, user: "b"),
        ]
        let events =
            #"[{"at":"…","sessions":1,"type":"join","user":"a"},"#
            + #"{"at":"…","reason":"closed","sessions":0,"type":"leave","user":"b"},"#
            + #"{"at":"…","away":"x","type":"status","user":"c"},{"at":"…","sessions":1,"type":"join","user":"b"}]"#
        #expect(Self.changes(#"{"events":"# + events + #","type":"batch"}"#) == expected)
        #expect(Self.changes(#"{"type":"batch","events":"# + events + "}") == expected)
        #expect(Self.changes(#"{"events":[],"type":"batch"}"#) == [])
        let text: String = #"{"events":"# + events + #","type":"batch"}"#
        let bytes = Array(text.utf8)
        let scan = bytes.withUnsafeBufferPointer { LobbyJSON.presence($0) }
        #expect(scan?.isBatch == true)
        #expect(scan?.events.count == 4)
    }

    @Test("names with escapes, non-ASCII text and surrogate pairs")
    func escapes() {
        #expect(
            Self.changes(#"{"type":"join","user":"a\"b\\c\/d"}"#) == [PresenceChange(kind: .join, user: #"a"b\c/d"#)])
        #expect(Self.changes(#"{"type":"join","user":"김민지"}"#) == [PresenceChange(kind: .join, user: "김민지")])
        #expect(
            Self.changes(#"{"type":"join","user":"\uae40\ubbfc\uc9c0 \ud83d\udc4b"}"#)
                == [PresenceChange(kind: .join, user: "김민지 👋")])
        #expect(
            Self.changes(#"{"type":"join","user":"x\ud83dy"}"#) == [PresenceChange(kind: .join, user: "x\u{FFFD}y")])
    }

    @Test("what is not a presence body gives nil, never a trap")
    func malformed() {
        for text in [
            "", "[]", "{", #"{"type":"join","user":"a""#, #"{"user":"a"}"#, #"{"type":"batch"}"#,
            #"{"type":"batch","events":[{"type":"join","user":"a"}"#, #"{"type":"join","user":"a",}"#,
            #"{"type":"join" "user":"a"}"#, #"{"type":"join","user":"a\"#, "null",
        ] {
            #expect(Self.changes(text) == nil, "\(text)")
        }
        // Cut anywhere, a valid batch never reads out of bounds.
        let whole = Array(#"{"events":[{"type":"join","user":"a\u00e9"}],"type":"batch"}"#.utf8)
        for end in 0..<whole.count {
            _ = PresenceChange.all(in: whole[0..<end])
        }
    }

    @Test("a welcome: members found past a history whose messages also have `user` and `type`")
    func welcome() {
        let body =
            #"{"directs":[],"history":[{"at":"…","id":1,"text":"{\"user\":\"x\"} ]","type":"message","user":"zed"}],"#
            + #""members":[{"away":"lunch","sessions":2,"user":"alice"},{"sessions":1,"user":"b\u00e9"}],"#
            + #""sessionId":"abc123","token":"t","type":"welcome","user":"alice"}"#
        #expect(
            ReplySummary(json: Array(body.utf8))
                == ReplySummary(type: "welcome", sessionID: "abc123", user: "alice", members: ["alice", "bé"]))
        #expect(
            ReplySummary(json: Array(#"{"code":"name-taken","message":"…","type":"error"}"#.utf8))
                == ReplySummary(type: "error", code: "name-taken"))
        #expect(ReplySummary(json: Array(#"{"members":[{"user":"a"}"#.utf8)) == nil)
    }

    @Test("run names map to indices; anything else is foreign")
    func runNames() {
        let names = RunNames(prefix: "rs-abc123-", count: 1_000)
        func index(_ name: String) -> Int? {
            Array(name.utf8).withUnsafeBufferPointer { names.index(of: $0) }
        }
        #expect(names.name(7) == "rs-abc123-7")
        #expect(index("rs-abc123-0") == 0)
        #expect(index("rs-abc123-999") == 999)
        #expect(index("rs-abc123-1000") == nil)
        #expect(index("rs-abc123-07") == nil)
        #expect(index("rs-abc123-") == nil)
        #expect(index("rs-abc124-1") == nil)
        #expect(index("rs-abc123-1x") == nil)
        #expect(index("alice") == nil)
        #expect(names.words == 16)
    }

    @Test("a member list: events before the welcome are superseded, events after it apply in order")
    func memberBook() {
        let names = RunNames(prefix: "u", count: 4)
        let book = MemberBook()
        func presence(_ json: String, at: UInt64 = 1) {
            Array(json.utf8).withUnsafeBufferPointer { book.presence($0, at: at, names: names) }
        }
        func reply(_ json: String, at: UInt64) {
            Array(json.utf8).withUnsafeBufferPointer { book.reply($0, at: at, names: names) }
        }
        func welcome(_ members: [String]) {
            let list = members.map { #"{"sessions":1,"user":"\#($0)"}"# }.joined(separator: ",")
            reply(#"{"history":[],"members":[\#(list)],"sessionId":"s","type":"welcome","user":"u0"}"#, at: 2)
        }
        presence(#"{"type":"join","user":"u1"}"#)
        presence(#"{"events":[{"type":"join","user":"u2"},{"type":"leave","user":"u1"}],"type":"batch"}"#)
        welcome(["u0", "u2"])
        book.state.withLock { state in
            #expect(state.welcomed)
            #expect(state.count == 2)
            #expect(state.superseded == 3)
            #expect(state.presenceMessages == 2)
            #expect(state.presenceBatches == 1)
        }
        presence(
            #"{"events":[{"type":"join","user":"u1"},{"type":"join","user":"alice"},{"type":"join","user":"u3"}],"#
                + #""type":"batch"}"#, at: 5)
        presence(#"{"type":"leave","user":"alice","reason":"quit"}"#, at: 6)
        book.state.withLock { state in
            #expect(state.count == 4)
            #expect(state.foreign.isEmpty)
            #expect(state.bits == [0b1111])
            #expect(state.inconsistent == 0)
            #expect(state.lastChangeAt == 6)
        }
        // A join of a listed user, a leave of an unlisted one: counted, the list stays right.
        presence(#"{"type":"join","user":"u3"}"#)
        presence(#"{"type":"leave","user":"bob"}"#)
        presence(#"{"type":"status","user":"u3","away":"x"}"#)
        presence("not json")
        reply(#"{"code":"rate-limited","message":"…","type":"error"}"#, at: 9)
        book.state.withLock { state in
            #expect(state.count == 4)
            #expect(state.inconsistent == 2)
            #expect(state.unreadable == 1)
            #expect(state.replyErrors == 1)
            #expect(state.firstErrorCode == "rate-limited")
        }
    }

    @Test("the observer routes by subscription id and judges lists against the run")
    func observer() {
        let observer = RealClientObserver(names: RunNames(prefix: "n", count: 2))
        func message(_ client: Int, _ subscription: String, _ json: String) {
            observer.message(
                client: client,
                frame: Frame(
                    .message, headers: ["subscription": subscription, "destination": "/x"], body: Array(json.utf8)),
                at: 3)
        }
        message(0, "reply", #"{"members":[{"user":"n0"}],"type":"welcome"}"#)
        message(0, "presence", #"{"type":"join","user":"n1"}"#)
        message(1, "chat", #"{"members":[{"user":"n0"}],"type":"welcome"}"#)
        message(1, "reply", #"{"members":[{"user":"n0"},{"user":"n1"}],"type":"welcome"}"#)
        #expect(observer.allCounts(of: [0, 1], equal: 2))
        #expect(observer.exactCount(of: [0, 1], expected: [0b11]) == 2)
        #expect(observer.exactCount(of: [0, 1], expected: [0b01]) == 0)
        message(1, "presence", #"{"type":"leave","user":"n0"}"#)
        #expect(!observer.allCounts(of: [0, 1], equal: 2))
        let outcome = observer.outcome(of: [0, 1], expected: [0b11])
        #expect(outcome.exact == 1)
        #expect(outcome.welcomed == 2)
        #expect(outcome.shortest == 1)
        #expect(outcome.presenceEvents == 2)
        observer.closed(client: 1, at: 4)
        observer.beginClosing()
        observer.closed(client: 0, at: 5)
        #expect(observer.outcome(of: [0, 1], expected: [0b11]).closedByServer == 1)
    }
}
