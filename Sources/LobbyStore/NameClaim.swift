import Foundation
import LobbyCore

/// A name's claim as stored: whoever holds the secret whose hash is here may use the name.
///
/// Only the SHA-256 of the secret is kept, so a copy of the database does not let anyone speak
/// as someone else. `lastUsed` moves on every identity with the name; a claim not used for the
/// server's `--name-claim-days` lapses and the name is free again.
public struct NameClaimRecord: Sendable, Equatable, Codable {
    /// The claimed name as its owner typed it when claiming (claims are looked up by
    /// ``NameClaimRecord/key(for:)``, its skeleton).
    public var name: String
    /// SHA-256 of the secret (32 bytes).
    public var tokenHash: [UInt8]
    public var claimedAt: Timestamp
    public var lastUsed: Timestamp

    public init(name: String, tokenHash: [UInt8], claimedAt: Timestamp, lastUsed: Timestamp) {
        self.name = name
        self.tokenHash = tokenHash
        self.claimedAt = claimedAt
        self.lastUsed = lastUsed
    }

    /// The form a name is claimed under: its skeleton (``NameSkeleton``), so `alice`, `Alice`,
    /// Cyrillic `аlice` and `e` + U+0301 against precomposed `é` are one claim in every store,
    /// as ``UserName`` compares them.
    public static func key(for name: String) -> String {
        NameSkeleton.of(name)
    }

    /// Of several claims whose names now share one key (claimed before keys were skeletons),
    /// the one that stays: the most recently used, then the oldest claim. The migration to
    /// skeleton keys keeps it in every store.
    public static func survivor(of claims: [NameClaimRecord]) -> NameClaimRecord? {
        claims.min { lhs, rhs in
            lhs.lastUsed != rhs.lastUsed ? lhs.lastUsed > rhs.lastUsed : lhs.claimedAt < rhs.claimedAt
        }
    }

    /// Whether the claim still holds at a time when claims last used before `lapsedBefore` have
    /// lapsed.
    public func isInForce(lapsedBefore: Timestamp) -> Bool {
        lastUsed >= lapsedBefore
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case claimedAt
        case lastUsed
    }

    /// The hash stays out of listings (`lobby-server names --json`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        claimedAt = try container.decode(Timestamp.self, forKey: .claimedAt)
        lastUsed = try container.decode(Timestamp.self, forKey: .lastUsed)
        tokenHash = []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(claimedAt, forKey: .claimedAt)
        try container.encode(lastUsed, forKey: .lastUsed)
    }
}

/// A request to claim a name that had no claim in force when it was read.
public struct NameClaimRequest: Sendable, Equatable {
    /// The name as the user typed it (validated); the store claims ``NameClaimRecord/key(for:)``.
    public var name: String
    /// SHA-256 of the new secret.
    public var tokenHash: [UInt8]
    public var at: Timestamp
    /// Claims last used before this have lapsed and may be taken over.
    public var lapsedBefore: Timestamp

    public init(name: String, tokenHash: [UInt8], at: Timestamp, lapsedBefore: Timestamp) {
        self.name = name
        self.tokenHash = tokenHash
        self.at = at
        self.lapsedBefore = lapsedBefore
    }
}
