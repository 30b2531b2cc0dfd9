import ArgumentParser
import Foundation
import LobbyPostgres
import LobbyServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct Kick: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a user (all their sessions) or one session from the running server.",
        discussion: """
            Talks to the server running on --database through its admin endpoint (loopback only,
            with the token the server wrote to <database>.admin). Others see the user leave with
            reason `kicked`.
            """)

    @Argument(help: "The user name to kick.")
    var user: String?

    @Option(help: "Kick one session by id instead of a user.")
    var session: String?

    @Option(help: "SQLite database file, or the postgres:// URL, of the running server.")
    var database = "lobby.sqlite"

    func validate() throws {
        guard (user == nil) != (session == nil) else {
            throw ValidationError("name either a user or --session")
        }
        try validateDatabaseOption(database)
    }

    func run() async throws {
        let access: AdminAccess
        let accessName = adminAccessName(forDatabase: database)
        do {
            access = try AdminAccess.read(forDatabase: accessName)
        } catch {
            // A PostgreSQL URL is shown without its password.
            let shown = (try? PostgresURL(parsing: database)).map(\.description) ?? database
            throw ValidationError(
                "no running server found for \(shown) (\(AdminAccess.path(forDatabase: accessName)))")
        }
        guard let url = URL(string: access.url + "/admin/kick") else {
            throw ValidationError("bad server address in \(AdminAccess.path(forDatabase: accessName))")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("Bearer \(access.token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(KickRequest(user: user, session: session))
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw ValidationError("the server refused: \(String(decoding: data, as: UTF8.self))")
        }
        let result = try JSONDecoder().decode(KickResult.self, from: data)
        if result.kicked.isEmpty {
            print("no live session matched")
            throw ExitCode(1)
        }
        print("kicked \(result.kicked.count) session(s): \(result.kicked.joined(separator: ", "))")
    }
}
