/// At most `limit` history and search pages are read and encoded at once, across all sessions;
/// the others wait their turn (in order). A page is up to 256 KiB read from the store and copied
/// a few times while it is encoded: forty clients asking at once held forty of those, and the
/// allocator kept the memory after they were gone. It also spares the database a burst of reads.
actor PageReadLimit {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once fewer than `limit` others run.
    func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if running >= limit {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            running += 1
        }
        defer { release() }
        return await body()
    }

    /// Hands the slot to the first waiter, or frees it.
    private func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
