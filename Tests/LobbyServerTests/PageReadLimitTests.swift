import Synchronization
import Testing

@testable import LobbyServer

private final class Counts: Sendable {
    let value = Mutex((running: 0, most: 0, done: 0))
}

@Suite struct PageReadLimitTests {
    @Test func neverMoreThanTheLimitRunAndEveryOneRuns() async {
        let limit = PageReadLimit(limit: 2)
        let box = Counts()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    await limit.run {
                        box.value.withLock { counts in
                            counts.running += 1
                            counts.most = max(counts.most, counts.running)
                        }
                        try? await Task.sleep(for: .milliseconds(5))
                        box.value.withLock { counts in
                            counts.running -= 1
                            counts.done += 1
                        }
                    }
                }
            }
        }
        let final = box.value.withLock { $0 }
        #expect(final.done == 12)
        #expect(final.most == 2)
        #expect(final.running == 0)
    }
}
