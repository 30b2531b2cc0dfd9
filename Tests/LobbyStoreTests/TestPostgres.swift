import Foundation
import Logging
import PostgresNIO
import Testing

@testable import LobbyPostgres

/// The PostgreSQL server of this test run, named by `LOBBY_TEST_POSTGRES_URL`, and a fresh
/// database on it for each test, so tests run in parallel without seeing each other.
enum TestPostgres {
    static let variable = "LOBBY_TEST_POSTGRES_URL"

    /// The URL from the environment: `nil` when unset, an error when it does not parse (then
    /// every PostgreSQL test fails with that error rather than being skipped).
    static let configured: Result<PostgresURL, PostgresURLError>? = {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return Result { () throws(PostgresURLError) in try PostgresURL(parsing: text) }
    }()

    /// Quiet: the stores' notices (schema migrated…) would bury the test output.
    static let logger = Logger(label: "lobby.tests.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs `body` with the URL of a new, empty database, dropped afterwards (whatever `body` did).
    static func withDatabase<T>(_ body: (PostgresURL) async throws -> T) async throws -> T {
        guard let configured else { throw MissingServer() }
        let base = try configured.get()
        let name = "lobby_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try await execute("CREATE DATABASE \(unescaped: name)", on: base)
        let result: T
        do {
            result = try await body(base.with(database: name))
        } catch {
            try? await execute("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", on: base)
            throw error
        }
        try await execute("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", on: base)
        return result
    }

    /// Runs one statement on its own connection to `url`'s database (outside any store).
    static func execute(_ query: PostgresQuery, on url: PostgresURL) async throws {
        _ = try await rows(query, on: url)
    }

    /// The rows of one query on its own connection to `url`'s database.
    static func rows(_ query: PostgresQuery, on url: PostgresURL) async throws -> [PostgresRow] {
        let connection = try await PostgresConnection.connect(
            configuration: PostgresStore.connectionConfiguration(url, options: .init()), id: 1, logger: logger)
        do {
            let rows = try await connection.query(query, logger: logger).collect()
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }

    struct MissingServer: Error, CustomStringConvertible {
        var description: String { "\(TestPostgres.variable) is not set" }
    }
}

/// Says, as a skipped test with a note, when the PostgreSQL cases are left out, and fails when
/// the configured server cannot be reached.
@Suite("PostgreSQL test server")
struct PostgresAvailabilityTests {
    @Test(
        .enabled(
            if: TestPostgres.configured != nil,
            "LOBBY_TEST_POSTGRES_URL is not set: the PostgreSQL store tests are skipped (make test starts a private server)"
        ))
    func serverIsReachable() async throws {
        let url = try #require(try TestPostgres.configured?.get())
        let rows = try await TestPostgres.rows("SELECT 1", on: url)
        #expect(try rows.map { try $0.decode(Int32.self) } == [1])
    }
}
