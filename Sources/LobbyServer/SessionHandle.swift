import LobbyCore
import NIOCore

/// The lobby's view of one live connection, whatever its transport.
///
/// The coordinator and the broker call these from any thread; implementations hop to their own
/// event loop and never block the caller, so fan-out never waits on a client.
protocol SessionHandle: AnyObject, Sendable {
    var id: SessionID { get }
    /// Queues already-encoded bytes of one outbound STOMP frame. Never blocks; a session whose
    /// queue overflows ends itself with reason `slow`.
    func enqueue(_ frame: EncodedFrame)
    /// The event loop the session lives on, when it has one: the broker hands a fan-out to each
    /// loop as one task instead of one task per subscriber.
    var eventLoop: (any EventLoop)? { get }
    /// Writes a frame now without flushing it; returns whether anything was written (so a flush
    /// is owed). Only called on `eventLoop`, by the broker's per-loop fan-out.
    func writeOnEventLoop(_ frame: EncodedFrame) -> Bool
    /// Flushes what `writeOnEventLoop` wrote. Only called on `eventLoop`.
    func flushOnEventLoop()
    /// Ends the transport after the lobby recorded the end (e.g. server shutdown, kick).
    func terminate(reason: LeaveReason)
}
