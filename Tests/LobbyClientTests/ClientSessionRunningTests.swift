import LobbyClient
import LobbyCore
import STOMP
import SockJS
import Testing

@Suite("Client session: payloads, chat, heart-beats and goodbye")
struct ClientSessionRunningTests {
    typealias T = SessionTranscript

    // MARK: - Payloads

    @Test("a chat MESSAGE becomes a message event")
    func chatMessage() {
        var session = T.connectedSession()
        let json = #"{"type":"message","id":42,"user":"bob","text":"안녕 👋🏽","at":"2026-11-25T10:00:00.000Z"}"#
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "chat", destination: "/topic/chat", json: json)), now: 1)
        let expected = ChatMessage(
            id: 42, user: "bob", text: "안녕 👋🏽", at: Timestamp(iso8601: "2026-11-25T10:00:00.000Z")!)
        #expect(actions == [.emit(.message(expected))])
    }

    @Test("a leave on /topic/presence carries its reason")
    func presenceLeave() {
        var session = T.connectedSession()
        let json = #"{"type":"leave","user":"bob","reason":"closed","sessions":0,"at":"2026-11-25T10:00:00.000Z"}"#
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "presence", destination: "/topic/presence", json: json)), now: 1)
        let expected = PresenceEvent.leave(
            "bob", reason: .closed, sessions: 0, at: Timestamp(iso8601: "2026-11-25T10:00:00.000Z")!)
        #expect(actions == [.emit(.presence(expected))])
    }

    @Test("a presence batch becomes one presence event per entry, joins and leaves in order")
    func presenceBatch() {
        var session = T.connectedSession()
        let json = """
            {"type":"batch","events":[\
            {"type":"join","user":"bob","sessions":1,"at":"2026-11-25T10:00:00.000Z"},\
            {"type":"join","user":"carol","sessions":1,"at":"2026-11-25T10:00:00.001Z"},\
            {"type":"leave","user":"bob","reason":"quit","sessions":0,"at":"2026-11-25T10:00:00.002Z"},\
            {"type":"join","user":"김민지","sessions":2,"at":"2026-11-25T10:00:00.003Z"},\
            {"type":"leave","user":"dave","reason":"timeout","sessions":0,"at":"2026-11-25T10:00:00.004Z"}]}
            """
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "presence", destination: "/topic/presence", json: json)), now: 1)
        func at(_ millis: Int) -> Timestamp { Timestamp(iso8601: "2026-11-25T10:00:00.00\(millis)Z")! }
        #expect(
            actions == [
                .emit(.presence(.join("bob", sessions: 1, at: at(0)))),
                .emit(.presence(.join("carol", sessions: 1, at: at(1)))),
                .emit(.presence(.leave("bob", reason: .quit, sessions: 0, at: at(2)))),
                .emit(.presence(.join("김민지", sessions: 2, at: at(3)))),
                .emit(.presence(.leave("dave", reason: .timeout, sessions: 0, at: at(4)))),
            ])
        #expect(!session.isClosed)
    }

    @Test("single events and batches mix, in frame order, also when routed by destination")
    func presenceSinglesAndBatches() {
        var session = T.connectedSession()
        func event(_ type: String, _ user: String) -> String {
            let reason = type == "leave" ? #","reason":"closed""# : ""
            let sessions = type == "join" ? 1 : 0
            let at = #""at":"2026-11-25T10:00:00.000Z""#
            return #"{"type":"\#(type)","user":"\#(user)"\#(reason),"sessions":\#(sessions),\#(at)}"#
        }
        let frames = [
            T.message(subscription: "presence", destination: "/topic/presence", json: event("join", "u1")),
            T.message(
                subscription: "presence", destination: "/topic/presence",
                json: #"{"type":"batch","events":[\#(event("join", "u2")),\#(event("join", "u3"))]}"#),
            Frame(
                .message, headers: ["destination": "/topic/presence"],
                text: #"{"events":[\#(event("leave", "u1")),\#(event("join", "u4"))],"type":"batch"}"#),
            T.message(subscription: "presence", destination: "/topic/presence", json: event("leave", "u3")),
        ]
        let stream = SockJSFrame.messages(frames.map(T.text)).encoded
        let seen = T.events(session.messageReceived(stream, now: 1)).compactMap { event -> String? in
            guard case .presence(let presence) = event else { return nil }
            return "\(presence.type.rawValue) \(presence.user)"
        }
        #expect(seen == ["join u1", "join u2", "join u3", "leave u1", "join u4", "leave u3"])
    }

    @Test("an empty batch emits nothing; a batch that does not decode is reported and the session goes on")
    func presenceBatchEdgeCases() {
        var session = T.connectedSession()
        let emptyBatch = #"{"type":"batch","events":[]}"#
        let empty = session.messageReceived(
            T.sockJS(T.message(subscription: "presence", destination: "/topic/presence", json: emptyBatch)), now: 1)
        #expect(empty.isEmpty)
        let broken = session.messageReceived(
            T.sockJS(
                T.message(
                    subscription: "presence", destination: "/topic/presence",
                    json: #"{"type":"batch","events":[{"type":"join","user":"bob"}]}"#)),
            now: 2)
        guard case .protocolError(let reason) = T.events(broken).first, T.events(broken).count == 1 else {
            Issue.record("expected one protocol error, got \(broken)")
            return
        }
        #expect(reason.hasPrefix("could not read a message on /topic/presence: missing events.0."))
        #expect(!session.isClosed)
    }

    @Test("a private error on the reply queue is a server error; the session stays open")
    func privateError() {
        var session = T.connectedSession()
        let json = #"{"type":"error","code":"invalid-name","message":"names may not contain spaces"}"#
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "reply", destination: "/user/queue/reply", json: json)), now: 1)
        #expect(
            actions == [.emit(.serverError(ErrorEvent(code: "invalid-name", message: "names may not contain spaces")))])
        #expect(!session.isClosed)
        #expect(!session.isIdentified)
    }

    @Test("without a subscription header the destination decides what the payload is")
    func routeByDestination() {
        var session = T.connectedSession()
        let frame = Frame(
            .message, headers: ["destination": "/topic/chat"],
            text: #"{"type":"message","id":1,"user":"bob","text":"x","at":"2026-11-25T10:00:00.000Z"}"#)
        let events = T.events(session.messageReceived(T.sockJS(frame), now: 1))
        #expect(events.count == 1)
        #expect(events.first.map { if case .message = $0 { true } else { false } } == true)
    }

    @Test("a payload that does not decode is reported, and the session goes on")
    func undecodablePayload() {
        var session = T.connectedSession()
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "chat", destination: "/topic/chat", json: #"{"type":"message"}"#)), now: 1)
        #expect(T.events(actions).count == 1)
        guard case .protocolError(let reason) = T.events(actions).first else {
            Issue.record("expected a protocol error, got \(actions)")
            return
        }
        #expect(reason == "could not read a message on /topic/chat: missing id")
        #expect(!session.isClosed)
    }

    // MARK: - Chat

    @Test("sending chat: SEND /app/chat with a JSON body")
    func sendChat() {
        var session = T.connectedSession()
        let body = #"{"text":"hello \"world\""}"#
        #expect(
            T.sent(session.sendChat(#"hello "world""#, now: 1)) == [
                "SEND\ndestination:/app/chat\ncontent-type:application/json\ncontent-length:\(body.utf8.count)\n\n"
                    + body + "\0"
            ])
    }

    @Test("chat before CONNECTED is handed back as not sent")
    func chatBeforeConnected() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        #expect(session.sendChat("too early", now: 1) == [.emit(.notSent("too early"))])
    }

    // MARK: - Heart-beats

    @Test("heart-beats: a newline is sent when the client has been quiet for the interval")
    func heartBeatSent() {
        var session = T.connectedSession()  // CONNECTED (and the subscriptions) at time 0
        #expect(session.nextDeadline == 10_000)
        #expect(session.tick(now: 9_999).isEmpty)
        #expect(session.tick(now: 10_000) == [.send(#"["\n"]"#)])
        _ = session.messageReceived("h", now: 12_000)
        _ = session.sendChat("hi", now: 15_000)
        #expect(session.tick(now: 20_000).isEmpty, "the chat line at 15 s counts as traffic")
        #expect(session.nextDeadline == 25_000)
        #expect(session.tick(now: 25_000) == [.send(#"["\n"]"#)])
    }

    @Test("heart-beats: silent for twice the server's interval is a lost connection; any frame keeps it alive")
    func heartBeatLoss() {
        var session = T.connectedSession()
        _ = session.messageReceived("a[\"\\n\"]", now: 15_000)  // a STOMP heart-beat
        _ = session.tick(now: 20_000)
        #expect(!session.isClosed)
        _ = session.messageReceived("h", now: 30_000)  // a SockJS heart-beat counts as well
        _ = session.tick(now: 40_000)
        _ = session.tick(now: 49_999)
        #expect(!session.isClosed)
        #expect(session.tick(now: 50_000) == [.close(.lost("the server has been silent for 20 s"))])
    }

    @Test("heart-beats: the slower side's interval wins; the server's offer decides the silence limit")
    func heartBeatNegotiation() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        _ = session.messageReceived(T.sockJS(T.connected(heartBeat: "25000,5000")), now: 0)
        // Client sends every max(10000, 5000) = 10 s; server sends every max(25000, 10000) = 25 s.
        #expect(session.tick(now: 10_000) == [.send(#"["\n"]"#)])
        #expect(session.tick(now: 49_999) == [.send(#"["\n"]"#)])
        #expect(T.end(session.tick(now: 50_000)) != nil)
    }

    @Test("heart-beats off: nothing is sent, and silence is tolerated up to 60 s (SockJS h comes every 25 s)")
    func heartBeatsOff() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        _ = session.messageReceived(T.sockJS(T.connected(heartBeat: "0,0")), now: 0)
        #expect(session.nextDeadline == 60_000)
        _ = session.messageReceived("h", now: 25_000)
        #expect(session.tick(now: 60_000).isEmpty)
        #expect(T.end(session.tick(now: 85_000)) == .lost("the server has been silent for 60 s"))
    }

    // MARK: - Goodbye

    @Test("quit: DISCONNECT with a receipt, then close when the RECEIPT arrives")
    func quitWithReceipt() {
        var session = T.connectedSession()
        #expect(T.sent(session.quit(now: 100)) == ["DISCONNECT\nreceipt:disconnect\n\n\0"])
        #expect(session.isQuitting)
        #expect(session.quit(now: 101).isEmpty, "quitting twice says goodbye once")
        #expect(session.sendChat("late", now: 102) == [.emit(.notSent("late"))])
        #expect(session.messageReceived(T.sockJS(Frame.receipt(id: "other")), now: 150).isEmpty)
        #expect(session.messageReceived(T.sockJS(Frame.receipt(id: "disconnect")), now: 200) == [.close(.finished)])
    }

    @Test("quit: without a RECEIPT, close after the disconnect timeout")
    func quitTimeout() {
        var session = T.connectedSession()
        _ = session.quit(now: 100)
        #expect(session.nextDeadline == 2_100)
        #expect(session.tick(now: 2_099).isEmpty)
        #expect(session.tick(now: 2_100) == [.close(.finished)])
    }

    @Test("quit: a server closing the session during the goodbye finishes it too")
    func quitAnsweredByClose() {
        var session = T.connectedSession()
        _ = session.quit(now: 100)
        #expect(session.messageReceived(#"c[3000,"Go away!"]"#, now: 120) == [.close(.finished)])
    }

    @Test("quit before the STOMP session exists just closes")
    func quitDuringHandshake() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        #expect(session.quit(now: 1) == [.close(.finished)])
    }
}
