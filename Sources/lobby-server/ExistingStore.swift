import ArgumentParser
import Foundation
import LobbyPostgres
import LobbyStore

/// Opens the store a running (or stopped) server uses, for an operator's command: SQLite or
/// PostgreSQL as `--database` says. Neither is created if missing, and no migration runs.
enum ExistingStore {
    static func with<T: Sendable>(
        _ database: String, applicationName: String, _ body: (any LobbyStore) async throws -> T
    ) async throws -> T {
        guard PostgresURL.isPostgresURL(database) else {
            guard FileManager.default.fileExists(atPath: database) else {
                throw ValidationError("no database at \(database)")
            }
            return try await body(try SQLiteStore(path: database))
        }
        return try await withPostgres(database, applicationName: applicationName, body)
    }

    /// A PostgreSQL store for the time of `body`, shut down after it whatever happens.
    static func withPostgres<T: Sendable>(
        _ url: String, applicationName: String, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        var options = PostgresStore.Options()
        options.migratesSchema = false
        options.minimumConnections = 0
        options.applicationName = applicationName
        let store = try await PostgresStore.open(url: url, options: options)
        do {
            let result = try await body(store)
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }
}
