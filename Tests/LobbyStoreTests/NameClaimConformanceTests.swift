import LobbyCore
import Testing

@testable import LobbyStore

/// Name claims, the same in every `LobbyStore` adapter.
@Suite("Name claim conformance")
struct NameClaimConformanceTests {
    private static let aliceHash = [UInt8](repeating: 0xA1, count: 32)
    private static let otherHash = [UInt8](repeating: 0x0B, count: 32)

    private func request(_ name: String, _ hash: [UInt8], at time: Int64, lapsedBefore: Int64 = 0) -> NameClaimRequest {
        NameClaimRequest(name: name, tokenHash: hash, at: at(time), lapsedBefore: at(lapsedBefore))
    }

    @Test(arguments: StoreKind.available)
    func aFreeNameIsClaimedAndThenStands(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.nameClaim("alice") == nil)
            let claimed = try await store.claimNames([request("alice", Self.aliceHash, at: 100)])
            #expect(
                claimed == [
                    NameClaimRecord(name: "alice", tokenHash: Self.aliceHash, claimedAt: at(100), lastUsed: at(100))
                ])
            #expect(try await store.nameClaim("alice") == claimed.first)

            // Someone else asks for it while the claim is in force: the first claim stands.
            let again = try await store.claimNames([request("alice", Self.otherHash, at: 200, lapsedBefore: 50)])
            #expect(again.first?.tokenHash == Self.aliceHash)
            #expect(try await store.nameClaim("alice")?.tokenHash == Self.aliceHash)
        }
    }

    @Test(arguments: StoreKind.available)
    func theFirstOfOneBatchWins(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let claims = try await store.claimNames([
                request("bob", Self.aliceHash, at: 10), request("bob", Self.otherHash, at: 10),
                request("carol", Self.otherHash, at: 10),
            ])
            #expect(claims.map(\.tokenHash) == [Self.aliceHash, Self.aliceHash, Self.otherHash])
            #expect(claims.map(\.name) == ["bob", "bob", "carol"])
        }
    }

    @Test(arguments: StoreKind.available)
    func aLapsedClaimIsTakenOver(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.claimNames([request("alice", Self.aliceHash, at: 100)])
            // Last used at 100; claims used before 101 have lapsed.
            let taken = try await store.claimNames([request("alice", Self.otherHash, at: 500, lapsedBefore: 101)])
            #expect(
                taken == [
                    NameClaimRecord(name: "alice", tokenHash: Self.otherHash, claimedAt: at(500), lastUsed: at(500))
                ])
        }
    }

    @Test(arguments: StoreKind.available)
    func anIdentityMarksTheClaimUsedSoItDoesNotLapse(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.claimNames([request("alice", Self.aliceHash, at: 100)])
            _ = try await store.apply([start("s1", at: 900), .sessionIdentified("s1", user: "alice", at: at(1_000))])
            #expect(try await store.nameClaim("alice")?.lastUsed == at(1_000))
            // An older identity does not move it back.
            _ = try await store.apply([start("s2", at: 300), .sessionIdentified("s2", user: "alice", at: at(400))])
            #expect(try await store.nameClaim("alice")?.lastUsed == at(1_000))
            let stands = try await store.claimNames([request("alice", Self.otherHash, at: 1_500, lapsedBefore: 999)])
            #expect(stands.first?.tokenHash == Self.aliceHash)
        }
    }

    /// Issue 21: `Alice`, `ALICE`, Cyrillic `аlice` and fullwidth `ａｌｉｃｅ` beside a claimed
    /// `alice` were each a claim of their own. Claims are keyed by skeleton; the listing keeps
    /// the form its owner typed.
    @Test(arguments: StoreKind.available)
    func lookAlikeNamesAreOneClaim(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.claimNames([request("alice", Self.aliceHash, at: 1)])
            for lookAlike in ["Alice", "ALICE", "\u{430}lice", "ａｌｉｃｅ"] {
                let claim = try await store.claimNames([request(lookAlike, Self.otherHash, at: 2)])
                #expect(claim.first?.tokenHash == Self.aliceHash, "\(lookAlike)")
                #expect(try await store.nameClaim(lookAlike)?.name == "alice", "\(lookAlike)")
            }
            #expect(try await store.nameClaims().map(\.name) == ["alice"])
            #expect(try await store.releaseNameClaim("ALICE"))
            #expect(try await store.nameClaim("alice") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func canonicallyEquivalentNamesAreOneClaim(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.claimNames([request("Ren\u{E9}e", Self.aliceHash, at: 1)])
            let decomposed = try await store.claimNames([request("Rene\u{301}e", Self.otherHash, at: 2)])
            #expect(decomposed.first?.tokenHash == Self.aliceHash)
            #expect(try await store.nameClaim("Rene\u{301}e")?.tokenHash == Self.aliceHash)
            #expect(try await store.nameClaims().count == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func releaseFreesTheNameAndListingShowsClaims(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.claimNames([
                request("zoe", Self.aliceHash, at: 1), request("adam", Self.otherHash, at: 2),
            ])
            #expect(try await store.nameClaims().map(\.name) == ["adam", "zoe"])
            #expect(try await store.releaseNameClaim("zoe"))
            #expect(try await store.releaseNameClaim("zoe") == false)
            #expect(try await store.nameClaim("zoe") == nil)
            let reclaimed = try await store.claimNames([request("zoe", Self.otherHash, at: 3)])
            #expect(reclaimed.first?.tokenHash == Self.otherHash)
        }
    }
}
