import NIOCore

/// Runs one ``ClientSessionStateMachine`` on a WebSocket channel: feeds it the SockJS frames that
/// arrive and the timer ticks it asks for, and carries out its actions.
///
/// It sits after ``WebSocketMessageHandler`` and lives on the channel's event loop, like every
/// call into it. `onEvent` and `onEnd` are called on that loop too; `onEnd` exactly once, when the
/// channel has closed, with the reason the machine gave (or `lost` when the connection just died).
final class SessionDriver: ChannelInboundHandler {
    typealias InboundIn = String
    typealias OutboundOut = String

    private let transportURL: String
    private var displayName: String
    private var nameToken: String?
    private let configuration: ClientSessionConfiguration
    private let onEvent: (SessionEvent) -> Void
    private let onEnd: (SessionEnd) -> Void

    /// Created when the handler joins the pipeline, that is when the WebSocket has opened.
    private var machine: ClientSessionStateMachine?
    private var context: ChannelHandlerContext?
    private var timer: (deadline: UInt64, task: Scheduled<Void>)?
    private var end: SessionEnd?
    private var hasEnded = false

    init(
        transportURL: String, displayName: String, nameToken: String? = nil, configuration: ClientSessionConfiguration,
        onEvent: @escaping (SessionEvent) -> Void, onEnd: @escaping (SessionEnd) -> Void
    ) {
        self.transportURL = transportURL
        self.displayName = displayName
        self.nameToken = nameToken
        self.configuration = configuration
        self.onEvent = onEvent
        self.onEnd = onEnd
    }

    // MARK: - Calls from the connection (on the event loop)

    func send(_ request: ClientRequest) {
        guard machine != nil else { return onEvent(.notSent(request.unsentText)) }
        perform { $0.send(request, now: $1) }
    }

    /// `/nick`: see ``ClientSessionStateMachine/identify(as:token:now:)``.
    func identify(as name: String, token: String?) {
        guard machine != nil else {
            // Not started yet: the session will identify as the new name from the start.
            displayName = name
            nameToken = token
            return
        }
        perform { $0.identify(as: name, token: token, now: $1) }
    }

    func quit() {
        guard machine != nil else {
            end = .finished
            context?.close(promise: nil)
            return
        }
        perform { $0.quit(now: $1) }
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        machine = ClientSessionStateMachine(
            transportURL: transportURL, displayName: displayName, nameToken: nameToken, configuration: configuration,
            now: Self.now())
        scheduleTick()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let text = unwrapInboundIn(data)
        perform { $0.messageReceived(text, now: $1) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if end == nil {
            end = .lost("connection error: \(error)")
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    // MARK: - Carrying out actions

    private func perform(_ step: (inout ClientSessionStateMachine, UInt64) -> [ClientSessionStateMachine.Action]) {
        guard var machine, let context else { return }
        let actions = step(&machine, Self.now())
        self.machine = machine
        var wrote = false
        for action in actions {
            switch action {
            case .send(let payload):
                context.write(wrapOutboundOut(payload), promise: nil)
                wrote = true
            case .emit(let event):
                onEvent(event)
            case .close(let reason):
                if wrote {
                    context.flush()
                    wrote = false
                }
                end = end ?? reason
                context.close(promise: nil)
            }
        }
        if wrote {
            context.flush()
        }
        scheduleTick()
    }

    /// Keeps one timer armed for the machine's earliest deadline. Deadlines that move later (every
    /// frame received pushes the silence deadline) are handled lazily: the tick finds nothing to
    /// do and re-arms, which saves a cancel and a schedule per frame.
    private func scheduleTick() {
        guard let context, let deadline = machine?.nextDeadline else {
            timer?.task.cancel()
            timer = nil
            return
        }
        if let timer, timer.deadline <= deadline { return }
        timer?.task.cancel()
        let task = context.eventLoop.assumeIsolated().scheduleTask(
            deadline: .uptimeNanoseconds(deadline * 1_000_000)
        ) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.perform { $0.tick(now: $1) }
        }
        timer = (deadline, task)
    }

    private func finish() {
        guard !hasEnded else { return }
        hasEnded = true
        timer?.task.cancel()
        timer = nil
        onEnd(end ?? .lost("the connection closed"))
    }

    /// Monotonic milliseconds, the machine's clock.
    static func now() -> UInt64 {
        NIODeadline.now().uptimeNanoseconds / 1_000_000
    }
}
