import LobbyClient
import TestSupport
import Testing

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("the ceiling starts at 1 s, doubles per failure in a row, and stops at 30 s")
    func ceilings() {
        let backoff = ReconnectBackoff()
        let ceilings = (1...8).map { backoff.ceiling(afterFailures: $0) }
        #expect(ceilings == [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000])
        #expect(backoff.ceiling(afterFailures: 10_000) == 30_000, "no overflow after very many failures")
    }

    @Test("full jitter: every delay lies between zero and the ceiling, and they spread over that range")
    func fullJitter() {
        let backoff = ReconnectBackoff()
        var generator = SplitMix64(seed: 42)
        for failures in 1...7 {
            let delays = (0..<200).map { _ in backoff.delay(afterFailures: failures, using: &generator) }
            let ceiling = backoff.ceiling(afterFailures: failures)
            #expect(delays.allSatisfy { $0 <= ceiling })
            #expect(delays.contains { $0 < ceiling / 4 } && delays.contains { $0 > ceiling * 3 / 4 })
        }
    }

    @Test("the same seed gives the same delays")
    func deterministicWithSeed() {
        let backoff = ReconnectBackoff()
        var first = SplitMix64(seed: 7)
        var second = SplitMix64(seed: 7)
        let a = (1...5).map { backoff.delay(afterFailures: $0, using: &first) }
        let b = (1...5).map { backoff.delay(afterFailures: $0, using: &second) }
        #expect(a == b)
    }
}

@Suite("Reconnect state machine")
struct ReconnectStateMachineTests {
    @Test func aKickedClientDoesNotReconnectAndQuitsAtOnce() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        let ended = machine.connectionEnded(.removed("removed by an operator"), now: 1_000, using: &generator)
        #expect(ended == [.emit(.disconnected("removed by an operator"))])
        #expect(machine.tick(now: 60_000).isEmpty)
        #expect(machine.quit() == [.emit(.stopped)])
    }

    @Test func anUntrustedCertificateIsShownAndNotRetried() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        let reason = "TLS: certificate verify failed for 127.0.0.1: not signed by a trusted CA"
        let ended = machine.connectionEnded(.untrusted(reason), now: 1_000, using: &generator)
        #expect(ended == [.emit(.disconnected(reason))])
        #expect(machine.tick(now: 60_000).isEmpty, "no reconnect, however long it waits")
        #expect(machine.quit() == [.emit(.stopped)])
    }
    /// Delays drawn as the machine draws them from a generator with this seed.
    private func delays(_ count: Int, seed: UInt64) -> [UInt64] {
        var generator = SplitMix64(seed: seed)
        return (1...count).map { ReconnectBackoff().delay(afterFailures: $0, using: &generator) }
    }

    @Test("start opens the first connection")
    func start() {
        var machine = ReconnectStateMachine()
        #expect(machine.start() == [.emit(.connecting(attempt: 1)), .openConnection])
        #expect(machine.start().isEmpty)
    }

    @Test("a lost connection counts down whole seconds, then opens a new connection")
    func countdown() {
        var machine = ReconnectStateMachine()
        _ = machine.start()
        var generator = SplitMix64(seed: 1)
        let delay = delays(1, seed: 1)[0]  // the same draw the machine will make
        let seconds = Int((delay + 999) / 1000)
        let ended = machine.connectionEnded(.lost("the server has been silent for 20 s"), now: 5_000, using: &generator)
        let deadline = 5_000 + delay
        #expect(
            ended == [
                .emit(.disconnected("the server has been silent for 20 s")),
                .emit(.reconnecting(inSeconds: seconds)),
                .scheduleTick(at: deadline - UInt64(seconds - 1) * 1000),
            ])
        #expect(machine.tick(now: deadline) == [.emit(.connecting(attempt: 2)), .openConnection])
    }

    @Test("the countdown shows each second once: 3 s, 2 s, 1 s, then connects")
    func countdownSeconds() {
        var machine = ReconnectStateMachine(backoff: ReconnectBackoff(initialDelay: 3_000, maximumDelay: 3_000))
        _ = machine.start()
        var generator = AlwaysMaxDelay()
        let ended = machine.connectionEnded(.lost("x"), now: 0, using: &generator)
        #expect(ended.dropFirst() == [.emit(.reconnecting(inSeconds: 3)), .scheduleTick(at: 1_000)])
        #expect(machine.tick(now: 500) == [.scheduleTick(at: 1_000)], "an early tick changes nothing")
        #expect(machine.tick(now: 1_000) == [.emit(.reconnecting(inSeconds: 2)), .scheduleTick(at: 2_000)])
        #expect(machine.tick(now: 2_000) == [.emit(.reconnecting(inSeconds: 1)), .scheduleTick(at: 3_000)])
        #expect(machine.tick(now: 3_000) == [.emit(.connecting(attempt: 2)), .openConnection])
    }

    @Test("failures in a row raise the ceiling; a welcome resets it")
    func welcomeResetsBackoff() {
        // No waiting, so each loss reconnects at once and the attempts can be counted.
        var machine = ReconnectStateMachine(backoff: ReconnectBackoff(initialDelay: 0, maximumDelay: 0))
        var generator = SplitMix64(seed: 3)
        _ = machine.start()
        for attempt in 2...4 {
            let actions = machine.connectionEnded(.lost("refused"), now: 0, using: &generator)
            #expect(
                actions == [.emit(.disconnected("refused")), .emit(.connecting(attempt: attempt)), .openConnection])
        }
        #expect(machine.failures == 3)
        #expect(
            machine.sessionWelcomed(user: "alice", sessionID: "abc12345") == [
                .emit(.connected(user: "alice", sessionID: "abc12345"))
            ])
        #expect(machine.failures == 0)
        _ = machine.connectionEnded(.lost("gone"), now: 0, using: &generator)
        #expect(machine.failures == 1)
    }

    @Test("quit while connected asks the connection to say goodbye; its end is the stop")
    func quitWhileConnected() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 5)
        _ = machine.start()
        #expect(machine.quit() == [.quitConnection])
        #expect(machine.isStopping)
        #expect(machine.quit().isEmpty)
        #expect(machine.connectionEnded(.finished, now: 0, using: &generator) == [.emit(.stopped)])
        #expect(machine.tick(now: 100_000).isEmpty)
    }

    @Test("quit while waiting to reconnect stops at once")
    func quitWhileWaiting() {
        var machine = ReconnectStateMachine()
        var generator = AlwaysMaxDelay()
        _ = machine.start()
        _ = machine.connectionEnded(.lost("x"), now: 0, using: &generator)
        #expect(machine.quit() == [.emit(.stopped)])
        #expect(machine.tick(now: 100_000).isEmpty, "no reconnect after quitting")
    }

    @Test("a connection that dies during quit still ends in stopped, never in a reconnect")
    func lostDuringQuit() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 5)
        _ = machine.start()
        _ = machine.quit()
        #expect(machine.connectionEnded(.lost("reset"), now: 0, using: &generator) == [.emit(.stopped)])
    }
}

