#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `poll()` over a few descriptors: the client's only way of waiting, so it uses no CPU
/// while nothing happens.
struct Poller {
    /// What happened to one descriptor.
    struct Readiness {
        var isReadable = false
        /// The other end is gone (a closed terminal or pipe) or the descriptor is broken.
        var isHungUp = false
    }

    /// Waits until one of `descriptors` is readable or hung up, or `timeout` milliseconds
    /// passed (`nil`: no limit). A signal interrupting the wait returns nothing ready: the
    /// signal pipe reports it on the next call.
    static func wait(for descriptors: [Int32], timeout: Int?) -> [Readiness] {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let result = poll(&entries, nfds_t(entries.count), Int32(clamping: timeout ?? -1))
        guard result > 0 else { return Array(repeating: Readiness(), count: descriptors.count) }
        return entries.map { entry in
            Readiness(
                isReadable: entry.revents & Int16(POLLIN) != 0,
                isHungUp: entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0)
        }
    }
}

/// Monotonic milliseconds, for the quit deadline.
func monotonicMilliseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
}
