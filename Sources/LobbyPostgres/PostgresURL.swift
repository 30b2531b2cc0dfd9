/// Where a ``PostgresStore`` connects: a `postgres://` or `postgresql://` URL, parsed.
///
/// ```
/// postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=disable|prefer|require|verify-full]
/// ```
///
/// User, password and database name may be percent-encoded (`%40` for `@`). An IPv6 host is
/// written in brackets (`[::1]`). The port defaults to 5432 and `sslmode` to `prefer`, as with
/// libpq. ``description`` never shows the password, so the URL can go into logs and errors.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// How the connection uses TLS, named as libpq's `sslmode`.
    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS if the server offers it, plain TCP otherwise; the certificate is not verified.
        case prefer
        /// TLS or fail; the certificate is not verified (it encrypts, it does not authenticate).
        case require
        /// TLS or fail, with the certificate verified against the system's trust roots and the host name.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var sslMode: SSLMode

    public init(
        user: String, password: String? = nil, host: String, port: Int = 5432, database: String,
        sslMode: SSLMode = .prefer
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.sslMode = sslMode
    }

    /// Whether `string` is meant as a PostgreSQL URL rather than a SQLite path: it starts with
    /// `postgres://` or `postgresql://` (any case). Such a string that does not parse is an
    /// error, never a file name.
    public static func isPostgresURL(_ string: String) -> Bool {
        scheme(of: string) != nil
    }

    /// Parses a URL; the error says what is wrong with it.
    public init(parsing string: String) throws(PostgresURLError) {
        guard let scheme = Self.scheme(of: string) else {
            throw PostgresURLError("it must start with postgres:// or postgresql://")
        }
        var rest = Substring(string.dropFirst(scheme.count))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.contains("#") {
            throw PostgresURLError("a fragment (#…) has no meaning here")
        }
        guard let slash = rest.firstIndex(of: "/") else {
            throw PostgresURLError("it names no database (postgres://USER@HOST:PORT/DBNAME)")
        }
        let authority = rest[..<slash]
        let path = rest[rest.index(after: slash)...]

        // The last @ separates the user part, so an unencoded @ in a password still works.
        guard let at = authority.lastIndex(of: "@") else {
            throw PostgresURLError("it names no user (postgres://USER@HOST:PORT/DBNAME)")
        }
        let userInfo = authority[..<at]
        let hostAndPort = authority[authority.index(after: at)...]

        var userPart = userInfo
        var passwordPart: Substring?
        if let colon = userInfo.firstIndex(of: ":") {
            userPart = userInfo[..<colon]
            passwordPart = userInfo[userInfo.index(after: colon)...]
        }
        let user = try Self.decode(userPart, what: "user")
        guard !user.isEmpty else {
            throw PostgresURLError("it names no user (postgres://USER@HOST:PORT/DBNAME)")
        }
        var password: String?
        if let passwordPart {
            password = try Self.decode(passwordPart, what: "password")
        }

        let (host, port) = try Self.hostAndPort(hostAndPort)

        guard !path.isEmpty else {
            throw PostgresURLError("it names no database (postgres://USER@HOST:PORT/DBNAME)")
        }
        guard !path.contains("/") else {
            throw PostgresURLError("the database name '\(path)' contains a '/'")
        }
        let database = try Self.decode(path, what: "database name")

        var sslMode = SSLMode.prefer
        for parameter in query.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = try Self.decode(pair[0], what: "parameter name")
            let value = try pair.count > 1 ? Self.decode(pair[1], what: "parameter value") : ""
            switch name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let known = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresURLError("sslmode '\(value)' is not one of \(known)")
                }
                sslMode = mode
            default:
                throw PostgresURLError("unknown parameter '\(name)' (only sslmode is understood)")
            }
        }
        self.init(user: user, password: password, host: host, port: port, database: database, sslMode: sslMode)
    }

    /// The URL with the password replaced by `***`.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let passwordPart = password == nil ? "" : ":***"
        return "postgres://\(Self.encode(user))\(passwordPart)@\(hostPart):\(port)/\(Self.encode(database))"
            + "?sslmode=\(sslMode.rawValue)"
    }

    /// The same place with another database name: tests make one database per test this way.
    public func with(database: String) -> PostgresURL {
        var copy = self
        copy.database = database
        return copy
    }

    /// The full URL, password included, for handing to another process.
    public var urlString: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let passwordPart = password.map { ":" + Self.encode($0) } ?? ""
        return "postgres://\(Self.encode(user))\(passwordPart)@\(hostPart):\(port)/\(Self.encode(database))"
            + "?sslmode=\(sslMode.rawValue)"
    }

    private static func scheme(of string: String) -> String? {
        let lowered = string.prefix(13).lowercased()
        for scheme in ["postgresql://", "postgres://"] where lowered.hasPrefix(scheme) {
            return scheme
        }
        return nil
    }

    private static func hostAndPort(_ text: Substring) throws(PostgresURLError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw PostgresURLError("the IPv6 host '\(text)' has no closing ']'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else {
                    throw PostgresURLError("unexpected '\(after)' after the host")
                }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            host = text
        }
        guard !host.isEmpty else {
            throw PostgresURLError("it names no host (postgres://USER@HOST:PORT/DBNAME)")
        }
        var port = 5432
        if let portText {
            guard let value = Int(portText), (1...65_535).contains(value) else {
                throw PostgresURLError("the port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }
        return (try decode(host, what: "host"), port)
    }

    /// Percent-decodes one component as UTF-8.
    private static func decode(_ text: Substring, what: String) throws(PostgresURLError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            let digits = utf8.prefix(2)
            guard digits.count == 2, let value = UInt8(String(decoding: digits, as: UTF8.self), radix: 16) else {
                throw PostgresURLError("the \(what) has a bad percent escape")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PostgresURLError("the \(what) is not UTF-8 once decoded")
        }
        return decoded
    }

    /// Percent-encodes what would not survive parsing back (`@ : / ? # % [ ]`, spaces, controls).
    private static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            let reserved = "@:/?#%[]& ".unicodeScalars.contains(scalar)
            if byte < 0x21 || byte >= 0x7F || reserved {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// A `--database postgres://…` value that is not a usable URL; `description` says why.
public struct PostgresURLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String {
        "invalid PostgreSQL URL: \(reason) (expected postgres://USER[:PASSWORD]@HOST:PORT/DBNAME[?sslmode=disable])"
    }
}
