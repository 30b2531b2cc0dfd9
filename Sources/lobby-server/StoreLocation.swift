import ArgumentParser
import Foundation
import LobbyPostgres
import LobbyServer
import LobbyStore
import Logging

/// Where the lobby's store lives, parsed once from `--database`: a SQLite file (the default,
/// `lobby.sqlite`) or a PostgreSQL URL. Every subcommand takes it through ``StoreOptions``; this
/// is the one place that tells the two apart and the one place that opens an adapter (the
/// composition root: `LobbyServer` itself knows only the `LobbyStore` and `SharedRoom` protocols).
enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    static let defaultSQLitePath = "lobby.sqlite"

    init(parsing text: String) throws(ValidationError) {
        guard PostgresURL.isPostgresURL(text) else {
            self = .sqlite(path: text)
            return
        }
        do {
            self = .postgres(try PostgresURL(parsing: text))
        } catch {
            throw ValidationError("--database: \(error)")
        }
    }

    var isShared: Bool {
        if case .postgres = self { true } else { false }
    }

    /// The name the running server's admin access file goes under (`NAME.admin`, see
    /// ``AdminAccess``): the SQLite path itself, or for PostgreSQL a file in the current
    /// directory named after the server and database (`lobby-postgres-HOST-PORT-DBNAME`), so the
    /// password never ends up in a file name.
    var adminAccessName: String {
        switch self {
        case .sqlite(let path):
            return path
        case .postgres(let url):
            let name = "\(url.host)-\(url.port)-\(url.database)".map { character in
                character.isASCII && (character.isLetter || character.isNumber || "._-".contains(character))
                    ? character : "_"
            }
            return "lobby-postgres-" + String(name)
        }
    }

    /// Opens the store a server runs on (created and migrated as needed) and builds the server
    /// on it; the store is shut down by the application when it stops.
    func buildServer(
        configuration: ServerConfiguration, logger: Logger, metricsText: (@Sendable () -> [UInt8])?
    ) async throws -> LobbyApplication {
        var configuration = configuration
        configuration.adminAccessName = adminAccessName
        switch self {
        case .sqlite(let path):
            return try await buildApplication(
                configuration: configuration, store: try SQLiteStore(path: path), logger: logger,
                metricsText: metricsText)
        case .postgres(let url):
            var options = PostgresStore.Options()
            options.nodeID = configuration.nodeID ?? defaultNodeID(port: configuration.port)
            options.leaseMilliseconds = configuration.nodeLeaseMilliseconds
            let store = try await PostgresStore.open(url, options: options, logger: logger)
            logger.info("store: PostgreSQL", metadata: ["database": "\(store.url)", "node": "\(store.nodeID)"])
            do {
                return try await buildApplication(
                    configuration: configuration, store: store, sharedRoom: store, logger: logger,
                    metricsText: metricsText)
            } catch {
                await store.shutdown()
                throw error
            }
        }
    }

    /// Opens the store a running (or stopped) server uses, for an operator's command. Neither
    /// adapter creates anything, and no migration runs.
    func withExistingStore<T: Sendable>(
        applicationName: String, _ body: (any LobbyStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("no database at \(path)")
            }
            return try await body(try SQLiteStore(path: path))
        case .postgres(let url):
            return try await withExistingPostgres(url, applicationName: applicationName, body)
        }
    }

    /// A PostgreSQL store for the time of `body`, shut down after it whatever happens.
    func withExistingPostgres<T: Sendable>(
        _ url: PostgresURL, applicationName: String, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        var options = PostgresStore.Options()
        options.migratesSchema = false
        options.minimumConnections = 0
        options.applicationName = applicationName
        let store = try await PostgresStore.open(url, options: options)
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

/// `--database`, shared by every subcommand.
struct StoreOptions: ParsableArguments {
    @Option(help: "SQLite database file, or a postgres://USER[:PASSWORD]@HOST:PORT/DBNAME URL.")
    var database = StoreLocation.defaultSQLitePath

    func validate() throws {
        _ = try StoreLocation(parsing: database)
    }

    /// The parsed location (``validate()`` ran before any `run()`).
    var location: StoreLocation {
        // swift-format-ignore: NeverForceUnwrap
        try! StoreLocation(parsing: database)
    }
}
