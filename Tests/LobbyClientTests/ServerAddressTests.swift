import Testing

@testable import LobbyClient

@Suite("Server address: what --server accepts")
struct ServerAddressTests {
    @Test(
        "host:port, http(s) and ws(s) URLs (written as http(s)); an empty path gets /connection",
        arguments: [
            ("127.0.0.1:9250", "http://127.0.0.1:9250/connection"),
            ("localhost:8080", "http://localhost:8080/connection"),
            ("[::1]:8080", "http://[::1]:8080/connection"),
            ("  127.0.0.1:9250\n", "http://127.0.0.1:9250/connection"),
            ("http://127.0.0.1:9250", "http://127.0.0.1:9250/connection"),
            ("http://127.0.0.1:9250/", "http://127.0.0.1:9250/connection"),
            ("HTTPS://chat.example.org", "https://chat.example.org/connection"),
            ("https://chat.example.org/lobby/sockjs", "https://chat.example.org/lobby/sockjs"),
            ("ws://10.0.0.5:8080", "http://10.0.0.5:8080/connection"),
            ("wss://chat.example.org/connection/", "https://chat.example.org/connection/"),
            ("chat.example.org", "http://chat.example.org/connection"),
        ])
    func accepted(typed: String, endpoint: String) throws {
        #expect(try ServerAddress.endpoint(for: typed) == endpoint)
    }

    @Test(
        "what names no endpoint is refused, saying why",
        arguments: [
            ("", "it is empty"),
            ("ftp://example.org", "ftp:// is not http, https, ws or wss"),
            ("http://", "it names no host"),
            ("http:///connection", "it names no host"),
            ("127.0.0.1:99999", "the host or port is not valid"),
            ("127.0.0.1:port", "the host or port is not valid"),
            ("http://a b:1/connection", "it holds whitespace or a control character"),
            ("http://a:1/connection\thttp://b:2", "it holds whitespace or a control character"),
        ])
    func refused(typed: String, problem: String) {
        #expect(throws: ServerAddressError(typed: typed, problem: problem)) {
            try ServerAddress.endpoint(for: typed)
        }
    }
}
