import GRDB
import LobbyCore

extension SQLiteStore {
    public func messages(before: Int64?, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return try await database("reading history") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, user_name, text, at FROM (
                            SELECT *, sum(length(CAST(text AS BLOB))) OVER (ORDER BY id DESC) AS running
                            FROM (
                                SELECT id, user_name, text, at FROM messages
                                WHERE to_user IS NULL AND id < ? ORDER BY id DESC LIMIT ?
                            )
                        )
                        WHERE running <= ?
                        ORDER BY id
                        """,
                    arguments: [before ?? Int64.max, limit, ReplyBudget.pageBytes]
                ).map(Self.chatMessage)
            }
        }
    }

    public func searchMessages(words: [String], limit: Int) async throws -> [ChatMessage] {
        guard limit > 0, !words.isEmpty else { return [] }
        // Per word: a prefix of a word (FTS5 `"word"*` on the word index), or for a word of a
        // script without spaces also a substring (the trigram index from 3 characters, `instr`
        // below that). Each word is an FTS5 string (quoted, quotes doubled): the user's text is
        // never FTS5 query syntax, so `AND`, `*` or a stray quote mean nothing special.
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        for word in words {
            let quoted = "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            var condition = "id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)"
            arguments.append((quoted + "*").databaseValue)
            if SearchWords.isUnspaced(word) {
                if word.count >= 3 {
                    condition += " OR id IN (SELECT rowid FROM messages_trgm WHERE messages_trgm MATCH ?)"
                    arguments.append(quoted.databaseValue)
                } else {
                    condition += " OR instr(lower(text), ?) > 0"
                    arguments.append(word.databaseValue)
                }
            }
            conditions.append("(" + condition + ")")
        }
        arguments += [limit.databaseValue, ReplyBudget.pageBytes.databaseValue]
        let statementArguments = StatementArguments(arguments)
        let filter = conditions.joined(separator: " AND ")
        return try await database("searching messages") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, user_name, text, at FROM (
                            SELECT *, sum(length(CAST(text AS BLOB))) OVER (ORDER BY id DESC) AS running
                            FROM (
                                SELECT id, user_name, text, at FROM messages
                                WHERE to_user IS NULL AND \(filter) ORDER BY id DESC LIMIT ?
                            )
                        )
                        WHERE running <= ?
                        ORDER BY id DESC
                        """,
                    arguments: statementArguments
                ).map(Self.chatMessage)
            }
        }
    }

    public func directMessages(of user: String, limit: Int) async throws -> [ChatMessage] {
        guard limit > 0 else { return [] }
        return try await database("reading private messages") {
            try await pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM (
                            SELECT id, user_name, text, at, to_user FROM messages
                            WHERE to_user = ? OR (to_user IS NOT NULL AND user_name = ?)
                            ORDER BY id DESC LIMIT ?
                        )
                        ORDER BY id
                        """,
                    arguments: [user, user, limit]
                ).map(Self.chatMessage)
            }
        }
    }

    public func awayStatuses() async throws -> [String: String] {
        try await database("reading away statuses") {
            try await pool.read { db in
                var statuses: [String: String] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT user_name, away FROM user_status") {
                    statuses[row["user_name"]] = row["away"]
                }
                return statuses
            }
        }
    }

    private static func chatMessage(_ row: Row) -> ChatMessage {
        ChatMessage(
            id: row["id"], user: row["user_name"], text: row["text"],
            at: Timestamp(millisecondsSince1970: row["at"]), to: row["to_user"])
    }
}
