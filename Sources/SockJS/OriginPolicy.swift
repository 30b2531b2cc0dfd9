/// Which web origins may open WebSocket upgrades and SockJS requests: what keeps another site's
/// page from using a visitor's browser to talk to the lobby (cross-site WebSocket hijacking).
///
/// Pure: the server passes the request's `Origin` and `Host` headers. A request without `Origin`
/// (terminal clients, stomp.py) is not a browser acting for some page, so it is always allowed.
///
/// The list (`--allowed-origins`) is comma-separated; each entry is
/// - `*`: every origin, `null` included (the behaviour before origins were checked);
/// - `self`: the origin the request was addressed to, `http` or `https` with the request's `Host`
///   (a `Host` without a port means the scheme's default port);
/// - `scheme://host[:port]`, where `port` may be `*` for any port and a missing port is the
///   scheme's default (`http` 80, `https` 443). Scheme and host compare case-insensitively.
///
/// `Origin: null` (sandboxed frames, `file:` pages) matches only `*`.
public struct OriginPolicy: Sendable, Equatable {
    public enum Entry: Sendable, Equatable {
        case any
        case sameHost
        case origin(WebOrigin, anyPort: Bool)
    }

    public let entries: [Entry]

    /// The default list: the server's own origin and local development pages.
    public static let defaultList = "self,http://localhost:*,http://127.0.0.1:*"
    public static let `default` = OriginPolicy(entries: [
        .sameHost,
        .origin(WebOrigin(scheme: "http", host: "localhost", port: nil), anyPort: true),
        .origin(WebOrigin(scheme: "http", host: "127.0.0.1", port: nil), anyPort: true),
    ])

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Parses an `--allowed-origins` list.
    public init(parsing list: String) throws(OriginPolicyError) {
        var entries: [Entry] = []
        for item in list.split(separator: ",") {
            let text = item.trimmingASCIISpaces()
            switch text.lowercased() {
            case "": continue
            case "*": entries.append(.any)
            case "self": entries.append(.sameHost)
            default:
                var anyPort = false
                var originText = Substring(text)
                if originText.hasSuffix(":*") {
                    anyPort = true
                    originText = originText.dropLast(2)
                }
                guard let origin = WebOrigin(parsing: originText), !(anyPort && origin.port != nil) else {
                    throw OriginPolicyError(entry: String(text))
                }
                entries.append(.origin(origin, anyPort: anyPort))
            }
        }
        guard !entries.isEmpty else { throw OriginPolicyError(entry: list) }
        self.entries = entries
    }

    /// True when every origin is allowed (`*`).
    public var allowsAnyOrigin: Bool { entries.contains(.any) }

    /// Whether a request with this `Origin` header, addressed to this `Host`, may proceed.
    public func allows(origin: String?, host: String?) -> Bool {
        guard let origin else { return true }
        if allowsAnyOrigin { return true }
        guard let parsed = WebOrigin(parsing: Substring(origin)) else { return false }
        return entries.contains { entry in
            switch entry {
            case .any:
                return true
            case .sameHost:
                guard parsed.scheme == "http" || parsed.scheme == "https", let host,
                    let target = HostHeader(parsing: Substring(host)), target.host == parsed.host
                else { return false }
                return (target.port ?? WebOrigin.defaultPort(of: parsed.scheme)) == parsed.effectivePort
            case .origin(let allowed, let anyPort):
                guard allowed.scheme == parsed.scheme, allowed.host == parsed.host else { return false }
                return anyPort || allowed.effectivePort == parsed.effectivePort
            }
        }
    }
}

public struct OriginPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let entry: String
    public var description: String {
        "not an origin: \"\(entry)\" (expected *, self, or scheme://host[:port] with port a number or *)"
    }
}

/// A serialised web origin, `scheme://host[:port]`, lower-cased; IPv6 hosts keep their brackets.
public struct WebOrigin: Sendable, Equatable {
    public let scheme: String
    public let host: String
    /// The explicit port, if the text had one.
    public let port: Int?

    public init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// `scheme://host[:port]` with nothing after it (an `Origin` header carries no path).
    public init?(parsing text: Substring) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon].lowercased()
        let rest = text[text.index(after: colon)...]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }),
            rest.hasPrefix("//"), let authority = HostHeader(parsing: rest.dropFirst(2))
        else { return nil }
        self.init(scheme: scheme, host: authority.host, port: authority.port)
    }

    /// The port a connection to this origin uses: the explicit one or the scheme's default.
    public var effectivePort: Int? { port ?? Self.defaultPort(of: scheme) }

    static func defaultPort(of scheme: String) -> Int? {
        switch scheme {
        case "http", "ws": 80
        case "https", "wss": 443
        default: nil
        }
    }
}

/// `host[:port]` as in a `Host` header or an origin's authority; `[v6]` hosts keep their brackets.
struct HostHeader: Equatable {
    let host: String
    let port: Int?

    init?(parsing text: Substring) {
        let text = Substring(text.lowercased())
        let host: Substring
        var rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[...close]
            rest = text[text.index(after: close)...]
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return nil
            }
        } else {
            let colon = text.firstIndex(of: ":") ?? text.endIndex
            host = text[..<colon]
            rest = text[colon...]
            guard host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
            else { return nil }
        }
        guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return nil }
        if rest.isEmpty {
            port = nil
        } else {
            guard rest.hasPrefix(":") else { return nil }
            rest = rest.dropFirst()
            guard (1...5).contains(rest.count), rest.allSatisfy({ $0.isASCII && $0.isNumber }),
                let number = Int(rest), number <= 65_535
            else { return nil }
            port = number
        }
        self.host = String(host)
    }
}

extension StringProtocol {
    fileprivate func trimmingASCIISpaces() -> String {
        let isSpace = { (character: Character) in character == " " || character == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
