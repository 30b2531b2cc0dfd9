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
    // Eight characters per draw, not one: `SystemRandomNumberGenerator` makes a system call per
    // `next()`, and the server names every raw-endpoint session this way. A byte below 252
    // (7 × 36) maps to a character without bias; the rest are skipped.
    while bytes.count < length {
        var random = generator.next()
        for _ in 0..<8 where bytes.count < length {
            let byte = UInt8(truncatingIfNeeded: random)
            random >>= 8
            if byte < 252 {
                bytes.append(sessionIDAlphabet[Int(byte) % sessionIDAlphabet.count])
            }
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

private let sessionIDAlphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
