/// Which `Host` headers the server answers, and which of them name the server itself.
///
/// DNS rebinding: a page at `http://evil:8080` whose name is made to resolve to 127.0.0.1
/// sends `Host: evil:8080` and `Origin: http://evil:8080`. If "the server's own origin" were
/// read from the request's `Host`, that page would pass as the server's own. So the server's
/// own hosts are configured (`--public-url`, the listen address, `localhost`, `127.0.0.1`,
/// `[::1]`, `--allowed-hosts`), a request for any other host is refused (421), and only a
/// `Host` that is one of them can make `self` match in ``OriginPolicy``.
public struct HostPolicy: Sendable, Equatable {
    /// Lower-cased hosts (IPv6 in brackets) answered; nil: any host (a wildcard listen
    /// address with no `--allowed-hosts` or `--public-url`: the operator named no host).
    public let allowedHosts: Set<String>?

    /// - Parameters:
    ///   - listenHost: `--host`. A wildcard (`0.0.0.0`, `::`) names no host.
    ///   - publicHost: the host of `--public-url`, if given.
    ///   - extraHosts: `--allowed-hosts`.
    public init(listenHost: String, publicHost: String?, extraHosts: [String]) {
        let wildcard = ["0.0.0.0", "::", "[::]", "*", ""].contains(listenHost)
        if wildcard, publicHost == nil, extraHosts.isEmpty {
            allowedHosts = nil
            return
        }
        var hosts: Set<String> = ["localhost", "127.0.0.1", "[::1]"]
        for host in [wildcard ? nil : listenHost, publicHost].compactMap({ $0 }) + extraHosts {
            hosts.insert(Self.normalized(host))
        }
        allowedHosts = hosts
    }

    /// Answers any host (tests, and the behaviour before this policy).
    public static let any = HostPolicy(allowedHosts: nil)

    private init(allowedHosts: Set<String>?) {
        self.allowedHosts = allowedHosts
    }

    /// Whether a request with this `Host` header may be answered. A request without one
    /// (HTTP/1.0) may: it cannot be a browser's rebinding attack, browsers always send it.
    public func allows(hostHeader: String?) -> Bool {
        guard let allowedHosts, let hostHeader else { return true }
        guard let parsed = HostHeader(parsing: Substring(hostHeader)) else { return false }
        return allowedHosts.contains(parsed.host)
    }

    /// The `Host` header to judge `self` origins by: the header when it names one of the
    /// server's own hosts, else nil (so `self` matches nothing).
    public func selfHost(_ hostHeader: String?) -> String? {
        guard let allowedHosts, let hostHeader, let parsed = HostHeader(parsing: Substring(hostHeader)) else {
            return nil
        }
        return allowedHosts.contains(parsed.host) ? hostHeader : nil
    }

    static func normalized(_ host: String) -> String {
        let lower = host.lowercased()
        if lower.contains(":"), !lower.hasPrefix("[") { return "[" + lower + "]" }
        return lower
    }
}
