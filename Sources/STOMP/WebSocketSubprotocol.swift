extension Version {
    /// The WebSocket subprotocol name of this version: `v10.stomp`, `v11.stomp`, `v12.stomp`
    /// (the names STOMP clients offer in `Sec-WebSocket-Protocol`, and Spring answers).
    public var webSocketSubprotocol: String {
        switch self {
        case .v1_0: "v10.stomp"
        case .v1_1: "v11.stomp"
        case .v1_2: "v12.stomp"
        }
    }

    /// The version a WebSocket handshake settles on: the highest one whose subprotocol name the
    /// client offered, from the `Sec-WebSocket-Protocol` header values (each a comma-separated
    /// list). `nil` when the client offered none that STOMP knows: the 101 then names no
    /// subprotocol (RFC 6455 §4.2.2), and a client that offered nothing still connects.
    public static func negotiatedWebSocketSubprotocol(offered headerValues: [String]) -> Version? {
        var best: Version?
        for value in headerValues {
            for token in value.split(separator: ",") {
                // Subprotocol names are case-sensitive tokens; only the list's spaces are dropped.
                let name = token.filter { $0 != " " && $0 != "\t" }
                guard let version = allCases.first(where: { $0.webSocketSubprotocol == name }) else { continue }
                best = max(best ?? version, version)
            }
        }
        return best
    }
}
