import LobbyCore
import Testing

@testable import LobbyClient

/// Issue 26, item 4: what is typed quickly goes out at the server's pace, in order, and a
/// refusal is sent again rather than lost.
@Suite struct SendQueueTests {
    private func lines(_ count: Int) -> [ClientRequest] {
        (1...count).map { .chat("line \($0)") }
    }

    @Test func aBurstGoesOutAtOnceAndTheRestAtTheRate() {
        var queue = SendQueue(now: 0)
        queue.sessionStarted(rate: ChatRate(perSecond: 5, burst: 20), now: 0)
        for line in lines(30) { queue.enqueue(line) }
        // The burst less one kept back for jitter.
        #expect(queue.take(now: 0) == Array(lines(30)[0..<19]))
        #expect(queue.take(now: 100).isEmpty)
        // 90% of 5 per second: one every 223 ms.
        #expect(queue.nextDeadline == 223)
        #expect(queue.take(now: 223) == [.chat("line 20")])
        var sent = 20
        var now: UInt64 = 223
        while let next = queue.nextDeadline, now < 10_000 {
            now = next
            sent += queue.take(now: now).count
        }
        #expect(sent == 30)
        #expect(now <= 2_500)
        #expect(queue.nextDeadline == nil)
    }

    @Test func onlyChatAndPrivateMessagesArePaced() {
        #expect(SendQueue.isPaced(.chat("hi")))
        #expect(SendQueue.isPaced(.direct(to: "bob", text: "hi")))
        #expect(!SendQueue.isPaced(.away("lunch")))
        #expect(!SendQueue.isPaced(.search("hi", limit: 10)))
    }

    @Test func aRefusedLineGoesBackToTheHeadAndWaitsForAToken() {
        var queue = SendQueue(now: 0)
        queue.sessionStarted(rate: ChatRate(perSecond: 5, burst: 2), now: 0)
        for line in lines(3) { queue.enqueue(line) }
        #expect(queue.take(now: 0) == [.chat("line 1")])
        queue.confirmed(.chat("line 1"))
        #expect(queue.take(now: 223) == [.chat("line 2")])
        let isRefused = queue.refused(now: 230)
        #expect(isRefused)
        #expect(queue.waiting == [.chat("line 2"), .chat("line 3")])
        #expect(queue.take(now: 300).isEmpty)
        #expect(queue.nextDeadline == 453)
        #expect(queue.take(now: 453) == [.chat("line 2")])
    }

    @Test func aRefusalOfNothingSentIsNotTheQueues() {
        var queue = SendQueue(now: 0)
        let refusedWithNothingSent = queue.refused(now: 0)
        #expect(!refusedWithNothingSent)
        queue.enqueue(.chat("hi"))
        _ = queue.take(now: 0)
        queue.confirmed(.chat("hi"))
        let refusedAfterConfirmation = queue.refused(now: 10)
        #expect(!refusedAfterConfirmation)
        // Sent long ago and never seen back: answered otherwise (not-here), not refused now.
        queue.enqueue(.direct(to: "bob", text: "hi"))
        _ = queue.take(now: 20)
        let refusedLongAfter = queue.refused(now: 20 + SendQueue.confirmationWindowMilliseconds + 1)
        #expect(!refusedLongAfter)
    }

    @Test func aNewSessionStartsWithAFullBucketAndKeepsWhatWaits() {
        var queue = SendQueue(now: 0)
        queue.sessionStarted(rate: ChatRate(perSecond: 1, burst: 2), now: 0)
        for line in lines(3) { queue.enqueue(line) }
        #expect(queue.take(now: 0) == [.chat("line 1")])
        queue.connectionEnded()
        let refusedAfterTheEnd = queue.refused(now: 1)
        #expect(!refusedAfterTheEnd)
        queue.sessionStarted(rate: ChatRate(perSecond: 1, burst: 3), now: 5_000)
        #expect(queue.take(now: 5_000) == [.chat("line 2"), .chat("line 3")])
    }
}
