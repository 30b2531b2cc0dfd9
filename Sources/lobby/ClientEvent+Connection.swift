import LobbyClient
import LobbyTUI

extension ClientEvent {
    /// What the screen makes of a network event; `nil` for `stopped`, which ends the program
    /// rather than changing the screen.
    init?(_ event: ConnectionEvent) {
        switch event {
        case .connecting(let attempt): self = .status(.connecting(attempt: attempt))
        case .connected(let user, let sessionID): self = .status(.connected(user: user, sessionID: sessionID))
        case .reconnecting(let seconds): self = .status(.reconnecting(inSeconds: seconds))
        case .disconnected(let reason): self = .status(.disconnected(reason))
        case .session(.welcome(let welcome)): self = .welcome(welcome)
        case .session(.message(let message)): self = .message(message)
        case .session(.presence(let presence)): self = .presence(presence)
        case .session(.serverError(let error)): self = .serverError(error)
        case .session(.protocolError(let reason)): self = .protocolError(reason)
        case .session(.notSent(let text)): self = .protocolError("not connected; not sent: \(text)")
        case .session(.direct(let direct)): self = .direct(direct)
        case .session(.history(let history)): self = .history(history)
        case .session(.search(let search)): self = .search(search)
        case .stopped: return nil
        }
    }
}
