import SockJS
import TestSupport
import Testing

/// A session plus a test clock that only moves when a test says so.
private struct Harness {
    var session: SessionStateMachine
    var now: UInt64

    init(_ configuration: SessionStateMachine.Configuration = .init(), start: UInt64 = 1_000) {
        now = start
        session = SessionStateMachine(configuration: configuration, now: start)
    }

    mutating func advance(_ milliseconds: UInt64) -> [SessionStateMachine.Action] {
        now += milliseconds
        return session.timerFired(now: now)
    }

    mutating func attach(
        _ id: SessionStateMachine.ReceiverID,
        _ kind: SessionStateMachine.ReceiverKind
    ) -> [SessionStateMachine.Action] {
        session.receiverAttached(id, kind: kind, now: now)
    }

    mutating func queue(_ messages: String...) -> [SessionStateMachine.Action] {
        session.messagesQueued(messages, now: now)
    }

    mutating func close(_ code: Int = 3000, _ reason: String = "Go away!") -> [SessionStateMachine.Action] {
        session.closeRequested(code: code, reason: reason, now: now)
    }

    mutating func lose(_ id: SessionStateMachine.ReceiverID) -> [SessionStateMachine.Action] {
        session.receiverLost(id, now: now)
    }
}

@Suite("Session state machine")
struct SessionStateMachineTests {
    // MARK: Opening

