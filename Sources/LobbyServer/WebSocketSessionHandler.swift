import LobbyCore
import Logging
import NIOCore
import NIOWebSocket
import SockJS

/// The WebSocket transports: SockJS-over-WebSocket (`{prefix}/{server}/{session}/websocket`)
/// and the raw STOMP endpoint (`{prefix}/websocket`).
///
/// Owns the WebSocket rules (ping/pong liveness, close handshake, UTF-8 of text frames, SockJS
/// framing and its `h` heartbeat) and hands plain STOMP bytes to its `StompSession`.
final class WebSocketSessionHandler: ChannelDuplexHandler, StompTransport {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let framing: Framing
    private let sessionID: SessionID
    private let lobby: Lobby
    private let configuration: ServerConfiguration
    private let remoteAddress: String?
    private let logger: Logger
    private var session: StompSession?
    private var context: ChannelHandlerContext?
    /// `context.channel`, kept: every delivery asks whether the channel is writable, and going
    /// through the context and pipeline each time costs retains on the hot path.
    private var channel: (any Channel)?
    /// The WebSocket frame encoder's context: prepared messages are written from there, so they
    /// skip the encoder (see `EncodedFrame.webSocketMessage(for:)`).
    private var encoderContext: ChannelHandlerContext?
    /// Ping/pong deadline and SockJS `h` timing; nil until the session started (and for a
    /// refused one).
    private var liveness: WebSocketLiveness?
    /// The one timer armed for `liveness.nextDeadline`, and that deadline.
    private var livenessTimer: Scheduled<Void>?
    private var livenessTimerDeadline: NIODeadline?
    private var closing = false
    /// Backpressure: while set, the channel's `read` requests are held here, so the socket is
    /// not read and TCP slows the client down.
    private var readingPaused = false
    private var readRequested = false

    init(
        sessionID: SessionID, framing: Framing, lobby: Lobby, configuration: ServerConfiguration,
        remoteAddress: String?, logger: Logger
    ) {
        self.sessionID = sessionID
        self.framing = framing
        self.lobby = lobby
        self.configuration = configuration
        self.remoteAddress = remoteAddress
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channel = context.channel
        encoderContext = try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
        let session = StompSession(
            id: sessionID, eventLoop: context.eventLoop, lobby: lobby, configuration: configuration,
            transport: self, logger: logger)
        let transportName = framing == .sockJS ? "websocket" : "raw-websocket"
        guard session.start(transportName: transportName, remoteAddress: remoteAddress) else {
            // SockJS: a second receiver for a live session id is told so and closed.
            closing = true
            if framing == .sockJS {
                let (code, reason) = session.refusal?.closeStatus ?? LobbyState.OpenRefusal.idInUse.closeStatus
                writeText(SockJSFrame.close(code: code, reason: reason).encoded)
            }
            sendCloseAndShutdown(code: .goingAway)
            session.transportReleased()
            return
        }
        self.session = session
        liveness = WebSocketLiveness(
            configuration: .init(
                pingInterval: .milliseconds(Int64(configuration.heartbeatMilliseconds)),
                heartbeatInterval: framing == .sockJS
                    ? .milliseconds(Int64(configuration.sockJSHeartbeatMilliseconds)) : .zero),
            now: context.eventLoop.now)
        if framing == .sockJS {
            writeText(SockJSFrame.open.encoded)
        }
        armLivenessTimer()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTimers()
        session?.transportReleased()
        session = nil
        self.context = nil
        channel = nil
        encoderContext = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTimers()
        session?.transportClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("WebSocket error", metadata: ["session": "\(sessionID)", "error": "\(error)"])
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        liveness?.inboundReceived(at: context.eventLoop.now)
        switch frame.opcode {
        case .text:
            // RFC 6455 §8.1 (UTF-8, else 1007) was enforced by `WebSocketMessageReader`.
            receive(frame.unmaskedData)
        case .binary:
            guard framing == .raw else {
                return failConnection(code: .unacceptableData, why: "SockJS carries text frames only")
            }
            receive(frame.unmaskedData)
        case .ping:
            guard !closing else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break  // Answers a ping, as any inbound frame does (see `inboundReceived` above).
        case .connectionClose:
            receivedClose(frame, context: context)
        default:
            break
        }
    }

    private func receive(_ payload: ByteBuffer) {
        guard let session, !closing else { return }
        switch framing {
        case .raw:
            session.received(payload.readableBytesView)
        case .sockJS:
            // An empty message is allowed and means nothing (sockjs-client never sends one).
            guard payload.readableBytes > 0 else { return }
            do {
                for message in try SockJSJSON.decodeMessages(payload.readableBytesView) {
                    session.received(message.utf8)
                    if session.isEnded { return }
                }
            } catch {
                // SockJS: broken JSON from the client ends the session.
                logger.notice("broken SockJS JSON", metadata: ["session": "\(sessionID)", "error": "\(error)"])
                session.end(reason: .closed, closeTransport: true)
            }
        }
    }

    private func receivedClose(_ frame: WebSocketFrame, context: ChannelHandlerContext) {
        session?.transportClosed()
        guard !closing else {
            // Our own close was answered: the handshake is complete.
            context.close(promise: nil)
            return
        }
        closing = true
        stopTimers()
        // A valid close code is echoed; a bad one, or a reason that is not UTF-8, is answered
        // with 1002 or 1007 (RFC 6455 §7.4).
        WebSocketClose.send(WebSocketRules.closeReply(toPayload: frame.unmaskedData), on: context)
    }

