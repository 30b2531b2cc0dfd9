import NIOCore
import Testing

@testable import LobbyServer

@Suite struct ConnectionCounterTests {
    @Test func perAddressLimitRefusesOnlyThatAddress() {
        let counter = ConnectionCounter(maxConnections: 100, maxConnectionsPerAddress: 2)
        let first = counter.open(address: "10.0.0.1")
        let second = counter.open(address: "10.0.0.1")
        let third = counter.open(address: "10.0.0.1")
        let other = counter.open(address: "2001:db8::1")
        #expect([first, second, third, other].map(\.admission) == [.admitted, .admitted, .addressFull, .admitted])
        #expect(counter.count(from: "10.0.0.1") == 3)
        // The refused one closes, then an admitted one: a slot is free again.
        third.release()
        #expect(counter.open(address: "10.0.0.1").admission == .addressFull)
        first.release()
        #expect(counter.count(from: "10.0.0.1") == 2)
    }

    @Test func releasingFreesASlot() {
        let counter = ConnectionCounter(maxConnections: 100, maxConnectionsPerAddress: 1)
        let held = counter.open(address: "10.0.0.1")
        #expect(counter.open(address: "10.0.0.1").admission == .addressFull)
        held.release()
        // The refused ticket above was dropped without release: it still counts, as its socket would.
        #expect(counter.count(from: "10.0.0.1") == 1)
    }

    @Test func totalLimitComesBeforeThePerAddressOne() {
        let counter = ConnectionCounter(maxConnections: 3, maxConnectionsPerAddress: 2)
        let tickets = ["a", "a", "b", "a", "c"].map { counter.open(address: $0) }
        #expect(tickets.map(\.admission) == [.admitted, .admitted, .admitted, .serverFull, .serverFull])
        #expect(counter.total == 5)
        for ticket in tickets.suffix(2) { ticket.release() }
        tickets[2].release()
        #expect(counter.open(address: "c").admission == .admitted)
    }

    @Test func aTicketReleasesExactlyOnce() {
        let counter = ConnectionCounter(maxConnections: 10, maxConnectionsPerAddress: 10)
        let ticket = counter.open(address: "10.0.0.1")
        let other = counter.open(address: "10.0.0.1")
        ticket.release()
        ticket.release()
        #expect(counter.total == 1)
        #expect(counter.count(from: "10.0.0.1") == 1)
        other.release()
        #expect(counter.total == 0)
        #expect(counter.addressCount == 0)
    }

    @Test func concurrentOpensAndReleasesBalance() async {
        let counter = ConnectionCounter(maxConnections: 1_000_000, maxConnectionsPerAddress: 1_000_000)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<2_000 {
                        counter.open(address: "10.0.\(worker).\(index % 7)").release()
                    }
                }
            }
        }
        #expect(counter.total == 0)
        #expect(counter.addressCount == 0)
    }

    @Test func addressKeysFoldMappedIPv4() throws {
        #expect(ConnectionCounter.addressKey(try SocketAddress(ipAddress: "192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(ConnectionCounter.addressKey(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(ConnectionCounter.addressKey(try SocketAddress(ipAddress: "2001:db8::1", port: 1)) == "2001:db8::1")
        #expect(ConnectionCounter.addressKey(nil) == "local")
    }

    @Test func defaultMaxConnectionsKeepsAReserve() {
        #expect(ConnectionCounter.defaultMaxConnections(openFileLimit: 1024) == 922)
        #expect(ConnectionCounter.defaultMaxConnections(openFileLimit: 20_000) == 18_000)
        #expect(ConnectionCounter.defaultMaxConnections(openFileLimit: 256) == 192)
        #expect(ConnectionCounter.defaultMaxConnections(openFileLimit: 20) == 16)
    }

    @Test func rateLimitedLogLetsOneLineThroughPerInterval() {
        let log = RateLimitedLog(interval: .seconds(10))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(log.record(now: start) == 1)
        #expect(log.record(now: start + .seconds(1)) == nil)
        #expect(log.record(now: start + .seconds(9)) == nil)
        #expect(log.record(now: start + .seconds(10)) == 3)
        #expect(log.record(now: start + .seconds(11)) == nil)
    }
}
