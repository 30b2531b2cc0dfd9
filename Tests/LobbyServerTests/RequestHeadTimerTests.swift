import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import LobbyServer

/// The idle timer on the event loop's clock: closed without a head, kept while a response is in
/// progress, re-armed when a keep-alive response ends.
@Suite struct RequestHeadTimerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            RequestHeadTimer(timeout: .milliseconds(500)), name: RequestHeadTimer.name)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
        return channel
    }

    private let head = HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"))

    @Test func aSilentConnectionClosesAfterTheTimeout() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func aResponseInProgressIsNotIdle() throws {
        let channel = try makeChannel()
        try channel.writeInbound(head)
        #expect(try channel.readInbound(as: HTTPServerRequestPart.self) == head)
        try channel.writeOutbound(
            HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
        // A streaming receiver may hold its response for much longer than the timeout.
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func aConnectionThatKeepsAskingStaysOpen() throws {
        let channel = try makeChannel()
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(400))
            try channel.writeInbound(head)
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(400))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        #expect(!channel.isActive)
    }

    @Test func removingTheTimerCancelsIt() throws {
        let channel = try makeChannel()
        try channel.pipeline.removeHandler(name: RequestHeadTimer.name).wait()
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        #expect(channel.isActive)
        _ = try channel.finish()
    }
}
