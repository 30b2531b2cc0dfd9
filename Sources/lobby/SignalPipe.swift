#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Signals turned into bytes on a pipe (the self-pipe trick), so the main loop sees them in
/// `poll()` next to the terminal and the network, and handles them outside the handler, where
/// anything may be called.
final class SignalPipe {
    /// The read end: poll it for `POLLIN`, then ``drain()``.
    let fileDescriptor: Int32

    /// Catches `signals` from now on. Install it before curses starts: ncurses only installs
    /// its own SIGWINCH/SIGINT/SIGTERM handlers over the default disposition.
    init(catching signals: [Int32]) throws(SignalPipeError) {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw SignalPipeError(errno: errno) }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = descriptors[0]
        signalWriteDescriptor = descriptors[1]
        for signal in signals {
            var action = sigaction()
            #if canImport(Glibc)
                action.__sigaction_handler.sa_handler = relaySignal
            #else
                action.__sigaction_u.__sa_handler = relaySignal
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(signal, &action, nil)
        }
    }

    /// The signals caught since the last call, in order.
    func drain() -> [Int32] {
        var caught: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let count = read(fileDescriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            caught += buffer[..<count].map { Int32($0) }
        }
        return caught
    }
}

struct SignalPipeError: Error, CustomStringConvertible {
    var errno: Int32
    var description: String { "cannot create the signal pipe: " + String(cString: strerror(errno)) }
}

/// The write end of the signal pipe. A signal handler can reach only globals; this one is set
/// once, before any handler is installed, and only read afterwards.
nonisolated(unsafe) private var signalWriteDescriptor: Int32 = -1

/// The signal handler: only async-signal-safe calls (`write`), and errno kept for the
/// interrupted code.
private func relaySignal(_ signal: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(signalWriteDescriptor, &byte, 1)
    errno = savedErrno
}
