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
            with the token the server wrote to <database>.admin). With a PostgreSQL URL it asks
            every live node of that lobby (each node advertises its endpoint in the database), so
            a user is kicked whichever nodes hold their sessions. Others see the user leave with
            reason `kicked`.
            """)

    @Argument(help: "The user name to kick.")
    var user: String?

    @Option(help: "Kick one session by id instead of a user.")
    var session: String?

    @OptionGroup var store: StoreOptions

    func validate() throws {
        guard (user == nil) != (session == nil) else {
            throw ValidationError("name either a user or --session")
        }
    }

    func run() async throws {
        let endpoints = try await store.location.isShared ? clusterEndpoints() : [localEndpoint()]
        let request = KickRequest(user: user, session: session)
        var kicked: [String] = []
        var failures: [String] = []
        for endpoint in endpoints {
            do {
                kicked += try await Self.kick(request, at: endpoint.url, token: endpoint.token)
            } catch {
                failures.append("\(endpoint.name): \(error)")
            }
        }
        if !failures.isEmpty, failures.count == endpoints.count {
            throw ValidationError("the server refused: \(failures.joined(separator: "; "))")
        }
        for failure in failures {
            FileHandle.standardError.write(Data("warning: \(failure)\n".utf8))
        }
        if kicked.isEmpty {
            print("no live session matched")
            throw ExitCode(1)
        }
        print("kicked \(kicked.count) session(s): \(kicked.joined(separator: ", "))")
    }

    private struct Endpoint {
        var name: String
        var url: String
        var token: String
    }

    /// The server running on a SQLite file (or a PostgreSQL database, from this directory's
    /// `.admin` file): the one it wrote at start-up.
    private func localEndpoint() throws -> Endpoint {
        let accessName = store.location.adminAccessName
        do {
            let access = try AdminAccess.read(forDatabase: accessName)
            return Endpoint(name: access.url, url: access.url, token: access.token)
        } catch {
            // A PostgreSQL URL is shown without its password.
            let shown: String
            switch store.location {
            case .sqlite(let path): shown = path
            case .postgres(let url): shown = url.description
            }
            throw ValidationError(
                "no running server found for \(shown) (\(AdminAccess.path(forDatabase: accessName)))")
        }
    }

    /// Every live node of the lobby on a PostgreSQL database, as they advertised themselves.
    private func clusterEndpoints() async throws -> [Endpoint] {
        guard case .postgres(let url) = store.location else { return [] }
        let (nodes, location) = try await store.location.withExistingPostgres(url, applicationName: "lobby-server kick")
        {
            store in (try await store.adminEndpoints(), store.url.description)
        }
        guard !nodes.isEmpty else {
            throw ValidationError("no live lobby-server node on \(location)")
        }
        return nodes.map { Endpoint(name: $0.node, url: $0.url, token: $0.token) }
    }

    private static func kick(_ request: KickRequest, at base: String, token: String) async throws -> [String] {
        guard let url = URL(string: base + "/admin/kick") else {
            throw ValidationError("bad server address \(base)")
        }
        var urlRequest = URLRequest(url: url)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.httpBody = try JSONEncoder().encode(request)
        let (data, response) = try await URLSession.shared.data(for: urlRequest)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw ValidationError(String(decoding: data, as: UTF8.self))
        }
        return try JSONDecoder().decode(KickResult.self, from: data).kicked
    }
}
