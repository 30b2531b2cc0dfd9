import LobbyClient
import LobbyCore
import STOMP
import SockJS
import Testing

@Suite("Client session: handshake, identity and protocol failures")
struct ClientSessionHandshakeTests {
    typealias T = SessionTranscript

    @Test("the session id comes from the transport URL the client opened")
    func sessionIDFromTransportURL() {
        #expect(T.newSession().sessionID == "abc12345")
    }

    @Test("full handshake: o → CONNECT, CONNECTED → four SUBSCRIBEs and the identity, welcome → identified")
    func fullHandshake() {
        var session = T.newSession()
        #expect(session.nextDeadline == 10_000)  // the handshake timeout

        let open = session.messageReceived("o", now: 5)
        #expect(
            open == [.send(#"["CONNECT\naccept-version:1.2,1.1\nheart-beat:10000,10000\nhost:127.0.0.1\n\n\u0000"]"#)])

        let connected = session.messageReceived(T.sockJS(T.connected()), now: 20)
        let identity = #"{"clientData":"alice","sessionId":"abc12345"}"#
        #expect(
            T.sent(connected) == [
                "SUBSCRIBE\ndestination:/topic/chat\nid:chat\n\n\0",
                "SUBSCRIBE\ndestination:/topic/presence\nid:presence\n\n\0",
                "SUBSCRIBE\ndestination:/user/queue/reply\nid:reply\n\n\0",
                "SUBSCRIBE\ndestination:/user/queue/direct\nid:direct\n\n\0",
                "SEND\ndestination:/app/identity\ncontent-type:application/json\ncontent-length:\(identity.utf8.count)\n\n"
                    + identity + "\0",
            ])
        #expect(connected.count == 1, "subscriptions and identity travel in one SockJS message")
        #expect(!session.isIdentified)

        let welcomeJSON = """
            {"type":"welcome","sessionId":"abc12345","user":"alice","members":[{"user":"alice","sessions":1}],\
            "history":[{"type":"message","id":7,"user":"bob","text":"hi","at":"2026-11-25T10:00:00.000Z"}]}
            """
        let welcome = session.messageReceived(
            T.sockJS(T.message(subscription: "reply", destination: "/user/queue/reply", json: welcomeJSON)), now: 30)
        let expected = Welcome(
            sessionId: "abc12345", user: "alice", members: [Member(user: "alice", sessions: 1)],
            history: [ChatMessage(id: 7, user: "bob", text: "hi", at: Timestamp(iso8601: "2026-11-25T10:00:00.000Z")!)])
        #expect(welcome == [.emit(.welcome(expected))])
        #expect(session.isIdentified)
    }

    @Test("the identity carries the display name as typed, JSON-escaped")
    func identityEscapesName() {
        var session = T.newSession(name: "김 \"quoted\"")
        _ = session.messageReceived("o", now: 0)
        let sent = T.sent(session.messageReceived(T.sockJS(T.connected()), now: 0))
        #expect(sent.last?.contains(#"{"clientData":"김 \"quoted\"","sessionId":"abc12345"}"#) == true)
    }

    @Test("CONNECTED naming another session: protocol error and close, nothing subscribed")
    func sessionMismatch() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        let actions = session.messageReceived(T.sockJS(T.connected(session: "zzz99999")), now: 1)
        #expect(T.sent(actions).isEmpty)
        let reason = "session id mismatch: the transport URL says abc12345 but the server says zzz99999"
        #expect(actions == [.emit(.protocolError(reason)), .close(.failed(reason))])
        #expect(session.isClosed)
        #expect(session.messageReceived(T.sockJS(T.connected()), now: 2).isEmpty, "a closed session ignores input")
    }

