import LobbyCore
import LobbyStore
import Logging
import Testing

@testable import LobbyServer

@Suite("Readiness")
struct HealthCheckTests {
    @Test func readyWhileSessionsAreAcceptedAndNotOnceShuttingDown() async {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        let lobby = Lobby(writer: writer, history: [], historyLimit: 1, logger: Logger(label: "test"))
        let health = HealthCheck(lobby: lobby, store: store)
        #expect(await health.readinessProblem() == nil)
        lobby.shutdown()
        #expect(await health.readinessProblem() == "shutting down")
        writer.finish()
    }

    @Test func aFencedNodeIsNotReadyUntilItRejoined() async {
        let store = InMemoryStore()
        let writer = StoreWriter(store: store)
        let lobby = Lobby(writer: writer, history: [], historyLimit: 1, logger: Logger(label: "test"))
        let health = HealthCheck(lobby: lobby, store: store)
        lobby.fence()
        #expect(await health.readinessProblem()?.hasPrefix("rejoining the cluster") == true)
        lobby.rejoined()
        #expect(await health.readinessProblem() == nil)
        writer.finish()
    }
}
