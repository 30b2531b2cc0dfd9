import NIOCore
import NIOWebSocket

/// The client side of the RFC 6455 opening handshake, as small as a load generator needs.
///
/// NIO's HTTP client upgrade builds an HTTP codec (an llhttp parser per connection), an upgrade
/// handler and a chain of futures, then tears them down again: in the `connect` scenario that
/// was a large share of the tool's own CPU, taken from the server it measures on the same
/// cores. This handler writes the request as bytes, reads the response head, checks the
/// status line and the `Upgrade` header, and swaps itself for the WebSocket frame codec.
///
/// It does not verify `Sec-WebSocket-Accept` (that needs SHA-1, which NIO does not export):
/// the tool only talks to servers on loopback that it was pointed at.
final class WebSocketHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A response head longer than this is not a WebSocket handshake answer.
    static let maximumResponseHeadBytes = 16_384

    private let request: ByteBuffer
    private let maxFrameSize: Int
    private let failed: (HandshakeError) -> Void
    private var received: ByteBuffer?

    /// - Parameter failed: Called once if the server does not switch protocols; the channel is
    ///   closed after it.
    init(path: String, host: String, maxFrameSize: Int, failed: @escaping (HandshakeError) -> Void) {
        var generator = SystemRandomNumberGenerator()
        self.request = ByteBuffer(
            string: WebSocketHandshake.request(
                path: path, host: host, key: WebSocketHandshake.randomKey(using: &generator)))
        self.maxFrameSize = maxFrameSize
        self.failed = failed
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(NIOAny(request), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        guard var buffer = received else { return }
        let view = buffer.readableBytesView
        guard let headLength = WebSocketHandshake.responseHeadLength(view) else {
            if buffer.readableBytes > Self.maximumResponseHeadBytes {
                fail(context: context, "the server's response head exceeds \(Self.maximumResponseHeadBytes) bytes")
            }
            return
        }
        let head = buffer.readString(length: headLength) ?? ""
        if let problem = WebSocketHandshake.problem(inResponseHead: head) {
            fail(context: context, problem)
            return
        }
        received = nil
        do {
            try context.pipeline.syncOperations.addHandlers(
                [WebSocketFrameEncoder(), ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: maxFrameSize))],
                position: .after(self))
        } catch {
            fail(context: context, "could not install the WebSocket codec: \(error)")
            return
        }
        // Raw STOMP speaks first: tell the session before any frame arrives. Then frames the
        // server sent right behind its head (a SockJS `o`) go to the decoder. Both before this
        // handler leaves: a removed context forwards nothing.
        context.fireUserInboundEventTriggered(WebSocketUpgraded())
        if buffer.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(buffer))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ description: String) {
        received = nil
        failed(HandshakeError(description: description))
        context.close(promise: nil)
    }
}

/// The pure parts of the client handshake: the request text and the checks on the answer.
enum WebSocketHandshake {
    /// RFC 6455 §4.1: a GET with `Upgrade: websocket`, `Connection: Upgrade`, version 13 and a
    /// base64-encoded random 16-byte key.
    static func request(path: String, host: String, key: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    static func randomKey<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return base64(bytes)
    }

    /// The length of the response head including its blank line, once all of it arrived.
    static func responseHeadLength(_ bytes: some Collection<UInt8>) -> Int? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var matched = 0
        var length = 0
        for byte in bytes {
            length += 1
            matched = byte == terminator[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
            if matched == terminator.count { return length }
        }
        return nil
    }

    /// Why a response head does not accept the upgrade, or nil when it does: status 101 and an
    /// `Upgrade: websocket` header (case-insensitive, RFC 6455 §4.2.2).
    static func problem(inResponseHead head: String) -> String? {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard let statusLine = lines.first else { return "the server sent an empty response" }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else {
            return "the server's answer is not HTTP: \(statusLine.prefix(80))"
        }
        guard parts[1] == "101" else { return "the server refused the WebSocket upgrade: \(statusLine.prefix(80))" }
        let upgradesToWebSocket = lines.dropFirst().contains { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            let name = line[..<colon].trimmingSpaces.lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces.lowercased()
            return name == "upgrade" && value == "websocket"
        }
        return upgradesToWebSocket ? nil : "the server switched protocols without `Upgrade: websocket`"
    }

    private static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var output = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                if position <= chunk.count {
                    output.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
                } else {
                    output.append("=")
                }
            }
            index += 3
        }
        return output
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var trimmed = self
        while trimmed.first == " " || trimmed.first == "\t" { trimmed.removeFirst() }
        while trimmed.last == " " || trimmed.last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}
