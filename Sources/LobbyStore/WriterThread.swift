import Foundation

/// A task executor with one thread of its own: the home of ``StoreWriter``'s drain task.
///
/// A commit blocks in `fsync`. Run on Swift's cooperative pool (one thread per core), that
/// would stall unrelated tasks, so the store used to hop to GRDB's writer queue and back:
/// two thread switches per batch, which cost more CPU than the SQL itself on a virtual
/// machine (a profile of a paced chat showed ≈ 0.4 ms of scheduler work per message). On
/// this thread a batch runs from wake-up to completions without a switch, and blocking
/// blocks nobody else.
///
/// ```swift
/// let thread = WriterThread(name: "lobby-writer")
/// let task = Task(executorPreference: thread) { await drain() }
/// await task.value
/// thread.shutdown()
/// ```
final class WriterThread: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopping` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in
            Self.nameCurrentThread(name)
            runJobs()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread exit once it has run every job enqueued so far.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Names the thread for `top -H`, `ps -L` and profilers; without this it inherits the name
    /// of whichever thread created it (a dispatch worker: "oot.default-qos"). Foundation's
    /// `Thread.name` does not reach the system on Linux, and glibc's `pthread_setname_np` is
    /// not imported into Swift, so the name goes through procfs (at most 15 bytes are kept).
    private static func nameCurrentThread(_ name: String) {
        #if os(Linux)
            try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        #endif
    }

    private func runJobs() {
        var ready: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&ready, &jobs)
            condition.unlock()
            for job in ready {
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
            ready.removeAll(keepingCapacity: true)
        }
    }
}
