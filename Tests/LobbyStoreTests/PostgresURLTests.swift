import LobbyPostgres
import Testing

/// `--database postgres://…`: what parses, what does not, and what the errors say.
@Suite("PostgresURL")
struct PostgresURLTests {
    @Test func fullURLParses() throws {
        let url = try PostgresURL(parsing: "postgres://alice:s3cret@db.example.org:6543/lobby?sslmode=require")
        #expect(
            url
                == PostgresURL(
                    user: "alice", password: "s3cret", host: "db.example.org", port: 6543, database: "lobby",
                    sslMode: .require))
    }

    @Test func defaultsArePort5432AndSSLModePrefer() throws {
        let url = try PostgresURL(parsing: "postgresql://lobby@localhost/chat")
        #expect(url.port == 5432)
        #expect(url.sslMode == .prefer)
        #expect(url.password == nil)
    }

    @Test(arguments: ["postgres://u@h/d", "postgresql://u@h/d", "POSTGRES://u@h/d", "PostgreSQL://u@h/d"])
    func bothSchemesInAnyCaseAreURLs(text: String) throws {
        #expect(PostgresURL.isPostgresURL(text))
        #expect(try PostgresURL(parsing: text).database == "d")
    }

    @Test(arguments: ["lobby.sqlite", "/var/lib/lobby/lobby.sqlite", "postgres.sqlite", "postgres:/x", "mysql://u@h/d"])
    func anythingElseIsASQLitePath(text: String) {
        #expect(!PostgresURL.isPostgresURL(text))
    }

    @Test func percentEscapesAreDecodedAndAtInAPasswordWorks() throws {
        let url = try PostgresURL(parsing: "postgres://b%C3%B6b:p%40ss@w:rd@127.0.0.1:5433/my%20db?sslmode=disable")
        #expect(url.user == "böb")
        #expect(url.password == "p@ss@w:rd")
        #expect(url.host == "127.0.0.1")
        #expect(url.database == "my db")
    }

    @Test func ipv6HostsAreBracketed() throws {
        let url = try PostgresURL(parsing: "postgres://u@[::1]:5544/d")
        #expect(url.host == "::1")
        #expect(url.port == 5544)
        #expect(url.description == "postgres://u@[::1]:5544/d?sslmode=prefer")
    }

    @Test func descriptionHidesThePasswordAndURLStringKeepsIt() throws {
        let url = try PostgresURL(parsing: "postgres://alice:top%2Fsecret@h:1/d?sslmode=disable")
        #expect(url.description == "postgres://alice:***@h:1/d?sslmode=disable")
        #expect(!url.description.contains("secret"))
        #expect(try PostgresURL(parsing: url.urlString) == url)
    }

    @Test func withDatabaseKeepsEverythingElse() throws {
        let url = try PostgresURL(parsing: "postgres://alice:pw@h:1/d?sslmode=disable")
        #expect(
            url.with(database: "other")
                == PostgresURL(user: "alice", password: "pw", host: "h", port: 1, database: "other", sslMode: .disable))
    }

    @Test(
        arguments: [
            ("sqlite://u@h/d", "it must start with postgres:// or postgresql://"),
            ("postgres://u@h", "it names no database"),
            ("postgres://u@h:5432/", "it names no database"),
            ("postgres://h:5432/d", "it names no user"),
            ("postgres://@h/d", "it names no user"),
            ("postgres://:pw@h/d", "it names no user"),
            ("postgres://u@/d", "it names no host"),
            ("postgres://u@:5432/d", "it names no host"),
            ("postgres://u@h:port/d", "the port 'port' is not a number from 1 to 65535"),
            ("postgres://u@h:0/d", "the port '0' is not a number from 1 to 65535"),
            ("postgres://u@h:70000/d", "the port '70000' is not a number from 1 to 65535"),
            ("postgres://u@[::1/d", "the IPv6 host '[::1' has no closing ']'"),
            ("postgres://u@h/d/e", "the database name 'd/e' contains a '/'"),
            ("postgres://u@h/d%zz", "the database name has a bad percent escape"),
            ("postgres://u:%ff@h/d", "the password is not UTF-8 once decoded"),
            (
                "postgres://u@h/d?sslmode=verify-ca",
                "sslmode 'verify-ca' is not one of disable, prefer, require, verify-full"
            ),
            ("postgres://u@h/d?sslmode=", "sslmode '' is not one of disable, prefer, require, verify-full"),
            ("postgres://u@h/d?connect_timeout=5", "unknown parameter 'connect_timeout' (only sslmode is understood)"),
            ("postgres://u@h/d#x", "a fragment (#…) has no meaning here"),
        ])
    func invalidURLsSayWhatIsWrong(text: String, reason: String) {
        #expect {
            try PostgresURL(parsing: text)
        } throws: { error in
            guard let error = error as? PostgresURLError else { return false }
            return error.reason.hasPrefix(reason) && "\(error)".hasPrefix("invalid PostgreSQL URL: \(reason)")
        }
    }

    @Test func errorsNeverShowThePassword() {
        #expect {
            try PostgresURL(parsing: "postgres://u:hunter2@h:99999/d")
        } throws: { error in
            !"\(error)".contains("hunter2")
        }
    }
}
