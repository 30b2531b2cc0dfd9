import LobbyCore
import LobbyStore
import PostgresNIO

/// History on demand, search (PostgreSQL full-text search with the `simple` configuration:
/// lowercased whole words, no stemming, as SQLite's FTS5 matches), private messages and away.
extension PostgresStore {
    public func messages(before: Int64?, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        let before = before ?? Int64.max
        return try await database("reading history") { [client, logger] in
            try await client.query(
                """
                SELECT id, user_name, text, at FROM (
                    SELECT *, sum(octet_length(text)) OVER (ORDER BY id DESC) AS running FROM (
                        SELECT id, user_name, text, at FROM messages
                        WHERE to_user IS NULL AND id < \(before) ORDER BY id DESC LIMIT \(limit)
                    ) AS page
                ) AS counted
                WHERE running <= \(ReplyBudget.pageBytes)
                ORDER BY id
                """, logger: logger
            ).collect().map(Self.chatMessage)
        }
    }

    public func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage] {
        guard limit > 0, !words.isEmpty else { return [] }
        // Per word: a prefix of a word (`'word':*` in a tsquery against the word index; words are
        // letters and digits only, so they carry no tsquery syntax), or for a word of a script
        // without spaces also a substring (`LIKE '%word%'` on lower(text), which the pg_trgm
        // index serves when the extension could be installed, see migration 7).
        var binds = PostgresBindings()
        var conditions: [String] = []
        for word in words {
            binds.append("'" + storable(word) + "':*")
            var condition = "to_tsvector('simple', text) @@ to_tsquery('simple', $\(binds.count))"
            if SearchWords.isUnspaced(word) {
                binds.append("%" + storable(word) + "%")
                condition += " OR lower(text) LIKE $\(binds.count)"
            }
            conditions.append("(" + condition + ")")
        }
        binds.append(Int64(limit))
        let limitIndex = binds.count
        binds.append(Int64(ReplyBudget.pageBytes))
        let budgetIndex = binds.count
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT id, user_name, text, at FROM (
                    SELECT *, sum(octet_length(text)) OVER (ORDER BY id DESC) AS running FROM (
                        SELECT id, user_name, text, at FROM messages
                        WHERE to_user IS NULL AND \(conditions.joined(separator: " AND "))
                        ORDER BY id DESC LIMIT $\(limitIndex)
                    ) AS found
                ) AS counted
                WHERE running <= $\(budgetIndex)
                ORDER BY id DESC
                """, binds: binds)
        return try await database("searching messages") { [client, logger] in
            try await client.query(query, logger: logger).collect().map(Self.chatMessage)
        }
    }

    public func directMessages(of user: String, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        let user = storable(user)
        return try await database("reading private messages") { [client, logger] in
            try await client.query(
                """
                SELECT id, user_name, text, at, to_user FROM (
                    SELECT id, user_name, text, at, to_user FROM messages
                    WHERE to_user = \(user) OR (to_user IS NOT NULL AND user_name = \(user))
                    ORDER BY id DESC LIMIT \(limit)
                ) AS recent
                ORDER BY id
                """, logger: logger
            ).collect().map { row in
                let (id, from, text, at, to) = try row.decode((Int64, String, String, Int64, String?).self)
                return ChatMessage(id: id, user: from, text: text, at: Timestamp(millisecondsSince1970: at), to: to)
            }
        }
    }

    public func awayStatuses() async throws -> [String: String] {
        try await database("reading away statuses") { [client, logger] in
            var statuses: [String: String] = [:]
            for row in try await client.query("SELECT user_name, away FROM user_status", logger: logger).collect() {
                let (user, away) = try row.decode((String, String).self)
                statuses[user] = away
            }
            return statuses
        }
    }
}