    @Test("a new session is opening with a disconnect deadline")
    func newSession() {
        let harness = Harness()
        #expect(harness.session.state == .opening)
        #expect(!harness.session.hasReceiver)
        #expect(harness.session.nextDeadline == 6_000)
        #expect(
            harness.session.configuration
                == .init(heartbeatInterval: 25_000, disconnectDelay: 5_000, responseLimit: 131_072))
    }

    @Test("the first polling receiver gets o and is ended")
    func firstPollingReceiver() {
        var harness = Harness()
        #expect(harness.attach(1, .polling) == [.write(.open, to: 1), .endResponse(1)])
        #expect(harness.session.state == .open)
        #expect(!harness.session.hasReceiver)
        #expect(harness.session.nextDeadline == harness.now + 5_000)
    }

    @Test("the first streaming receiver gets o and stays")
    func firstStreamingReceiver() {
        var harness = Harness()
        #expect(harness.attach(1, .streaming) == [.write(.open, to: 1)])
        #expect(harness.session.state == .open)
        #expect(harness.session.hasReceiver)
        #expect(harness.session.nextDeadline == harness.now + 25_000)
    }

    @Test("a WebSocket receiver gets o and stays")
    func webSocketReceiver() {
        var harness = Harness()
        #expect(harness.attach(1, .webSocket) == [.write(.open, to: 1)])
        #expect(harness.session.hasReceiver)
    }

    @Test("later receivers do not get o again")
    func openOnlyOnce() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        #expect(harness.attach(2, .streaming) == [])
        #expect(harness.session.hasReceiver)
    }

    // MARK: Messages

    @Test("messages queued without a receiver go as one a-frame to the next receiver")
    func queuedMessagesFlushTogether() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        #expect(harness.queue("m1") == [])
        #expect(harness.queue("m2", "m3") == [])
        #expect(harness.session.pendingMessageCount == 3)
        #expect(harness.session.pendingByteCount == 6)
        #expect(harness.attach(2, .polling) == [.write(.messages(["m1", "m2", "m3"]), to: 2), .endResponse(2)])
        #expect(harness.session.pendingMessageCount == 0)
        #expect(harness.session.pendingByteCount == 0)
    }

    @Test("messages to an attached streaming receiver are written at once")
    func streamingWritesAtOnce() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.queue("a") == [.write(.messages(["a"]), to: 1)])
        #expect(harness.queue("b", "c") == [.write(.messages(["b", "c"]), to: 1)])
        #expect(harness.session.hasReceiver)
    }

    @Test("a waiting polling receiver gets the next messages and is ended")
    func waitingPollReceivesMessages() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        #expect(harness.attach(2, .polling) == [])
        harness.now += 3_000
        #expect(harness.queue("x") == [.write(.messages(["x"]), to: 2), .endResponse(2)])
        #expect(harness.session.nextDeadline == harness.now + 5_000)
    }

    @Test("messages queued before the first receiver come after o")
    func messagesBeforeOpen() {
        var polling = Harness()
        #expect(polling.queue("early") == [])
        #expect(polling.attach(1, .polling) == [.write(.open, to: 1), .endResponse(1)])
        #expect(polling.attach(2, .polling) == [.write(.messages(["early"]), to: 2), .endResponse(2)])

        var streaming = Harness()
        _ = streaming.queue("early")
        #expect(streaming.attach(1, .streaming) == [.write(.open, to: 1), .write(.messages(["early"]), to: 1)])
    }

    @Test("an empty batch of messages does nothing")
    func emptyBatch() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.session.messagesQueued([], now: harness.now) == [])
    }

    // MARK: Heart-beats

    @Test("h after 25 s of outbound silence, not before")
    func heartbeatAfterSilence() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.advance(24_999) == [])
        #expect(harness.advance(1) == [.write(.heartbeat, to: 1)])
        #expect(harness.session.nextDeadline == harness.now + 25_000)
        #expect(harness.advance(25_000) == [.write(.heartbeat, to: 1)])
    }

    @Test("every write postpones the heart-beat")
    func writesPostponeHeartbeat() {
        var harness = Harness()
        _ = harness.attach(1, .webSocket)
        harness.now += 20_000
        _ = harness.queue("m")
        #expect(harness.session.nextDeadline == harness.now + 25_000)
        #expect(harness.advance(24_000) == [])
        #expect(harness.advance(1_000) == [.write(.heartbeat, to: 1)])
    }

    @Test("a heart-beat ends a polling response")
    func heartbeatEndsPoll() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        harness.now += 100
        _ = harness.attach(2, .polling)
        #expect(harness.session.nextDeadline == harness.now + 25_000)
        #expect(harness.advance(25_000) == [.write(.heartbeat, to: 2), .endResponse(2)])
        #expect(!harness.session.hasReceiver)
    }

    @Test("the heart-beat interval is configurable")
    func heartbeatConfigurable() {
        var harness = Harness(.init(heartbeatInterval: 1_000))
        _ = harness.attach(1, .webSocket)
        #expect(harness.advance(999) == [])
        #expect(harness.advance(1) == [.write(.heartbeat, to: 1)])
    }

    @Test("no heart-beat while no receiver is attached")
    func noHeartbeatWithoutReceiver() {
        var harness = Harness(.init(heartbeatInterval: 1_000, disconnectDelay: 60_000))
        _ = harness.attach(1, .polling)
        #expect(harness.advance(30_000) == [])
        #expect(harness.session.nextDeadline == harness.now + 30_000)
    }

    @Test("a late timer writes one heart-beat, not one per missed interval")
    func lateTimer() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.advance(100_000) == [.write(.heartbeat, to: 1)])
    }

    @Test("firing the timer early does nothing")
    func earlyTimer() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.session.timerFired(now: harness.now) == [])
        #expect(harness.session.timerFired(now: 0) == [])  // a clock that went backwards
    }

    // MARK: Disconnect delay

    @Test("no receiver for the disconnect delay times the session out")
    func disconnectDelay() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        #expect(harness.advance(4_999) == [])
        #expect(harness.session.state == .open)
        #expect(harness.advance(1) == [.sessionTimedOut])
        #expect(harness.session.state == .closed)
        #expect(harness.session.nextDeadline == nil)
        #expect(harness.advance(100_000) == [])
    }

    @Test("a session that never gets a receiver times out")
    func neverAttached() {
        var harness = Harness()
        #expect(harness.advance(5_000) == [.sessionTimedOut])
    }

    @Test("a receiver inside the delay keeps the session alive")
    func receiverResetsDelay() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        harness.now += 4_000
        #expect(harness.attach(2, .polling) == [])
        #expect(harness.advance(20_000) == [])
        _ = harness.queue("m")  // ends receiver 2 at t+24 s
        #expect(harness.advance(4_999) == [])
        #expect(harness.advance(1) == [.sessionTimedOut])
    }

    @Test("the disconnect delay is configurable")
    func disconnectDelayConfigurable() {
        var harness = Harness(.init(disconnectDelay: 100))
        _ = harness.attach(1, .polling)
        #expect(harness.advance(99) == [])
        #expect(harness.advance(1) == [.sessionTimedOut])
    }

    @Test("queued messages do not keep a session without receivers alive")
    func messagesDoNotKeepAlive() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        harness.now += 4_000
        _ = harness.queue("m")
        #expect(harness.advance(1_000) == [.sessionTimedOut])
    }

    // MARK: Concurrent receivers

    @Test("a second streaming receiver gets c[2010] and the first stays")
    func secondReceiverRejected() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.attach(2, .streaming) == [.write(.anotherConnectionStillOpen, to: 2), .endResponse(2)])
        #expect(harness.queue("still here") == [.write(.messages(["still here"]), to: 1)])
    }

    @Test("a second polling receiver gets c[2010] and the waiting one keeps waiting")
    func secondPollRejected() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        _ = harness.attach(2, .polling)
        #expect(harness.attach(3, .polling) == [.write(.anotherConnectionStillOpen, to: 3), .endResponse(3)])
        #expect(harness.queue("m") == [.write(.messages(["m"]), to: 2), .endResponse(2)])
    }

    @Test("losing the rejected receiver changes nothing")
    func losingRejectedReceiver() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        _ = harness.attach(2, .streaming)
        #expect(harness.lose(2) == [])
        #expect(harness.session.hasReceiver)
        #expect(harness.queue("m") == [.write(.messages(["m"]), to: 1)])
    }

    // MARK: Response limit

    @Test("a streaming response ends once the response limit is reached")
    func responseLimit() {
        var harness = Harness(.init(responseLimit: 20))
        #expect(harness.attach(1, .streaming) == [.write(.open, to: 1)])  // 1 byte
        #expect(harness.queue("0123456789") == [.write(.messages(["0123456789"]), to: 1)])  // +16 = 17
        #expect(harness.queue("ab") == [.write(.messages(["ab"]), to: 1), .endResponse(1)])  // +8 = 25
        #expect(!harness.session.hasReceiver)
        #expect(harness.queue("later") == [])
        #expect(harness.attach(2, .streaming) == [.write(.messages(["later"]), to: 2)])
    }

    @Test("reaching the limit exactly ends the response")
    func responseLimitExact() {
        var harness = Harness(.init(responseLimit: 7))
        _ = harness.attach(1, .streaming)  // o: 1 byte
        #expect(harness.queue("a") == [.write(.messages(["a"]), to: 1), .endResponse(1)])  // a["a"]: 6 bytes
    }

    @Test("heart-beats count toward the response limit")
    func heartbeatsCount() {
        var harness = Harness(.init(heartbeatInterval: 10, responseLimit: 3))
        _ = harness.attach(1, .streaming)
        #expect(harness.advance(10) == [.write(.heartbeat, to: 1)])
        #expect(harness.advance(10) == [.write(.heartbeat, to: 1), .endResponse(1)])
    }

    @Test("the default response limit is 128 KiB")
    func defaultResponseLimit() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        let chunk = String(repeating: "x", count: 1_020)  // a["…"] is 1024 bytes
        for _ in 0..<127 {
            #expect(harness.session.messagesQueued([chunk], now: harness.now) == [.write(.messages([chunk]), to: 1)])
        }
        #expect(
            harness.session.messagesQueued([chunk], now: harness.now) == [
                .write(.messages([chunk]), to: 1), .endResponse(1),
            ]
        )
    }

    @Test("the response limit starts over for each receiver")
    func limitPerReceiver() {
        var harness = Harness(.init(responseLimit: 10))
        _ = harness.attach(1, .streaming)
        #expect(harness.queue("12345") == [.write(.messages(["12345"]), to: 1), .endResponse(1)])
        #expect(harness.attach(2, .streaming) == [])
        #expect(harness.queue("a") == [.write(.messages(["a"]), to: 2)])
    }

    @Test("WebSocket receivers have no response limit")
    func webSocketUnlimited() {
        var harness = Harness(.init(responseLimit: 1))
        _ = harness.attach(1, .webSocket)
        for _ in 0..<10 {
            #expect(harness.queue("m") == [.write(.messages(["m"]), to: 1)])
        }
    }

    @Test("an ended streaming receiver starts the disconnect delay")
    func limitStartsDelay() {
        var harness = Harness(.init(responseLimit: 1))
        _ = harness.attach(1, .streaming)
        _ = harness.queue("m")
        #expect(harness.session.nextDeadline == harness.now + 5_000)
        #expect(harness.advance(5_000) == [.sessionTimedOut])
    }

    // MARK: Closing

    @Test("closing with a streaming receiver writes the close frame and ends it")
    func closeWithReceiver() {
        var harness = Harness()
        _ = harness.attach(1, .streaming)
        #expect(harness.close() == [.write(.goAway, to: 1), .endResponse(1)])
        #expect(harness.session.state == .closing)
    }

    @Test("closing with a waiting poll answers it with the close frame")
    func closeWithPoll() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        _ = harness.attach(2, .polling)
        #expect(harness.close(3000, "Go away!") == [.write(.goAway, to: 2), .endResponse(2)])
    }

    @Test("every later receiver gets the close frame until the session expires")
    func closeFrameRepeats() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        _ = harness.close(3001, "Bye")
        let bye = SockJSFrame.close(code: 3001, reason: "Bye")
        for id: SessionStateMachine.ReceiverID in [2, 3, 4] {
            #expect(harness.attach(id, .polling) == [.write(bye, to: id), .endResponse(id)])
            #expect(harness.advance(1_000) == [])
        }
        #expect(harness.attach(5, .streaming) == [.write(bye, to: 5), .endResponse(5)])
        #expect(harness.advance(4_999) == [])
        #expect(harness.advance(1) == [.sessionExpired])
        #expect(harness.session.state == .closed)
        #expect(harness.session.nextDeadline == nil)
    }

    @Test("a closed session expires after the disconnect delay from the close")
    func closedExpiry() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        harness.now += 2_000
        #expect(harness.close() == [])
        #expect(harness.session.nextDeadline == harness.now + 5_000)
        #expect(harness.advance(5_000) == [.sessionExpired])
    }

    @Test("queued messages are delivered before the close frame")
    func closeAfterPending() {
        var polling = Harness()
        _ = polling.attach(1, .polling)
        _ = polling.queue("ERROR")
        _ = polling.close(1002, "Protocol error")
        #expect(polling.attach(2, .polling) == [.write(.messages(["ERROR"]), to: 2), .endResponse(2)])
        let closeFrame = SockJSFrame.close(code: 1002, reason: "Protocol error")
        #expect(polling.attach(3, .polling) == [.write(closeFrame, to: 3), .endResponse(3)])

        var streaming = Harness()
        _ = streaming.attach(1, .polling)
        _ = streaming.queue("ERROR")
        _ = streaming.close(1002, "Protocol error")
        #expect(
            streaming.attach(2, .streaming) == [
                .write(.messages(["ERROR"]), to: 2), .write(closeFrame, to: 2), .endResponse(2),
            ]
        )
    }

    @Test("closing before any receiver: the first receiver gets just the close frame")
    func closeBeforeOpen() {
        var harness = Harness()
        _ = harness.close()
        #expect(harness.attach(1, .polling) == [.write(.goAway, to: 1), .endResponse(1)])
    }

    @Test("closing before any receiver with messages queued: o, the messages, then the close frame")
    func closeBeforeOpenWithMessages() {
        var harness = Harness()
        _ = harness.queue("bye")
        _ = harness.close()
        #expect(
            harness.attach(1, .streaming) == [
                .write(.open, to: 1), .write(.messages(["bye"]), to: 1), .write(.goAway, to: 1), .endResponse(1),
            ]
        )
    }

    @Test("messages after the close are dropped, and only the first close counts")
    func afterClose() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        _ = harness.close()
        #expect(harness.queue("late") == [])
        #expect(harness.session.pendingMessageCount == 0)
        #expect(harness.close(4000, "Other") == [])
        #expect(harness.attach(2, .polling) == [.write(.goAway, to: 2), .endResponse(2)])
    }

    @Test("closing a WebSocket session ends it at once")
    func closeWebSocket() {
        var harness = Harness()
        _ = harness.attach(1, .webSocket)
        #expect(harness.close() == [.write(.goAway, to: 1), .endResponse(1), .sessionExpired])
        #expect(harness.session.state == .closed)
        #expect(harness.lose(1) == [])
    }

    // MARK: Lost receivers

    @Test("losing the WebSocket interrupts the session, which is gone at once")
    func lostWebSocket() {
        var harness = Harness()
        _ = harness.attach(1, .webSocket)
        #expect(harness.lose(1) == [.sessionInterrupted, .sessionExpired])
        #expect(harness.session.state == .closed)
        #expect(harness.session.nextDeadline == nil)
    }

    @Test(
        "losing an HTTP receiver mid-response interrupts the session; later receivers get c[1002] at once",
        arguments: [SessionStateMachine.ReceiverKind.polling, .streaming])
    func lostHTTPReceiver(kind: SessionStateMachine.ReceiverKind) {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        harness.now += 1_000
        _ = harness.attach(2, kind)
        harness.now += 1_000
        #expect(harness.lose(2) == [.sessionInterrupted])
        #expect(harness.session.state == .closing)
        #expect(!harness.session.hasReceiver)
        #expect(harness.queue("too late") == [])
        #expect(harness.session.pendingMessageCount == 0)
        harness.now += 100
        #expect(harness.attach(3, .streaming) == [.write(.connectionInterrupted, to: 3), .endResponse(3)])
        #expect(harness.attach(4, .polling) == [.write(.connectionInterrupted, to: 4), .endResponse(4)])
        #expect(harness.session.nextDeadline == harness.now + 5_000)
        #expect(harness.advance(5_000) == [.sessionExpired])
        #expect(harness.session.state == .closed)
    }

    @Test("losing an ended receiver is ignored")
    func lostEndedReceiver() {
        var harness = Harness()
        _ = harness.attach(1, .polling)
        #expect(harness.lose(1) == [])
        #expect(harness.session.nextDeadline == harness.now + 5_000)
    }

    // MARK: Closed

    @Test("a receiver on a timed-out session gets a close frame")
    func receiverAfterTimeout() {
        var harness = Harness()
        _ = harness.advance(5_000)
        #expect(harness.attach(1, .polling) == [.write(.goAway, to: 1), .endResponse(1)])
        #expect(harness.session.state == .closed)
        #expect(harness.queue("m") == [])
        #expect(harness.close() == [])
    }

    @Test("receiver kinds of the transports")
    func receiverKinds() {
        typealias Kind = SessionStateMachine.ReceiverKind
        #expect(Kind(transport: .websocket) == .webSocket)
        #expect(Kind(transport: .xhr) == .polling)
        #expect(Kind(transport: .jsonp) == .polling)
        #expect(Kind(transport: .xhrStreaming) == .streaming)
        #expect(Kind(transport: .eventsource) == .streaming)
        #expect(Kind(transport: .htmlfile) == .streaming)
        #expect(Kind(transport: .xhrSend) == nil)
        #expect(Kind(transport: .jsonpSend) == nil)
    }

    @Test("deadlines near the end of the clock saturate")
    func saturatingDeadlines() {
        var harness = Harness(start: .max - 10)
        #expect(harness.session.nextDeadline == .max)
        _ = harness.attach(1, .streaming)
        #expect(harness.session.nextDeadline == .max)
        #expect(harness.session.timerFired(now: .max) == [.write(.heartbeat, to: 1)])
    }

    // MARK: Properties

    @Test("property: random event sequences keep the protocol's invariants", arguments: 0..<20)
    func randomSequences(seed: UInt64) {
        var generator = SplitMix64(seed: seed &* 0x9E37_79B9 &+ 1)
        var harness = Harness(
            .init(
                heartbeatInterval: UInt64.random(in: 1...50, using: &generator),
                disconnectDelay: UInt64.random(in: 1...50, using: &generator),
                responseLimit: Int.random(in: 1...60, using: &generator)
            )
        )
        var attached: SessionStateMachine.ReceiverID?
        var ended: Set<SessionStateMachine.ReceiverID> = []
        var nextID: UInt64 = 1
        var queued: [String] = []
        var delivered: [String] = []
        var sessionFrames: [SockJSFrame] = []  // frames written to the session's own receivers
        var finished = false
        var closedByApp = false
        var interrupted = false

        for _ in 0..<400 {
            let actions: [SessionStateMachine.Action]
            var rejectedID: SessionStateMachine.ReceiverID?
            switch Int.random(in: 0..<10, using: &generator) {
            case 0, 1:
                let id = SessionStateMachine.ReceiverID(nextID)
                nextID += 1
                let kind = [SessionStateMachine.ReceiverKind.polling, .streaming, .webSocket].randomElement(
                    using: &generator)!
                if attached != nil || finished {
                    rejectedID = id
                } else {
                    attached = id
                }
                actions = harness.attach(id, kind)
            case 2, 3, 4:
                let message = "m\(queued.count)"
                if !finished && !closedByApp && !interrupted {
                    queued.append(message)
                }
                actions = harness.queue(message)
            case 5:
                closedByApp = closedByApp || !finished
                actions = harness.close()
            case 6:
                actions = attached.map { harness.lose($0) } ?? []
                if let lost = attached {  // lost receivers are detached either way
                    attached = nil
                    ended.insert(lost)
                }
            default:
                actions = harness.advance(UInt64.random(in: 0...30, using: &generator))
            }

            for action in actions {
                switch action {
                case .write(let frame, let id):
                    #expect(!ended.contains(id), "write to an ended receiver")
                    if id == rejectedID {
                        #expect(frame == .anotherConnectionStillOpen || finished)
                        continue
                    }
                    #expect(id == attached)
                    sessionFrames.append(frame)
                    if case .messages(let messages) = frame {
                        delivered += messages
                    }
                case .endResponse(let id):
                    #expect(!ended.contains(id))
                    ended.insert(id)
                    if id == attached {
                        attached = nil
                    }
                case .sessionInterrupted:
                    #expect(!finished && !interrupted && !closedByApp, "only an open session is interrupted")
                    interrupted = true
                case .sessionTimedOut, .sessionExpired:
                    #expect(!finished, "the session ends once")
                    finished = true
                    attached = nil
                }
            }
            #expect(harness.session.hasReceiver == (attached != nil))
            #expect((harness.session.nextDeadline == nil) == (harness.session.state == .closed))
            #expect(finished == (harness.session.state == .closed))
            // Messages arrive in order, each once.
            #expect(Array(queued.prefix(delivered.count)) == delivered)
        }
        // o comes first, once; nothing but the close frame after a close frame.
        let opens = sessionFrames.indices.filter { sessionFrames[$0] == .open }
        #expect(opens.count <= 1)
        if let open = opens.first {
            #expect(open == 0)
        }
        if let firstClose = sessionFrames.firstIndex(where: { if case .close = $0 { true } else { false } }) {
            #expect(sessionFrames[firstClose...].allSatisfy { if case .close = $0 { true } else { false } })
        }
    }
}
