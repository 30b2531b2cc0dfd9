import Foundation
import LobbyCore
import STOMP
import Synchronization

@testable import LobbyServer

/// A `SessionHandle` that records what the lobby sends it, decoded back into STOMP frames.
final class RecordingSession: SessionHandle {
    let id: SessionID
    private let received = Mutex<[Frame]>([])
    private let terminations = Mutex<[LeaveReason]>([])

    init(_ id: SessionID) {
        self.id = id
    }

    func enqueue(_ frame: EncodedFrame) {
        var parser = FrameParser()
        parser.append(Array(frame.stomp.readableBytesView))
        if case .frame(let decoded)? = try? parser.next() {
            received.withLock { $0.append(decoded) }
        }
    }

    func terminate(reason: LeaveReason) {
        terminations.withLock { $0.append(reason) }
    }

    var frames: [Frame] { received.withLock { $0 } }
    var terminatedReasons: [LeaveReason] { terminations.withLock { $0 } }

    /// Bodies of MESSAGE frames for `destination`, as JSON objects.
    func messages(on destination: String) -> [[String: Any]] {
        frames.filter { $0.command == .message && $0.headers["destination"] == destination }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any]
        }
    }

    func reset() {
        received.withLock { $0.removeAll() }
    }
}
