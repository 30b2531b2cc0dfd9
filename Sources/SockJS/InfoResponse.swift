/// The body of `GET {prefix}/info`, which sockjs-client reads before it picks a transport.
///
/// ```swift
/// InfoResponse(entropy: 42).json
/// // {"entropy":42,"origins":["*:*"],"cookie_needed":false,"websocket":true}
/// ```
///
/// Serve it as `application/json; charset=UTF-8` with `Cache-Control: no-store, no-cache,
/// must-revalidate, max-age=0`.
public struct InfoResponse: Sendable, Equatable {
    /// Whether the WebSocket transport is enabled.
    public var websocket: Bool
    /// Whether clients must send the `JSESSIONID` cookie (for sticky load balancing).
    public var cookieNeeded: Bool
    /// Allowed origins; SockJS clients ignore it, and `*:*` is what every server sends.
    public var origins: [String] = ["*:*"]
    /// A random number; a new one for every response.
    public var entropy: UInt32

    public init(websocket: Bool = true, cookieNeeded: Bool = false, origins: [String] = ["*:*"], entropy: UInt32) {
        self.websocket = websocket
        self.cookieNeeded = cookieNeeded
        self.origins = origins
        self.entropy = entropy
    }

    /// An info response with a random `entropy`.
    public init<G: RandomNumberGenerator>(
        websocket: Bool = true,
        cookieNeeded: Bool = false,
        origins: [String] = ["*:*"],
        using generator: inout G
    ) {
        self.init(
            websocket: websocket,
            cookieNeeded: cookieNeeded,
            origins: origins,
            entropy: UInt32.random(in: .min ... .max, using: &generator)
        )
    }

    /// The JSON body, in the key order Spring writes.
    public var json: String {
        "{\"entropy\":\(entropy),\"origins\":\(SockJSJSON.encodeArray(origins)),"
            + "\"cookie_needed\":\(cookieNeeded),\"websocket\":\(websocket)}"
    }
}
