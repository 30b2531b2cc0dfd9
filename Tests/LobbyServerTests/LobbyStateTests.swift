import LobbyCore
import LobbyStore
import Testing

@testable import LobbyServer

/// The lobby's session rules as pure state: no lock, no store, no socket.
@Suite struct LobbyStateTests {
    private let time = Timestamp(millisecondsSince1970: 1_000)
    private let alice = try! UserName(validating: "alice")

    @Test func aSessionOpensOnceAndStoresItsStart() throws {
        var state = LobbyState()
        let effect = try state.sessionOpened("s1", transport: "websocket", remoteAddress: "127.0.0.1", at: time).get()
        #expect(
            effect.write
                == .sessionStarted(SessionStart(id: "s1", transport: "websocket", remoteAddress: "127.0.0.1", at: time))
        )
        #expect(effect.then == nil)
        #expect(state.sessionOpened("s1", transport: "xhr", remoteAddress: nil, at: time) == .failure(.idInUse))
        #expect(state.liveSessionCount == 1)
    }

    @Test func identityIsStoredThenAnnounced() throws {
        var state = LobbyState()
        _ = state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: time)
        let received = state.identityReceived("s1", as: alice, welcome: true, at: time)
        let effect = try #require(received)
        #expect(effect.write == .sessionIdentified("s1", user: "alice", at: time))
        #expect(effect.then == .identityStored("s1", user: alice, welcome: true, at: time))
        #expect(state.user(of: "s1") == alice)
    }

    @Test func anIdentityForASessionThatIsGoneDoesNothing() {
        var state = LobbyState()
        #expect(state.identityReceived("ghost", as: alice, welcome: true, at: time) == nil)
        _ = state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: time)
        _ = state.sessionEnded("s1", reason: .closed, at: time)
        #expect(state.identityReceived("s1", as: alice, welcome: true, at: time) == nil)
        #expect(state.user(of: "s1") == nil)
    }

    @Test func aSessionEndsExactlyOnceWhateverRaces() throws {
        var state = LobbyState()
        _ = state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: time)
        _ = state.identityReceived("s1", as: alice, welcome: false, at: time)
        let ended = state.sessionEnded("s1", reason: .closed, at: time)
        let first = try #require(ended)
        #expect(first.write == .sessionEnded("s1", reason: .closed, at: time))
        #expect(first.then == .endStored("s1", reason: .closed, at: time))
        for reason in [LeaveReason.timeout, .quit, .slow, .kicked, .shutdown] {
            #expect(state.sessionEnded("s1", reason: reason, at: time) == nil)
        }
        #expect(state.liveSessionCount == 0)
    }

    @Test func theSameIDCanOpenAgainAfterItsEnd() {
        var state = LobbyState()
        _ = state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: time)
        _ = state.sessionEnded("s1", reason: .closed, at: time)
        #expect((try? state.sessionOpened("s1", transport: "websocket", remoteAddress: nil, at: time).get()) != nil)
    }

    @Test func shutdownListsTheLiveSessionsAndRefusesNewOnes() {
        var state = LobbyState()
        _ = state.sessionOpened("b", transport: "websocket", remoteAddress: nil, at: time)
        _ = state.sessionOpened("a", transport: "xhr", remoteAddress: nil, at: time)
        #expect(state.shutdownBegan() == ["a", "b"])
        #expect(!state.isAcceptingSessions)
        #expect(
            state.sessionOpened("c", transport: "websocket", remoteAddress: nil, at: time) == .failure(.shuttingDown))
        // The live sessions still end (with `shutdown`), once each.
        #expect(state.sessionEnded("a", reason: .shutdown, at: time) != nil)
        #expect(state.sessionEnded("a", reason: .shutdown, at: time) == nil)
    }

    @Test func aFencedNodeEndsEverySessionAndRefusesNewOnesUntilItRejoins() {
        var state = LobbyState()
        _ = state.sessionOpened("a", transport: "websocket", remoteAddress: nil, at: time)
        _ = state.identityReceived("a", as: try! UserName(validating: "alice"), welcome: true, at: time)
        _ = state.sessionOpened("b", transport: "websocket", remoteAddress: nil, at: time)
        #expect(state.fenced() == ["a", "b"])
        #expect(state.liveSessionCount == 0)
        #expect(state.user(of: "a") == nil)
        // A survivor records the ends: here they are already over, and end nothing more.
        #expect(state.sessionEnded("a", reason: .closed, at: time) == nil)
        #expect(state.sessionOpened("c", transport: "websocket", remoteAddress: nil, at: time) == .failure(.fenced))
        state.rejoined()
        #expect((try? state.sessionOpened("c", transport: "websocket", remoteAddress: nil, at: time).get()) != nil)
    }
}