    private func failConnection(code: WebSocketErrorCode, why: String) {
        logger.notice("closing WebSocket", metadata: ["session": "\(sessionID)", "why": "\(why)"])
        session?.end(reason: .closed, closeTransport: false)
        closing = true
        sendCloseAndShutdown(code: code)
    }

    // MARK: Backpressure

    func read(context: ChannelHandlerContext) {
        guard !readingPaused else {
            readRequested = true
            return
        }
        context.read()
    }

    func pauseReading() {
        readingPaused = true
        liveness?.readingPaused()
    }

    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        if let context {
            liveness?.readingResumed(at: context.eventLoop.now)
            armLivenessTimer()
        }
        if readRequested, let context {
            readRequested = false
            context.read()
        }
    }

    // MARK: StompTransport

    func canAcceptWrite(ofBytes bytes: Int) -> Bool {
        guard let channel, channel.isWritable else { return false }
        // Writable means below the high-water mark (`--max-queued-bytes`) before this frame.
        // A small frame can overshoot it by little, so only a large one (a history page, a
        // welcome) pays for reading the exact queue size.
        guard bytes > configuration.maxQueuedBytes / 16 else { return true }
        let buffered = (try? channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return buffered + bytes <= configuration.maxQueuedBytes
    }

    func write(_ frame: EncodedFrame, flush: Bool) {
        guard let context, !closing else { return }
        if let encoderContext {
            // The message is already framed: write it below the frame encoder.
            encoderContext.write(NIOAny(frame.webSocketMessage(for: framing)), promise: nil)
        } else {
            let message = WebSocketFrame(fin: true, opcode: .text, data: frame.bytes(for: framing))
            context.write(wrapOutboundOut(message), promise: nil)
        }
        if flush {
            context.flush()
        }
        noteDeliveryWritten()
    }

    func write(_ frames: [EncodedFrame]) {
        guard let context, !closing else { return }
        guard let encoderContext else {
            for frame in frames {
                write(frame, flush: false)
            }
            return
        }
        // The prepared WebSocket messages back to back are the same bytes as writing each
        // alone, at one pass through the pipeline instead of one per message.
        var size = 0
        for frame in frames {
            size += frame.webSocketMessage(for: framing).readableBytes
        }
        var buffer = context.channel.allocator.buffer(capacity: size)
        for frame in frames {
            buffer.writeImmutableBuffer(frame.webSocketMessage(for: framing))
        }
        encoderContext.write(NIOAny(buffer), promise: nil)
        noteDeliveryWritten()
    }

    /// Only SockJS's `h` heartbeat needs the time of the last write: the raw endpoint skips a
    /// clock read per delivery. No timer work either: a write only moves the `h` deadline later.
    private func noteDeliveryWritten() {
        if liveness?.needsWriteTimes == true, let context {
            liveness?.outboundWritten(at: context.eventLoop.now)
        }
    }

    func flush() {
        context?.flush()
    }

    func close(reason: LeaveReason) {
        guard !closing else { return }
        closing = true
        stopTimers()
        let (code, text) = reason.closeStatus
        if framing == .sockJS {
            writeText(SockJSFrame.close(code: code, reason: text).encoded)
        }
        sendCloseAndShutdown(code: WebSocketErrorCode(codeNumber: code))
    }

    // MARK: Writing

    private func writeText(_ text: String) {
        guard let context else { return }
        let frame = WebSocketFrame(fin: true, opcode: .text, data: context.channel.allocator.buffer(string: text))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        liveness?.outboundWritten(at: context.eventLoop.now)
    }

    /// Our close: the session is already over, so the peer's answer is not awaited.
    private func sendCloseAndShutdown(code: WebSocketErrorCode) {
        guard let context else { return }
        stopTimers()
        WebSocketClose.send(code, on: context)
    }

    // MARK: Liveness

    /// Keeps one timer at the liveness deadline. Deadlines move later as traffic flows without
    /// re-arming: a timer that fires early finds nothing due and re-arms here.
    private func armLivenessTimer() {
        guard let context, !closing, let deadline = liveness?.nextDeadline else { return }
        if livenessTimer != nil, let armed = livenessTimerDeadline, armed <= deadline { return }
        livenessTimer?.cancel()
        livenessTimerDeadline = deadline
        livenessTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            livenessTimer = nil
            livenessTimerDeadline = nil
            livenessTimerFired()
        }
    }

    private func livenessTimerFired() {
        guard let context, !closing, let actions = liveness?.timerFired(at: context.eventLoop.now) else { return }
        for action in actions {
            switch action {
            case .sendPing:
                let ping = WebSocketFrame(fin: true, opcode: .ping, data: context.channel.allocator.buffer(capacity: 0))
                context.writeAndFlush(wrapOutboundOut(ping), promise: nil)
            case .sendHeartbeat:
                writeText(SockJSFrame.heartbeat.encoded)
            case .timedOut:
                // A half-open connection or a frozen peer.
                logger.info("no pong before the deadline", metadata: ["session": "\(sessionID)"])
                stopTimers()
                session?.transportTimedOut()
                return
            }
        }
        armLivenessTimer()
    }

    private func stopTimers() {
        liveness?.closeStarted()
        livenessTimer?.cancel()
        livenessTimer = nil
        livenessTimerDeadline = nil
    }
}
