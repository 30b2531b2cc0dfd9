import LobbyCore
import NIOCore

/// The lobby's view of one live connection, whatever its transport.
///
/// The coordinator and the broker call these from any thread; implementations hop to their own
/// event loop and never block the caller, so fan-out never waits on a client.
protocol SessionHandle: AnyObject, Sendable {
    var id: SessionID { get }
    /// How the session's transport frames STOMP: private frames are encoded for it alone.
    var framing: Framing { get }
    /// Queues already-encoded bytes of one outbound STOMP frame. Never blocks; a session whose
    /// queue overflows ends itself with reason `slow`.
    func enqueue(_ frame: EncodedFrame)
    /// The event loop the session lives on, when it has one: the broker hands a fan-out to each
    /// loop as one task instead of one task per subscriber.
    var eventLoop: (any EventLoop)? { get }
    /// Takes a frame to write at the next `flushOnEventLoop()`. Returns true when this session
    /// now owes a flush that it did not owe before, so the fan-out lists each session once per
    /// flush however many frames it got. Only called on `eventLoop`, by the per-loop fan-out.
    func writeOnEventLoop(_ frame: EncodedFrame) -> Bool
    /// Writes and flushes what `writeOnEventLoop` took. Only called on `eventLoop`.
    func flushOnEventLoop()
    /// Ends the transport after the lobby recorded the end (e.g. server shutdown, kick).
    func terminate(reason: LeaveReason)
}
