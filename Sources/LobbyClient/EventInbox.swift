import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A queue that one thread posts to and another waits on with `poll()`: every post makes
/// ``fileDescriptor`` readable, so a single-threaded program (a curses loop) can sleep in `poll()`
/// on its terminal and its network at once and use no CPU while nothing happens.
///
/// ```swift
/// let inbox = try EventInbox<ConnectionEvent>()
/// // network thread:
/// inbox.post(event)
/// // UI thread, after poll() says inbox.fileDescriptor is readable:
/// for event in inbox.drain() { … }
/// ```
public final class EventInbox<Element: Sendable>: Sendable {
    private let queue = NIOLockedValueBox<[Element]>([])
    /// The read end of the wake-up pipe: poll it for `POLLIN`.
    public let fileDescriptor: Int32
    private let writeDescriptor: Int32

    public init() throws(EventInboxError) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw EventInboxError(errno: errno) }
        for descriptor in descriptors {
            // Non-blocking both ways: drain reads until empty, and a full pipe already means
            // "wake up", so a post never blocks the network thread.
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(fileDescriptor)
        close(writeDescriptor)
    }

    /// Adds an element and wakes the waiting thread. Safe from any thread.
    public func post(_ element: Element) {
        queue.withLockedValue { $0.append(element) }
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// Takes every element posted so far, oldest first, and clears the wake-up.
    ///
    /// The pipe is emptied before the queue is taken, so an element posted in between is either
    /// taken now or leaves a byte behind that wakes the next `poll()`: no post is ever missed.
    public func drain() -> [Element] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(fileDescriptor, &scratch, scratch.count) > 0 {}
        return queue.withLockedValue { elements in
            defer { elements.removeAll() }
            return elements
        }
    }
}

/// The wake-up pipe could not be created.
public struct EventInboxError: Error, Sendable, CustomStringConvertible {
    public var errno: Int32
    public var description: String { "cannot create a pipe: " + String(cString: strerror(errno)) }
}