    @Test("CONNECTED without a session header (as Spring may send it) cannot contradict the URL")
    func connectedWithoutSessionHeader() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        let sent = T.sent(session.messageReceived(T.sockJS(T.connected(session: nil)), now: 1))
        #expect(sent.count == 5)
        #expect(sent.last?.contains(#""sessionId":"abc12345""#) == true)
    }

    @Test("a transport URL without a session id fails at open instead of identifying as nobody")
    func urlWithoutSessionID() {
        var session = ClientSessionStateMachine(
            transportURL: "ws://127.0.0.1:8080/websocket", displayName: "alice", now: 0)
        #expect(session.sessionID == nil)
        let actions = session.messageReceived("o", now: 0)
        #expect(T.end(actions) == .failed("cannot learn the session id from the transport URL"))
    }

    @Test("the handshake times out when CONNECTED never comes")
    func handshakeTimeout() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 100)
        #expect(session.tick(now: 9_999).isEmpty)
        #expect(
            session.tick(now: 10_000) == [.close(.lost("the server did not complete the handshake within 10 s"))])
        #expect(session.nextDeadline == nil)
    }

    @Test("STOMP ERROR: shown with its message and body, then the session closes")
    func errorFrame() {
        var session = T.connectedSession()
        let error = Frame(.error, headers: ["message": "frame too large"], text: "limit is 65536 bytes")
        let actions = session.messageReceived(T.sockJS(error), now: 5)
        #expect(
            actions == [
                .emit(.protocolError("the server reported an error: frame too large (limit is 65536 bytes)")),
                .close(.failed("frame too large")),
            ])
    }

    @Test("STOMP ERROR during the handshake is reported too")
    func errorBeforeConnected() {
        var session = T.newSession()
        _ = session.messageReceived("o", now: 0)
        let actions = session.messageReceived(T.sockJS(Frame(.error, headers: ["message": "bad login"])), now: 1)
        #expect(T.events(actions) == [.protocolError("the server reported an error: bad login")])
        #expect(T.end(actions) == .failed("bad login"))
    }

    @Test("SockJS close frame: the connection is lost, with the server's code and reason")
    func sockJSClose() {
        var session = T.connectedSession()
        let actions = session.messageReceived(#"c[3000,"Go away!"]"#, now: 5)
        #expect(actions == [.close(.lost("the server closed the session (3000 Go away!)"))])
    }

    @Test("malformed input fails the session: broken SockJS, data before open, broken STOMP")
    func malformedInput() {
        var broken = T.connectedSession()
        #expect(T.end(broken.messageReceived("a[\"unterminated", now: 1)) != nil)

        var early = T.newSession()
        let earlyActions = early.messageReceived(T.sockJS(T.connected()), now: 1)
        #expect(T.end(earlyActions) == .failed("the server sent data before opening the session"))

        var badSTOMP = T.connectedSession()
        let actions = badSTOMP.messageReceived(SockJSFrame.messages(["NOT-A-COMMAND\n\n\0"]).encoded, now: 1)
        #expect(T.events(actions).count == 1)
        #expect(T.end(actions).map { if case .failed = $0 { true } else { false } } == true)
    }

    @Test("frames split across SockJS messages and several per message all arrive, in order")
    func splitAndBatchedFrames() {
        var session = T.connectedSession()
        let chat = T.text(
            T.message(
                subscription: "chat", destination: "/topic/chat",
                json: #"{"type":"message","id":1,"user":"bob","text":"one","at":"2026-11-25T10:00:00.000Z"}"#))
        let presence = T.text(
            T.message(
                subscription: "presence", destination: "/topic/presence",
                json: #"{"type":"join","user":"carol","sessions":1,"at":"2026-11-25T10:00:01.000Z"}"#))
        let stream = chat + "\n" + presence
        let cut1 = stream.index(stream.startIndex, offsetBy: 17)
        let cut2 = stream.index(stream.startIndex, offsetBy: chat.count + 9)

        var events: [SessionEvent] = []
        // One SockJS message holding the first slice, then one holding two more slices.
        events += T.events(session.messageReceived(SockJSFrame.messages([String(stream[..<cut1])]).encoded, now: 1))
        #expect(events.isEmpty)
        let rest = SockJSFrame.messages([String(stream[cut1..<cut2]), String(stream[cut2...])]).encoded
        events += T.events(session.messageReceived(rest, now: 2))
        #expect(events.count == 2)
        guard case .message(let message) = events.first, case .presence(let join) = events.last else {
            Issue.record("expected a message then a presence event, got \(events)")
            return
        }
        #expect(message.text == "one")
        #expect(join == .join("carol", sessions: 1, at: Timestamp(iso8601: "2026-11-25T10:00:01.000Z")!))
    }
}
