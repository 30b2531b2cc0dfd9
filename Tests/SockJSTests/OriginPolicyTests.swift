import SockJS
import Testing

@Suite("OriginPolicy")
struct OriginPolicyTests {
    private let standard = OriginPolicy.default

    @Test("a request without Origin is always allowed")
    func noOrigin() throws {
        #expect(standard.allows(origin: nil, host: "chat.example.com"))
        #expect(try OriginPolicy(parsing: "https://a.example").allows(origin: nil, host: nil))
    }

    @Test(
        "the default list: the server's own origin and local pages",
        arguments: [
            ("http://127.0.0.1:8080", "127.0.0.1:8080", true),
            ("http://localhost:5173", "127.0.0.1:8080", true),
            ("http://127.0.0.1", "chat.example.com", true),
            ("https://chat.example.com", "chat.example.com", true),
            ("http://chat.example.com", "chat.example.com", true),
            ("https://chat.example.com:8443", "chat.example.com:8443", true),
            ("HTTPS://Chat.Example.COM", "chat.example.com", true),
            ("http://[::1]:8080", "[::1]:8080", true),
            // Another site, another port, or a default port that is not the Host's.
            ("https://evil.example", "chat.example.com", false),
            ("https://chat.example.com:8443", "chat.example.com", false),
            ("https://chat.example.com", "chat.example.com:8443", false),
            ("http://chat.example.com.evil.example", "chat.example.com", false),
            ("https://localhost:5173", "127.0.0.1:8080", false),
            ("http://[::1]:8081", "[::1]:8080", false),
            // Sandboxed frames and file: pages, and garbage.
            ("null", "127.0.0.1:8080", false),
            ("file://", "127.0.0.1:8080", false),
            ("http://127.0.0.1:8080/path", "127.0.0.1:8080", false),
            ("127.0.0.1:8080", "127.0.0.1:8080", false),
            ("http://127.0.0.1:99999", "127.0.0.1:99999", false),
            ("", "127.0.0.1:8080", false),
        ])
    func defaultList(origin: String, host: String, allowed: Bool) {
        #expect(standard.allows(origin: origin, host: host) == allowed)
    }

    @Test("self needs a Host to compare with")
    func sameHostWithoutHost() {
        #expect(!OriginPolicy(entries: [.sameHost]).allows(origin: "http://chat.example.com", host: nil))
    }

    @Test("* allows every origin, null included")
    func anyOrigin() throws {
        let policy = try OriginPolicy(parsing: "*")
        #expect(policy.allowsAnyOrigin)
        for origin in ["null", "https://evil.example", "garbage"] {
            #expect(policy.allows(origin: origin, host: "127.0.0.1:8080"))
        }
    }

    @Test("an explicit list replaces the default, self included only when named")
    func explicitList() throws {
        let policy = try OriginPolicy(parsing: " https://chat.example.com , http://dev.example:* ")
        #expect(policy.allows(origin: "https://chat.example.com", host: "internal:8080"))
        #expect(policy.allows(origin: "https://chat.example.com:443", host: "internal:8080"))
        #expect(!policy.allows(origin: "https://chat.example.com:444", host: "internal:8080"))
        #expect(policy.allows(origin: "http://dev.example:3000", host: "internal:8080"))
        #expect(policy.allows(origin: "http://dev.example", host: "internal:8080"))
        #expect(!policy.allows(origin: "https://dev.example", host: "internal:8080"))
        #expect(!policy.allows(origin: "http://internal:8080", host: "internal:8080"))
        #expect(!policy.allows(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080"))
        let withSelf = try OriginPolicy(parsing: "self,https://chat.example.com")
        #expect(withSelf.allows(origin: "http://internal:8080", host: "internal:8080"))
    }

    @Test("the default list parses to the default policy")
    func defaultListParses() throws {
        #expect(try OriginPolicy(parsing: OriginPolicy.defaultList) == .default)
    }

    @Test(
        "malformed entries are errors",
        arguments: ["", " , ", "example.com", "http://", "http://a:b", "http://a:1:*", "http://a/path", "null"])
    func malformed(list: String) {
        #expect(throws: OriginPolicyError.self) { try OriginPolicy(parsing: list) }
    }

    @Test("origins parse into scheme, host and port")
    func webOrigin() {
        #expect(WebOrigin(parsing: "HTTP://Example.COM:81") == WebOrigin(scheme: "http", host: "example.com", port: 81))
        #expect(WebOrigin(parsing: "https://[::1]")?.effectivePort == 443)
        #expect(WebOrigin(parsing: "http://[zz]:80") == nil)
        #expect(WebOrigin(parsing: "http://a.example:") == nil)
    }
}
