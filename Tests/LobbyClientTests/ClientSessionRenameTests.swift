import LobbyClient
import LobbyCore
import Testing

private typealias T = SessionTranscript

@Suite("Client session: /nick")
struct ClientSessionRenameTests {
    @Test("on a connected session, /nick sends the identity again with the new name and its token")
    func identifyAgain() {
        var session = T.connectedSession(name: "carol")
        let actions = session.identify(as: "carol2", token: "t0k", now: 5)
        let sent = T.sent(actions)
        #expect(sent.count == 1)
        #expect(sent.first?.hasPrefix("SEND\ndestination:/app/identity\n") == true)
        for field in [#""sessionId":"abc12345""#, #""clientData":"carol2""#, #""token":"t0k""#] {
            #expect(sent.first?.contains(field) == true, "\(field) missing from \(sent)")
        }
        #expect(session.displayName == "carol2")
    }

    @Test("a name-taken answer names the name asked for, so a refused /nick says which")
    func nameTakenNamesTheName() {
        var session = T.connectedSession(name: "carol")
        _ = session.identify(as: "dave", token: nil, now: 5)
        let json = #"{"type":"error","code":"name-taken","message":"the name dave is claimed by someone else"}"#
        let actions = session.messageReceived(
            T.sockJS(T.message(subscription: "reply", destination: "/user/queue/reply", json: json)), now: 6)
        #expect(
            T.events(actions) == [
                .serverError(ErrorEvent(code: ErrorCode.nameTaken, message: "the name dave is taken on this server"))
            ])
    }

    @Test("before CONNECTED, /nick changes the name the session will identify as")
    func beforeConnected() {
        var session = T.newSession(name: "carol")
        _ = session.messageReceived("o", now: 0)
        #expect(session.identify(as: "carol2", token: nil, now: 1).isEmpty)
        let sent = T.sent(session.messageReceived(T.sockJS(T.connected()), now: 2))
        #expect(sent.last?.contains(#""clientData":"carol2""#) == true)
    }

    @Test("after quitting, /nick is not sent and says so")
    func afterQuit() {
        var session = T.connectedSession(name: "carol")
        _ = session.quit(now: 1)
        #expect(session.identify(as: "carol2", token: nil, now: 2) == [.emit(.notSent("/nick carol2"))])
    }
}
