import LobbyCore
import STOMP
import SockJS

/// The STOMP conversation inside the SockJS messages: `CONNECTED`, `MESSAGE`, `RECEIPT`, `ERROR`.
extension ClientSessionStateMachine {
    /// The subscription ids, one per destination, so a `MESSAGE` says which payload it carries.
    enum Subscription {
        static let chat = "chat"
        static let presence = "presence"
        static let reply = "reply"
        static let direct = "direct"
    }

    /// Feeds the STOMP text of SockJS messages to the parser; frames may arrive several per
    /// message or split across messages.
    mutating func stompDataReceived(_ messages: [String], now: UInt64) -> [Action] {
        var actions: [Action] = []
        for message in messages {
            parser.append(message.utf8)
            while true {
                let event: FrameParserEvent?
                do {
                    event = try parser.next()
                } catch {
                    return actions + fail("the server sent a malformed STOMP frame: \(error.message)")
                }
                guard let event else { break }
                guard case .frame(let frame) = event else { continue }  // a heart-beat: liveness is already noted
                actions += frameReceived(frame, now: now)
                if state == .closed { return actions }
            }
        }
        return actions
    }

    private mutating func frameReceived(_ frame: Frame, now: UInt64) -> [Action] {
        switch frame.command {
        case .connected:
            return connectedReceived(frame, now: now)
        case .message:
            return messageFrameReceived(frame)
        case .receipt:
            guard case .disconnecting = state, frame.headers["receipt-id"] == Self.disconnectReceiptID else {
                return []
            }
            state = .closed
            return [.close(.finished)]
        case .error:
            let summary = frame.headers["message"] ?? "unspecified error"
            var details = "the server reported an error: \(summary)"
            if let body = frame.bodyText, !body.isEmpty, body != summary {
                details += " (\(body))"
            }
            let wasQuitting = isQuitting
            state = .closed
            return [.emit(.protocolError(details)), .close(wasQuitting ? .finished : .failed(summary))]
        default:
            return []
        }
    }

    /// `CONNECTED`: checks that the server means the same session as the transport URL, settles
    /// the heart-beats, subscribes and identifies.
    private mutating func connectedReceived(_ frame: Frame, now: UInt64) -> [Action] {
        guard state == .awaitingConnected, let sessionID else { return [] }
        // A server that names no session (a Spring server does not have to) cannot contradict the URL.
        if let serverSession = frame.headers["session"], serverSession != sessionID {
            return fail(
                "session id mismatch: the transport URL says \(sessionID) but the server says \(serverSession)")
        }
        let version = frame.headers["version"].flatMap(Version.init(rawValue:)) ?? .v1_0
        let offer = frame.headers["heart-beat"].flatMap { try? HeartBeat(header: $0) } ?? .off
        let agreed = Negotiation.clientView(client: configuration.heartBeat, server: offer)
        let link = Link(
            version: version,
            sendEvery: UInt64(agreed.sendInterval ?? 0),
            expectEvery: UInt64(agreed.receiveInterval ?? 0))
        state = .connected(link)
        parser.version = version
        let identity = IdentityRequest(sessionId: sessionID, clientData: displayName, token: nameToken)
        let frames = [
            Frame(.subscribe, headers: ["destination": Destination.chatTopic, "id": Subscription.chat]),
            Frame(.subscribe, headers: ["destination": Destination.presenceTopic, "id": Subscription.presence]),
            Frame(.subscribe, headers: ["destination": Destination.reply, "id": Subscription.reply]),
            Frame(.subscribe, headers: ["destination": Destination.directQueue, "id": Subscription.direct]),
            Frame(
                .send,
                headers: ["destination": Destination.identity, "content-type": "application/json"],
                body: PayloadCoding.encode(identity)),
        ]
        return [send(frames, version: version, now: now)]
    }

    /// `MESSAGE`: decodes the payload by subscription (or, failing that, by destination).
    private mutating func messageFrameReceived(_ frame: Frame) -> [Action] {
        let route = frame.headers["subscription"] ?? Self.subscription(forDestination: frame.headers["destination"])
        switch route {
        case Subscription.chat:
            return [decoded(ChatMessage.self, frame, as: SessionEvent.message)]
        case Subscription.presence:
            // One event or a batch of them: each becomes its own event, in the order the state changed.
            switch PayloadCoding.decode(PresenceMessage.self, from: frame.body) {
            case .success(let message):
                return message.events.map { .emit(.presence($0)) }
            case .failure(let failure):
                return [Self.undecodable(frame, failure)]
            }
        case Subscription.reply:
            let action = decoded(Reply.self, frame) { reply in
                switch reply {
                case .welcome(let welcome): .welcome(welcome)
                case .error(let error) where error.code == ErrorCode.nameTaken:
                    .serverError(
                        ErrorEvent(
                            code: error.code, message: "the name \(displayName) is taken on this server"))
                case .error(let error): .serverError(error)
                case .history(let history): .history(history)
                case .search(let search): .search(search)
                }
            }
            if case .emit(.welcome) = action {
                isIdentified = true
            }
            return [action]
        case Subscription.direct:
            return [decoded(DirectMessage.self, frame, as: SessionEvent.direct)]
        default:
            return []
        }
    }

    private static func subscription(forDestination destination: String?) -> String? {
        switch destination {
        case Destination.chatTopic: Subscription.chat
        case Destination.presenceTopic: Subscription.presence
        case Destination.reply: Subscription.reply
        case Destination.directQueue: Subscription.direct
        default: nil
        }
    }

    private func decoded<Payload: Decodable>(
        _ type: Payload.Type, _ frame: Frame, as event: (Payload) -> SessionEvent
    ) -> Action {
        switch PayloadCoding.decode(type, from: frame.body) {
        case .success(let payload):
            return .emit(event(payload))
        case .failure(let failure):
            return Self.undecodable(frame, failure)
        }
    }

    private static func undecodable(_ frame: Frame, _ failure: PayloadCoding.DecodeFailure) -> Action {
        let destination = frame.headers["destination"] ?? "?"
        return .emit(.protocolError("could not read a message on \(destination): \(failure)"))
    }
}
