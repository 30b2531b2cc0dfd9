import Crypto
import LobbyCore
import LobbyStore
import Synchronization

/// Who may use a name: the first identity for a free name claims it and gets a secret; later
/// identities for the name must carry that secret (docs/protocol.md, "Name claims").
///
/// The store is the one truth (every node shares it), and it only holds the secret's SHA-256.
/// New claims that arrive together (a reconnect storm of new users) are written in one
/// transaction: ``claim(_:)`` gathers them while the previous batch is being written, like the
/// store writer's group commit.
final class NameClaims: Sendable {
    /// The answer to one identity.
    enum Decision: Sendable, Equatable {
        /// The name may be used. `newToken`: the secret of a claim just made, for the welcome.
        case granted(newToken: String?)
        /// The name is free and used without a claim (the session cannot learn a secret): it
        /// holds the name only until someone claims it.
        case grantedUnclaimed
        /// Someone else holds the name: no token, or a wrong one. (For a name that only
        /// earlier rules allowed: there is no claim the token opens.)
        case taken
        /// The address made too many new claims lately (``claimsPerAddress``).
        case rateLimited
        /// The store did not answer: nothing was decided.
        case unavailable
    }

    /// New claims per ``AddressBlock`` per hour.
    let claimsPerAddress: Int

    private typealias Waiter = (
        request: NameClaimRequest, continuation: CheckedContinuation<NameClaimRecord, any Error>
    )

    private struct Pending {
        var waiters: [Waiter] = []
        var isDraining = false
    }

    /// At most this many claims per transaction.
    static let maximumBatch = 512

    private let store: any LobbyStore
    /// A claim not used for this long lapses.
    let lifetimeMilliseconds: Int64
    private let pending = Mutex(Pending())
    /// New claims per address block. A leaf lock: nothing is taken under it.
    private let claimRates: Mutex<AddressRateLimiter>

    init(store: any LobbyStore, lifetimeMilliseconds: Int64, claimsPerAddressPerHour: Int = 10) {
        self.store = store
        self.lifetimeMilliseconds = lifetimeMilliseconds
        self.claimsPerAddress = claimsPerAddressPerHour
        self.claimRates = Mutex(AddressRateLimiter(limit: claimsPerAddressPerHour, periodMilliseconds: 3_600_000))
    }

    /// Decides whether `token` (from the identity, if any) lets this identity use `name`.
    ///
    /// - Parameter mayClaim: Whether a free name may be claimed: only a session that gets a
    ///   welcome can learn the secret, and a claim nobody knows the secret of would lock the
    ///   name for its whole lifetime. Without it a free name is used unclaimed.
    ///   - address: The peer's address: new claims are limited per ``AddressBlock``.
    ///   - existingClaimOnly: The name passed only the rules of an earlier version: it may be
    ///     used with the token of a claim made then, never claimed or used unclaimed.
    func decide(
        for name: UserName, token: String?, at now: Timestamp, mayClaim: Bool = true, address: String? = nil,
        existingClaimOnly: Bool = false
    ) async -> Decision {
        let lapsedBefore = Timestamp(millisecondsSince1970: now.millisecondsSince1970 - lifetimeMilliseconds)
        do {
            if let standing = try await store.nameClaim(name.rawValue), standing.isInForce(lapsedBefore: lapsedBefore) {
                return Self.opens(standing, with: token) ? .granted(newToken: nil) : .taken
            }
            if existingClaimOnly { return .taken }
            guard mayClaim else { return .grantedUnclaimed }
            if let block = address.flatMap(AddressBlock.init) {
                let time = UInt64(max(0, now.millisecondsSince1970))
                guard claimRates.withLock({ $0.take(block, now: time) }) else { return .rateLimited }
            }
            let newToken = ClaimToken.generate()
            let newHash = ClaimToken.hash(newToken)
            let claim = try await self.claim(
                NameClaimRequest(name: name.rawValue, tokenHash: newHash, at: now, lapsedBefore: lapsedBefore))
            if ClaimToken.constantTimeEqual(claim.tokenHash, newHash) {
                return .granted(newToken: newToken)
            }
            // Claimed by someone else between the read and the write (another node, or a
            // session of this one in the same batch).
            return Self.opens(claim, with: token) ? .granted(newToken: nil) : .taken
        } catch {
            return .unavailable
        }
    }

    private static func opens(_ claim: NameClaimRecord, with token: String?) -> Bool {
        guard let token, token.utf8.count <= ClaimToken.maximumLength else { return false }
        return ClaimToken.constantTimeEqual(ClaimToken.hash(token), claim.tokenHash)
    }

    /// Whether `name` has a claim in force now (nil: the store did not answer).
    func isClaimed(_ name: UserName, at now: Timestamp) async -> Bool? {
        let lapsedBefore = Timestamp(millisecondsSince1970: now.millisecondsSince1970 - lifetimeMilliseconds)
        do {
            return try await store.nameClaim(name.rawValue)?.isInForce(lapsedBefore: lapsedBefore) ?? false
        } catch {
            return nil
        }
    }

    /// Claims a name, in the next batch written.
    private func claim(_ request: NameClaimRequest) async throws -> NameClaimRecord {
        try await withCheckedThrowingContinuation { continuation in
            let startsDraining = pending.withLock { pending in
                pending.waiters.append((request, continuation))
                guard !pending.isDraining else { return false }
                pending.isDraining = true
                return true
            }
            if startsDraining {
                Task { await self.drain() }
            }
        }
    }

    /// Writes the waiting claims, batch after batch, until none is left.
    private func drain() async {
        while true {
            let batch = pending.withLock { pending -> [Waiter] in
                let batch = Array(pending.waiters.prefix(Self.maximumBatch))
                pending.waiters.removeFirst(batch.count)
                if batch.isEmpty { pending.isDraining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let claims = try await store.claimNames(batch.map(\.request))
                for (waiter, claim) in zip(batch, claims) {
                    waiter.continuation.resume(returning: claim)
                }
                for waiter in batch.dropFirst(claims.count) {
                    waiter.continuation.resume(
                        throwing: StoreError.database("claiming names", underlying: ClaimsMissing()))
                }
            } catch {
                for waiter in batch {
                    waiter.continuation.resume(throwing: error)
                }
            }
        }
    }

    private struct ClaimsMissing: Error {}
}

/// The secret of a name claim: 256 random bits, base64url without padding (43 characters).
enum ClaimToken {
    /// A longer token is wrong without hashing it.
    static let maximumLength = 256

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(bytes)
    }

    static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }

    /// Compares without stopping at the first difference, so timing tells nothing about where
    /// a guess went wrong.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var text: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value: UInt32 = 0
            for byte in chunk { value = value << 8 | UInt32(byte) }
            value <<= UInt32(8 * (3 - chunk.count))
            for position in 0...chunk.count {
                text.append(alphabet[Int((value >> UInt32(18 - 6 * position)) & 0x3F)])
            }
            index += 3
        }
        return String(decoding: text, as: UTF8.self)
    }
}
