import LobbyCore
import LobbyTUI

/// A timestamp on Friday 27 November 2026 (UTC): `time("10:00")`.
func time(_ clock: String, day: Int = 27) -> Timestamp {
    Timestamp(iso8601: "2026-11-\(day)T\(clock):00.000Z")!
}

func message(_ id: Int64, _ user: String, _ text: String, at clock: String = "10:00") -> ChatMessage {
    ChatMessage(id: id, user: user, text: text, at: time(clock))
}

func welcome(members: [String], history: [ChatMessage] = [], user: String = "alice") -> Welcome {
    Welcome(
        sessionId: "3k9xq2zp", user: user, members: members.map { Member(user: $0, sessions: 1) }, history: history)
}

/// A client named alice, in UTC so lines read the same on every machine.
func makeState(width: Int = 100, height: Int = 30) -> ClientState {
    var state = ClientState(ownName: "alice", now: time("09:59"), timeZone: .utc)
    state.resize(width: width, height: height)
    return state
}

/// A client that is connected and welcomed into a room with bob and carol.
func connectedState(width: Int = 100, height: Int = 30, history: [ChatMessage] = []) -> ClientState {
    var state = makeState(width: width, height: height)
    state.apply(.status(.connected(user: "alice", sessionID: "3k9xq2zp")), now: time("09:59"))
    state.apply(.welcome(welcome(members: ["carol", "alice", "bob"], history: history)), now: time("09:59"))
    return state
}

extension ClientState {
    /// Types `text` one character at a time.
    mutating func type(_ text: String, now: Timestamp = time("10:00")) {
        for character in text {
            _ = handle(.character(character), now: now)
        }
    }

    /// Types `text` and presses Enter.
    mutating func submit(_ text: String, now: Timestamp = time("10:00")) -> [ClientCommand] {
        type(text, now: now)
        return handle(.enter, now: now)
    }

    /// The lines' kinds, without times: what most reducer tests compare.
    var kinds: [ChatLine.Kind] { lines.map(\.kind) }
}

/// A screen of `width` × `height` with `state` drawn on it.
func rendered(_ state: ClientState, width: Int, height: Int) -> GridCanvas {
    let canvas = GridCanvas(width: width, height: height)
    Screen.render(state, on: canvas, now: time("10:30"))
    return canvas
}

/// `text` padded with spaces to `width` cells (for expected screen lines).
func padded(_ text: String, to width: Int) -> String {
    text + String(repeating: " ", count: max(width - displayWidth(of: text), 0))
}
