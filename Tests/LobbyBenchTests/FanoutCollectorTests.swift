import STOMP
import Testing

@testable import LobbyBench

@Suite("Fan-out counting")
struct FanoutCollectorTests {
    static func delivery(_ sequence: Int) -> Frame {
        let stamp = Stamp(sentAt: 1_000, sequence: sequence, publisher: 0)
        return Frame(.message, headers: ["destination": "/topic/chat"], body: Outbound.chatBody(stamp))
    }

    @Test("every subscriber counts what it got, once per sequence number, across shards")
    func perSubscriber() {
        let subscribers = FanoutCollector.shardCount * 2 + 3
        let collector = FanoutCollector(subscribers: subscribers, messages: 5)
        collector.message(client: 0, frame: Self.delivery(0), at: 2_000)
        #expect(collector.progress.delivered == 0)
        collector.start()
        for subscriber in 0..<subscribers {
            for sequence in 0..<(subscriber == 17 ? 3 : 5) {
                collector.message(client: subscriber, frame: Self.delivery(sequence), at: 2_000)
            }
        }
        collector.message(client: 17, frame: Self.delivery(1), at: 2_000)
        collector.message(client: 3, frame: Self.delivery(7), at: 2_000)
        #expect(collector.progress.delivered == subscribers * 5 - 2)
        let outcome = collector.finish()
        collector.message(client: 17, frame: Self.delivery(4), at: 2_000)
        #expect(outcome.delivered == subscribers * 5 - 2)
        #expect(outcome.duplicates == 1)
        #expect(outcome.perSubscriber.count == subscribers)
        #expect(outcome.perSubscriber[17] == 3)
        #expect(outcome.perSubscriber.filter { $0 == 5 }.count == subscribers - 1)
        #expect(outcome.latency.count == UInt64(subscribers * 5 - 2))
    }

    @Test("publishers' receipts, errors and closes are counted apart from deliveries")
    func publisherFrames() {
        let collector = FanoutCollector(subscribers: 2, messages: 3)
        collector.start()
        for sequence in 0..<3 {
            collector.message(
                client: 2, frame: Frame(.receipt, headers: ["receipt-id": "m-\(sequence)"]), at: 1)
        }
        collector.message(client: 2, frame: Frame(.receipt, headers: ["receipt-id": "other"]), at: 1)
        collector.message(
            client: 2,
            frame: Frame(.message, headers: [:], body: Array(#"{"code":"rate-limited","type":"error"}"#.utf8)), at: 1)
        collector.message(client: 1, frame: Frame(.error, headers: ["message": "x"]), at: 1)
        collector.closed(client: 2, at: 1)
        collector.closed(client: 0, at: 1)
        let outcome = collector.finish()
        #expect(outcome.receipts == 3)
        #expect(outcome.errors == 2)
        #expect(outcome.errorCodes == ["rate-limited": 1, "STOMP ERROR": 1])
        #expect(outcome.publishersClosed == 1)
        #expect(outcome.subscribersClosed == 1)
        #expect(outcome.delivered == 0)
    }
}
