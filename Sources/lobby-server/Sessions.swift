import ArgumentParser
import Foundation
import LobbyCore
import LobbyStore

struct Sessions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show who is connected and, with --all, how recent sessions ended.")

    @OptionGroup var store: StoreOptions

    @Flag(help: "Include recently ended sessions with their leave reasons.")
    var all = false

    @Option(help: "At most this many rows.")
    var limit = 100

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let records = try await readSessions()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
            return
        }
        print(SessionTable.render(records))
    }
}

extension Sessions {
    /// The rows, from SQLite or PostgreSQL as `--database` says; neither is created if missing.
    private func readSessions() async throws -> [SessionRecord] {
        try await store.location.withExistingStore(applicationName: "lobby-server sessions") { [all, limit] store in
            try await store.sessions(includeEnded: all, limit: limit)
        }
    }
}

/// Fixed-width text table of session rows.
enum SessionTable {
    static func render(_ records: [SessionRecord]) -> String {
        // A NODE column only when several nodes share the store (PostgreSQL).
        let showsNode = records.contains { $0.node != nil }
        let header =
            ["SESSION", "USER"] + (showsNode ? ["NODE"] : [])
            + ["TRANSPORT", "REMOTE", "CONNECTED", "ENDED", "REASON"]
        let rows = records.map { record in
            [record.id, record.user ?? "-"] + (showsNode ? [record.node ?? "-"] : [])
                + [
                    record.transport, record.remoteAddress ?? "-", record.connectedAt.iso8601,
                    record.endedAt?.iso8601 ?? "-", record.reason?.rawValue ?? "open",
                ]
        }
        guard !rows.isEmpty else { return "no sessions" }
        return TextTable.render(header: header, rows: rows)
    }
}