/// Draws the largest value every time, so the delay equals the ceiling.
struct AlwaysMaxDelay: RandomNumberGenerator {
    mutating func next() -> UInt64 { .max }

}

@Suite("Reconnect state machine: /reconnect")
struct ReconnectNowTests {
    @Test("on a live connection: goodbye first, then a new connection at once, the backoff reset")
    func whileConnected() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        #expect(machine.reconnect() == [.quitConnection])
        #expect(machine.isClosingConnection && !machine.isStopping)
        #expect(machine.reconnect().isEmpty, "a second /reconnect while closing does nothing more")
        let ended = machine.connectionEnded(.finished, now: 1_000, using: &generator)
        #expect(ended == [.emit(.connecting(attempt: 1)), .openConnection])
        #expect(!machine.isClosingConnection)
    }

    @Test("while waiting out a backoff: the next attempt opens now, counted from 1")
    func whileWaiting() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        for attempt in 1...3 {
            _ = machine.connectionEnded(.lost("refused"), now: 0, using: &generator)
            if attempt < 3 { _ = machine.tick(now: 60_000) }
        }
        #expect(machine.failures == 3)
        #expect(machine.reconnect() == [.emit(.connecting(attempt: 1)), .openConnection])
        #expect(machine.failures == 0)
    }

    @Test("after a kick, which is not retried on its own, /reconnect is the way back")
    func afterKick() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        _ = machine.connectionEnded(.removed("removed by an operator"), now: 1_000, using: &generator)
        #expect(machine.reconnect() == [.emit(.connecting(attempt: 1)), .openConnection])
    }

    @Test("quit while a /reconnect closes the connection: it stops instead")
    func quitWhileRestarting() {
        var machine = ReconnectStateMachine()
        var generator = SplitMix64(seed: 7)
        _ = machine.start()
        _ = machine.reconnect()
        #expect(machine.quit().isEmpty)
        #expect(machine.connectionEnded(.finished, now: 1_000, using: &generator) == [.emit(.stopped)])
    }
}
