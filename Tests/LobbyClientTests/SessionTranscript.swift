import LobbyClient
import STOMP
import SockJS

/// Helpers that speak for the server side of a session transcript, and read what the client sent.
enum SessionTranscript {
    static let transportURL = "ws://127.0.0.1:8080/connection/123/abc12345/websocket"
    static let sessionID = "abc12345"

    /// A session that has opened its WebSocket at time 0, with the STOMP `host` header set.
    static func newSession(name: String = "alice") -> ClientSessionStateMachine {
        ClientSessionStateMachine(
            transportURL: transportURL, displayName: name, configuration: .init(host: "127.0.0.1"), now: 0)
    }

    /// A session that went through `o` and `CONNECTED` (heart-beats 10000,10000) at time 0.
    static func connectedSession(name: String = "alice") -> ClientSessionStateMachine {
        var session = newSession(name: name)
        _ = session.messageReceived("o", now: 0)
        _ = session.messageReceived(sockJS(connected()), now: 0)
        return session
    }

    /// The STOMP text of a frame, as a server encodes it.
    static func text(_ frame: Frame) -> String {
        String(decoding: FrameEncoder.encode(frame, version: .v1_2), as: UTF8.self)
    }

    /// A SockJS `a[...]` frame carrying each STOMP frame as one message.
    static func sockJS(_ frames: Frame...) -> String {
        SockJSFrame.messages(frames.map(text)).encoded
    }

    static func connected(
        session: String? = sessionID, heartBeat: String = "10000,10000", version: String = "1.2"
    ) -> Frame {
        var headers: Headers = ["version": version, "heart-beat": heartBeat]
        if let session {
            headers.append("session", session)
        }
        headers.append("server", "lobby/0.1")
        return Frame(.connected, headers: headers)
    }

    static func message(subscription: String, destination: String, json: String) -> Frame {
        Frame(
            .message,
            headers: [
                "subscription": subscription, "destination": destination, "message-id": "m-1",
                "content-type": "application/json",
            ],
            text: json)
    }

    /// The SockJS messages (STOMP text) of every `.send` action, in order.
    static func sent(_ actions: [ClientSessionStateMachine.Action]) -> [String] {
        actions.flatMap { action -> [String] in
            guard case .send(let payload) = action else { return [] }
            return (try? SockJSJSON.decodeMessages(Array(payload.utf8))) ?? ["<not a JSON array: \(payload)>"]
        }
    }

    /// The events among the actions, in order.
    static func events(_ actions: [ClientSessionStateMachine.Action]) -> [SessionEvent] {
        actions.compactMap { action in
            guard case .emit(let event) = action else { return nil }
            return event
        }
    }

    /// The close action among the actions, if any.
    static func end(_ actions: [ClientSessionStateMachine.Action]) -> SessionEnd? {
        actions.lazy.compactMap { action in
            guard case .close(let end) = action else { return nil }
            return end
        }.first
    }
}
