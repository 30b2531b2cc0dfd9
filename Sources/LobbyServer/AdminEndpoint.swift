import Foundation
import LobbyCore

/// How an operator reaches a running server: `POST /admin/kick` on the server's own port, only
/// from a loopback address and only with the bearer token the server wrote, at start-up, to a
/// file beside its database (mode 0600). `lobby-server kick` reads that file.
public struct AdminAccess: Codable, Sendable, Equatable {
    /// `http://HOST:PORT` of the running server.
    public var url: String
    public var token: String
    public var pid: Int32

    public init(url: String, token: String, pid: Int32) {
        self.url = url
        self.token = token
        self.pid = pid
    }

    /// `<database>.admin`.
    public static func path(forDatabase database: String) -> String {
        database + ".admin"
    }

    /// Reads the access file of the server running on `database`.
    public static func read(forDatabase database: String) throws -> AdminAccess {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(forDatabase: database)))
        return try JSONDecoder().decode(AdminAccess.self, from: data)
    }

    func write(forDatabase database: String) throws {
        let path = Self.path(forDatabase: database)
        let data = try JSONEncoder().encode(self)
        // Created owner-only before the token is in it.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteNoPermission) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    static func remove(forDatabase database: String) {
        try? FileManager.default.removeItem(atPath: path(forDatabase: database))
    }

    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

/// The body of `POST /admin/kick`: a user (all their sessions) or one session.
public struct KickRequest: Codable, Sendable, Equatable {
    public var user: String?
    public var session: String?

    public init(user: String? = nil, session: String? = nil) {
        self.user = user
        self.session = session
    }
}

/// The answer to a kick.
public struct KickResult: Codable, Sendable, Equatable {
    public var kicked: [String]
}

extension Lobby {
    /// Ends the matching sessions with reason `kicked` and closes them. Returns their ids.
    func kick(_ request: KickRequest) -> [SessionID] {
        let targets = sessions(matching: request)
        var kicked: [SessionID] = []
        for handle in targets where end(handle.id, reason: .kicked) {
            handle.terminate(reason: .kicked)
            kicked.append(handle.id)
        }
        return kicked
    }
}
