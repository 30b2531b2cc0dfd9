import Foundation
import GRDB
import LobbyCore

extension SQLiteStore {
    public func nameClaim(_ name: String) async throws -> NameClaimRecord? {
        try await database("reading a name claim") {
            try await pool.read { db in try Self.claim(NameClaimRecord.key(for: name), in: db) }
        }
    }

    public func claimNames(_ requests: [NameClaimRequest]) async throws -> [NameClaimRecord] {
        guard !requests.isEmpty else { return [] }
        return try await database("claiming names") {
            try await pool.write { db in
                try requests.map { request in
                    let key = NameClaimRecord.key(for: request.name)
                    // Takes the name when it is free or its claim lapsed; a claim in force stays.
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO name_claims (name, display_name, token_hash, claimed_at, last_used)
                            VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (name) DO UPDATE SET
                                display_name = excluded.display_name, token_hash = excluded.token_hash, claimed_at = excluded.claimed_at,
                                last_used = excluded.last_used
                            WHERE name_claims.last_used < ?
                            """
                    ).execute(arguments: [
                        key, request.name, Data(request.tokenHash), request.at.millisecondsSince1970,
                        request.at.millisecondsSince1970, request.lapsedBefore.millisecondsSince1970,
                    ])
                    guard let claim = try Self.claim(key, in: db) else {
                        throw StoreError(.missingResult)
                    }
                    return claim
                }
            }
        }
    }

    public func nameClaims() async throws -> [NameClaimRecord] {
        try await database("listing name claims") {
            try await pool.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM name_claims ORDER BY display_name").map(Self.claimRecord)
            }
        }
    }

    public func pruneSessions(endedBefore time: Timestamp) async throws -> Int {
        try await database("pruning ended sessions") {
            try await pool.write { db in
                try db.execute(
                    sql: "DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?",
                    arguments: [time.millisecondsSince1970])
                return db.changesCount
            }
        }
    }

    public func releaseNameClaim(_ name: String) async throws -> Bool {
        try await database("releasing a name claim") {
            try await pool.write { db in
                try db.execute(
                    sql: "DELETE FROM name_claims WHERE name = ?", arguments: [NameClaimRecord.key(for: name)])
                return db.changesCount > 0
            }
        }
    }

    /// Marks a claim used, inside an identity's transaction.
    static func touchNameClaim(_ user: String, at time: Timestamp, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE name_claims SET last_used = ? WHERE name = ? AND last_used < ?")
            .execute(arguments: [
                time.millisecondsSince1970, NameClaimRecord.key(for: user), time.millisecondsSince1970,
            ])
    }

    private static func claim(_ key: String, in db: Database) throws -> NameClaimRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM name_claims WHERE name = ?", arguments: [key]).map(claimRecord)
    }

    private static func claimRecord(_ row: Row) -> NameClaimRecord {
        NameClaimRecord(
            name: row["display_name"], tokenHash: Array(row["token_hash"] as Data),
            claimedAt: Timestamp(millisecondsSince1970: row["claimed_at"]),
            lastUsed: Timestamp(millisecondsSince1970: row["last_used"]))
    }
}
