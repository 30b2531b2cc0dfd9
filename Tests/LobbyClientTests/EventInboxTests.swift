import LobbyClient
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("Event inbox")
struct EventInboxTests {
    /// Whether `poll()` reports the descriptor readable right now (timeout 0: the test never waits).
    private func isReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    @Test("posting wakes poll; draining returns everything in order and quiets it")
    func postAndDrain() throws {
        let inbox = try EventInbox<Int>()
        #expect(!isReadable(inbox.fileDescriptor))
        inbox.post(1)
        inbox.post(2)
        #expect(isReadable(inbox.fileDescriptor))
        #expect(inbox.drain() == [1, 2])
        #expect(!isReadable(inbox.fileDescriptor))
        #expect(inbox.drain().isEmpty)
    }

    @Test("posts from another thread arrive, in order, however many there are")
    func manyPostsFromAnotherThread() async throws {
        let inbox = try EventInbox<Int>()
        // More posts than a pipe holds bytes: a full pipe must not block or lose anything.
        await Task.detached {
            for value in 0..<100_000 { inbox.post(value) }
        }.value
        #expect(isReadable(inbox.fileDescriptor))
        #expect(inbox.drain() == Array(0..<100_000))
        #expect(!isReadable(inbox.fileDescriptor))
    }
}
