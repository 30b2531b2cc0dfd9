import LobbyCore
import LobbyStore
import NIOCore
import PostgresNIO

/// Name claims in PostgreSQL: one table every node shares, so a name claimed on one node is
/// claimed on all of them. Claims take no room lock: they are not part of the room's order.
extension PostgresStore {
    public func nameClaim(_ name: String) async throws -> NameClaimRecord? {
        let key = storable(NameClaimRecord.key(for: name))
        return try await database("reading a name claim") { [client, logger] in
            let rows = try await client.query(
                "SELECT display_name, token_hash, claimed_at, last_used FROM name_claims WHERE name = \(key)",
                logger: logger
            ).collect()
            return try rows.first.map(Self.claimRecord)
        }
    }

    public func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord] {
        guard !requests.isEmpty else { return [] }
        return try await database("claiming names") { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                var claims: [NameClaimRecord] = []
                for request in requests {
                    let key = storable(NameClaimRecord.key(for: request.name))
                    let display = storable(request.name)
                    let at = request.at.millisecondsSince1970
                    // Takes the name when it is free or its claim lapsed; a claim in force stays.
                    // The row lock of the conflicting row serialises nodes claiming one name.
                    let rows = try await connection.query(
                        """
                        WITH claimed AS (
                            INSERT INTO name_claims (name, display_name, token_hash, claimed_at, last_used)
                            VALUES (\(key), \(display), \(ByteBuffer(bytes: request.tokenHash)), \(at), \(at))
                            ON CONFLICT (name) DO UPDATE SET
                                display_name = excluded.display_name, token_hash = excluded.token_hash, claimed_at = excluded.claimed_at,
                                last_used = excluded.last_used
                            WHERE name_claims.last_used < \(request.lapsedBefore.millisecondsSince1970)
                            RETURNING display_name, token_hash, claimed_at, last_used
                        )
                        SELECT display_name, token_hash, claimed_at, last_used FROM claimed
                        UNION ALL
                        SELECT display_name, token_hash, claimed_at, last_used FROM name_claims
                        WHERE name = \(key) AND NOT EXISTS (SELECT 1 FROM claimed)
                        """, logger: logger
                    ).collect()
                    guard let row = rows.first else { throw PostgresStoreError.missingClaim(name: request.name) }
                    claims.append(try Self.claimRecord(row))
                }
                return claims
            }
        }
    }

    public func nameClaims() async throws -> [NameClaimRecord] {
        try await database("listing name claims") { [client, logger] in
            try await client.query(
                "SELECT display_name, token_hash, claimed_at, last_used FROM name_claims ORDER BY display_name",
                logger: logger
            ).collect().map(Self.claimRecord)
        }
    }

    public func pruneSessions(endedBefore time: Timestamp) async throws -> Int {
        try await database("pruning ended sessions") { [client, logger] in
            try await client.query(
                "DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < \(time.millisecondsSince1970) RETURNING 1",
                logger: logger
            ).collect().count
        }
    }

    public func releaseNameClaim(_ name: String) async throws -> Bool {
        let key = storable(NameClaimRecord.key(for: name))
        return try await database("releasing a name claim") { [client, logger] in
            let rows = try await client.query(
                "DELETE FROM name_claims WHERE name = \(key) RETURNING name", logger: logger
            ).collect()
            return !rows.isEmpty
        }
    }

    private static func claimRecord(_ row: PostgresRow) throws -> NameClaimRecord {
        let (name, hash, claimedAt, lastUsed) = try row.decode((String, ByteBuffer, Int64, Int64).self)
        return NameClaimRecord(
            name: name, tokenHash: Array(hash.readableBytesView),
            claimedAt: Timestamp(millisecondsSince1970: claimedAt), lastUsed: Timestamp(millisecondsSince1970: lastUsed)
        )
    }
}
