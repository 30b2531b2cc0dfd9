import LobbyCore
import NIOCore
import STOMP
import Testing

@testable import LobbyServer

@Suite struct BrokerTests {
    @Test func publishEncodesOncePerSubscriptionIDAndSkipsTheExcludedSession() {
        let broker = Broker()
        let sessions = (0..<4).map { RecordingSession(SessionID("s\($0)")) }
        for session in sessions {
            broker.subscribe(session, id: "sub-0", to: "/topic/chat", version: .v1_2)
        }
        broker.publish(Array(#"{"x":1}"#.utf8), to: "/topic/chat", excluding: ["s3"])
        for session in sessions.prefix(3) {
            #expect(session.frames.count == 1)
            #expect(session.frames.first?.headers["subscription"] == "sub-0")
            #expect(session.frames.first?.bodyText == #"{"x":1}"#)
        }
        #expect(sessions[3].frames.isEmpty)
    }

    /// The count excludes only sessions that are subscribers: sessions welcomed in a presence
    /// step are excluded whether or not they subscribed to presence, and a count of
    /// `subscribers - excluded` went negative (issue 21: `Counter.increment(by:)` trapped).
    @Test func theDeliveryCountIgnoresExcludedSessionsThatAreNotSubscribers() {
        let broker = Broker()
        let subscriber = RecordingSession("a")
        broker.subscribe(subscriber, id: "p", to: "/topic/presence", version: .v1_2)
        let excluded: Set<SessionID> = ["b", "c", "d"]
        #expect(broker.publish(Array("{}".utf8), to: "/topic/presence", excluding: excluded) == 1)
        #expect(broker.publish(Array("{}".utf8), to: "/topic/presence", excluding: ["a", "b"]) == 0)
        #expect(broker.publish(Array("{}".utf8), to: "/topic/nobody", excluding: excluded) == 0)
        #expect(subscriber.frames.count == 1, "the second publish excluded it")
    }

    @Test func eachSubscriberSeesItsOwnSubscriptionID() {
        let broker = Broker()
        let first = RecordingSession("a")
        let second = RecordingSession("b")
        broker.subscribe(first, id: "chat", to: "/topic/chat", version: .v1_2)
        broker.subscribe(second, id: "sub-7", to: "/topic/chat", version: .v1_1)
        broker.publish(Array("{}".utf8), to: "/topic/chat")
        #expect(first.frames.first?.headers["subscription"] == "chat")
        #expect(second.frames.first?.headers["subscription"] == "sub-7")
        #expect(first.frames.first?.headers["message-id"] == second.frames.first?.headers["message-id"])
    }

    @Test func privateRepliesReachOnlyTheirSession() {
        let broker = Broker()
        let first = RecordingSession("a")
        let second = RecordingSession("b")
        broker.subscribe(first, id: "r", to: "/user/queue/reply", version: .v1_2)
        broker.subscribe(second, id: "r", to: "/user/queue/reply", version: .v1_2)
        #expect(broker.sendPrivately(Array("{}".utf8), to: "/user/queue/reply", session: first))
        #expect(first.frames.count == 1)
        #expect(second.frames.isEmpty)
        let unsubscribed = RecordingSession("c")
        #expect(!broker.sendPrivately(Array("{}".utf8), to: "/user/queue/reply", session: unsubscribed))
    }

    @Test func unsubscribeAndRemoveAllStopDeliveries() {
        let broker = Broker()
        let session = RecordingSession("a")
        broker.subscribe(session, id: "1", to: "/topic/chat", version: .v1_2)
        broker.subscribe(session, id: "2", to: "/topic/presence", version: .v1_2)
        #expect(broker.unsubscribe(session, id: "1"))
        #expect(!broker.unsubscribe(session, id: "1"))
        broker.publish(Array("{}".utf8), to: "/topic/chat")
        #expect(session.frames.isEmpty)
        broker.removeAll(of: session)
        broker.publish(Array("{}".utf8), to: "/topic/presence")
        #expect(session.frames.isEmpty)
        #expect(!broker.hasSubscription(session, id: "2"))
    }

    @Test func theFanoutPlanFollowsEverySubscriptionChange() {
        let broker = Broker()
        let first = RecordingSession("a")
        let second = RecordingSession("b")
        broker.subscribe(first, id: "chat", to: "/topic/chat", version: .v1_2)
        broker.publish(Array("1".utf8), to: "/topic/chat")  // builds and keeps the plan
        broker.publish(Array("2".utf8), to: "/topic/chat")  // uses it
        broker.subscribe(second, id: "chat", to: "/topic/chat", version: .v1_2)
        broker.publish(Array("3".utf8), to: "/topic/chat")
        #expect(broker.unsubscribe(first, id: "chat"))
        broker.publish(Array("4".utf8), to: "/topic/chat")
        broker.subscribe(first, id: "again", to: "/topic/chat", version: .v1_1)
        broker.removeAll(of: second)
        broker.publish(Array("5".utf8), to: "/topic/chat")
        #expect(first.frames.map(\.bodyText) == ["1", "2", "3", "5"])
        #expect(first.frames.last?.headers["subscription"] == "again")
        #expect(second.frames.map(\.bodyText) == ["3", "4"])
    }

    @Test func hasSubscribersFollowsSubscriptions() {
        let broker = Broker()
        let session = RecordingSession("a")
        #expect(!broker.hasSubscribers(to: "/topic/presence"))
        broker.subscribe(session, id: "p", to: "/topic/presence", version: .v1_2)
        #expect(broker.hasSubscribers(to: "/topic/presence"))
        #expect(!broker.hasSubscribers(to: "/topic/chat"))
        broker.removeAll(of: session)
        #expect(!broker.hasSubscribers(to: "/topic/presence"))
    }

    @Test func sockJSFramingWrapsTheSameFrameInAnArrayMessage() {
        let encoded = EncodedFrame(Frame(.receipt, headers: ["receipt-id": "7"]), version: .v1_2)
        #expect(String(buffer: encoded.stomp) == "RECEIPT\nreceipt-id:7\n\n\u{0}")
        #expect(String(buffer: encoded.sockJS) == #"a["RECEIPT\nreceipt-id:7\n\n\u0000"]"#)
    }
}

@Suite struct TokenBucketTests {
    @Test func burstThenRefillAtTheRate() {
        var bucket = TokenBucket(rate: 2, burst: 3, now: 1_000)
        for _ in 0..<3 {
            let granted = bucket.take(now: 1_000)
            #expect(granted)
        }
        #expect(!take(&bucket, 1_000))
        #expect(!take(&bucket, 1_400))  // 0.8 token
        #expect(take(&bucket, 1_500))  // 1 token after 500 ms at 2/s
        #expect(!take(&bucket, 1_500))
        // Refill never exceeds the burst.
        for _ in 0..<3 {
            let granted = bucket.take(now: 100_000)
            #expect(granted)
        }
        #expect(!take(&bucket, 100_000))
    }

    @Test func timeGoingBackwardsGrantsNothing() {
        var bucket = TokenBucket(rate: 10, burst: 1, now: 5_000)
        #expect(take(&bucket, 5_000))
        #expect(!take(&bucket, 4_000))
    }
}

/// `#expect` cannot wrap a mutating call directly.
private func take(_ bucket: inout TokenBucket, _ now: UInt64) -> Bool {
    bucket.take(now: now)
}

@Suite struct WebSocketMessageTests {
    /// RFC 6455 §5.2 header: FIN + text, then 7-bit, 16-bit or 64-bit payload length, no mask.
    @Test(arguments: [
        (0, [0x81, 0x00]), (125, [0x81, 0x7D]), (126, [0x81, 0x7E, 0x00, 0x7E]),
        (65_535, [0x81, 0x7E, 0xFF, 0xFF]), (65_536, [0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00]),
    ])
    func headerEncodesThePayloadLength(length: Int, header: [UInt8]) {
        let payload = ByteBuffer(bytes: [UInt8](repeating: 0x61, count: length))
        let message = EncodedFrame.webSocketTextMessage(payload)
        #expect(Array(message.readableBytesView.prefix(header.count)) == header)
        #expect(message.readableBytes == header.count + length)
        #expect(message.readableBytesView.dropFirst(header.count).allSatisfy { $0 == 0x61 })
    }
}
