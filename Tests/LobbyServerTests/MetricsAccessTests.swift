import Testing

@testable import LobbyServer

@Suite("Metrics access")
struct MetricsAccessTests {
    @Test(arguments: ["127.0.0.1", "127.0.0.2", "127.255.255.254", "::1", "::ffff:127.0.0.1"])
    func loopbackClientsAreServed(address: String) {
        #expect(HTTPHandler.isLoopback(address))
    }

    @Test(arguments: ["10.0.0.5", "192.168.1.2", "::2", "fe80::1", "128.0.0.1", "1.127.0.0", "::ffff:10.0.0.1", ""])
    func otherAddressesAreRefused(address: String) {
        #expect(!HTTPHandler.isLoopback(address))
    }

    @Test func anUnknownPeerIsRefused() {
        #expect(!HTTPHandler.isLoopback(nil))
    }

    @Test func processMetricsReadTheProcess() {
        let text = ProcessMetrics.text(labels: [("node", #"a"b"#)])
        #expect(text.contains("# TYPE process_resident_memory_bytes gauge"))
        #expect(text.contains(#"process_open_fds{node="a\"b"}"#))
        #expect(text.contains("process_cpu_seconds_total{"))
    }
}
