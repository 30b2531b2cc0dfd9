import LobbyCore
import LobbyStore
import Testing

@testable import LobbyServer

@Suite("Name claims")
struct NameClaimsTests {
    private let alice = try! UserName(validating: "alice")
    private let day: Int64 = 86_400_000

    private func at(_ milliseconds: Int64) -> Timestamp { Timestamp(millisecondsSince1970: milliseconds) }

    @Test func theFirstIdentityClaimsAndOnlyItsTokenOpensTheNameAgain() async throws {
        let claims = NameClaims(store: InMemoryStore(), lifetimeMilliseconds: 30 * day)
        guard case .granted(let token?) = await claims.decide(for: alice, token: nil, at: at(1_000)) else {
            Issue.record("a free name is granted with a new token")
            return
        }
        #expect(token.count == 43)
        #expect(await claims.decide(for: alice, token: token, at: at(2_000)) == .granted(newToken: nil))
        #expect(await claims.decide(for: alice, token: nil, at: at(2_000)) == .taken)
        #expect(await claims.decide(for: alice, token: token + "x", at: at(2_000)) == .taken)
        #expect(await claims.decide(for: alice, token: String(repeating: "a", count: 10_000), at: at(2_000)) == .taken)
        // Another name is unaffected by alice's claim.
        guard
            case .granted(let bobToken?) = await claims.decide(
                for: try UserName(validating: "bob"), token: token, at: at(3_000))
        else {
            Issue.record("bob was free")
            return
        }
        #expect(bobToken != token)
    }

    @Test func anUnusedClaimLapsesAndTheNameIsClaimedAnew() async throws {
        let store = InMemoryStore()
        let claims = NameClaims(store: store, lifetimeMilliseconds: 1_000)
        guard case .granted(let first?) = await claims.decide(for: alice, token: nil, at: at(10_000)) else {
            Issue.record("a free name is granted with a new token")
            return
        }
        #expect(await claims.decide(for: alice, token: nil, at: at(10_999)) == .taken)
        guard case .granted(let second?) = await claims.decide(for: alice, token: nil, at: at(11_001)) else {
            Issue.record("a lapsed claim frees the name")
            return
        }
        #expect(second != first)
        #expect(await claims.decide(for: alice, token: first, at: at(11_002)) == .taken)
        #expect(await claims.decide(for: alice, token: second, at: at(11_002)) == .granted(newToken: nil))
    }

    @Test func aSessionThatCannotLearnTheSecretDoesNotClaim() async throws {
        let store = InMemoryStore()
        let claims = NameClaims(store: store, lifetimeMilliseconds: day)
        #expect(await claims.decide(for: alice, token: nil, at: at(1), mayClaim: false) == .grantedUnclaimed)
        #expect(try await store.nameClaim("alice") == nil)
        // A claim in force still needs its token.
        guard case .granted(let token?) = await claims.decide(for: alice, token: nil, at: at(2)) else {
            Issue.record("a free name is granted with a new token")
            return
        }
        #expect(await claims.decide(for: alice, token: nil, at: at(3), mayClaim: false) == .taken)
        #expect(await claims.decide(for: alice, token: token, at: at(3), mayClaim: false) == .granted(newToken: nil))
    }

    @Test func concurrentFirstIdentitiesMakeOneClaim() async throws {
        let claims = NameClaims(store: InMemoryStore(), lifetimeMilliseconds: day)
        let decisions = await withTaskGroup(of: NameClaims.Decision.self) { group in
            for _ in 0..<20 {
                group.addTask { [alice] in
                    await claims.decide(for: alice, token: nil, at: Timestamp(millisecondsSince1970: 5))
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let granted = decisions.filter { if case .granted(.some) = $0 { true } else { false } }
        #expect(granted.count == 1)
        #expect(decisions.filter { $0 == .taken }.count == 19)
    }

    @Test func tokensAreRandomAndCompareOnlyWhenEqual() {
        let tokens = Set((0..<100).map { _ in ClaimToken.generate() })
        #expect(tokens.count == 100)
        #expect(
            tokens.allSatisfy {
                $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            })
        let hash = ClaimToken.hash("secret")
        #expect(hash.count == 32)
        #expect(ClaimToken.constantTimeEqual(hash, ClaimToken.hash("secret")))
        #expect(!ClaimToken.constantTimeEqual(hash, ClaimToken.hash("Secret")))
        #expect(!ClaimToken.constantTimeEqual(hash, Array(hash.dropLast())))
    }

    @Test func theWelcomeCarriesTheTokenOnlyWhenGiven() throws {
        let snapshot = WelcomeSnapshot(members: Array("[]".utf8), history: Array("[]".utf8))
        let with = String(decoding: snapshot.body(sessionID: "s1", user: alice, token: "abc"), as: UTF8.self)
        let instance = WelcomeSnapshot.serverInstance
        #expect(
            with
                == #"{"history":[],"members":[],"serverInstance":"\#(instance)","sessionId":"s1","token":"abc","type":"welcome","user":"alice"}"#
        )
        let without = String(decoding: snapshot.body(sessionID: "s1", user: alice), as: UTF8.self)
        #expect(
            without
                == #"{"history":[],"members":[],"serverInstance":"\#(instance)","sessionId":"s1","type":"welcome","user":"alice"}"#
        )
    }
}
