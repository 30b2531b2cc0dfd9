/// A random server id for a transport URL: three digits, `000` to `999`, as sockjs-client picks it.
///
/// SockJS servers ignore the server id; load balancers may route on it.
public func randomServerID<G: RandomNumberGenerator>(using generator: inout G) -> String {
    let number = Int.random(in: 0..<1000, using: &generator)
    let digits = String(number)
    return String(repeating: "0", count: 3 - digits.count) + digits
}

/// A random session id for a transport URL: `length` characters from `[a-z0-9]`.
///
/// - Precondition: `length > 0` (SockJS rejects empty ids).
public func randomSessionID<G: RandomNumberGenerator>(length: Int = 8, using generator: inout G) -> String {
    precondition(length > 0, "a SockJS session id must not be empty")
    var bytes: [UInt8] = []
    bytes.reserveCapacity(length)
    for _ in 0..<length {
        bytes.append(sessionIDAlphabet[Int.random(in: 0..<sessionIDAlphabet.count, using: &generator)])
    }
    return String(decoding: bytes, as: UTF8.self)
}

private let sessionIDAlphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
