import NIOCore

/// The block of addresses one peer is held to: an IPv4 address on its own (/32), an IPv6
/// address's /64 (one host usually holds a whole /64, so rotating through it gets nothing).
/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is its IPv4 address.
///
/// Per-address limits (new name claims, SockJS sessions) count by block.
struct AddressBlock: Hashable, Sendable, CustomStringConvertible {
    let description: String

    /// The block of a peer's address as the transports report it: `IP:PORT` (the sessions'
    /// remote address) or a bare IP; nil for anything that is not an IP address (a Unix
    /// socket, a test's placeholder).
    init?(_ address: String) {
        let withoutPort = address.lastIndex(of: ":").map { String(address[..<$0]) }
        guard
            let parsed = withoutPort.flatMap({ try? SocketAddress(ipAddress: $0, port: 0) })
                ?? (try? SocketAddress(ipAddress: address, port: 0))
        else { return nil }
        switch parsed {
        case .v4:
            description = parsed.ipAddress ?? address
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let isMapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            if isMapped {
                description = bytes[12..<16].map(String.init).joined(separator: ".")
            } else {
                let groups = stride(from: 0, to: 8, by: 2).map {
                    String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
                }
                description = groups.joined(separator: ":") + "::/64"
            }
        default:
            return nil
        }
    }
}

/// A token bucket per ``AddressBlock``: `limit` events per `periodMilliseconds`, refilled
/// evenly. Time is an input. Buckets that are full again are forgotten once the table
/// passes ``maximumTracked``, so a spray of addresses cannot grow it without bound.
struct AddressRateLimiter: Sendable {
    static let maximumTracked = 65_536

    let limit: Int
    let periodMilliseconds: UInt64
    private var buckets: [AddressBlock: TokenBucket] = [:]

    init(limit: Int, periodMilliseconds: UInt64) {
        self.limit = limit
        self.periodMilliseconds = periodMilliseconds
    }

    /// Takes one event for `block`; false when its bucket is empty (and then nothing is taken).
    mutating func take(_ block: AddressBlock, now: UInt64) -> Bool {
        guard limit > 0 else { return true }
        var bucket =
            buckets[block]
            ?? TokenBucket(rate: Double(limit) * 1000 / Double(periodMilliseconds), burst: Double(limit), now: now)
        let taken = bucket.take(now: now)
        buckets[block] = bucket
        if buckets.count > Self.maximumTracked { forgetFullBuckets(now: now) }
        return taken
    }

    private mutating func forgetFullBuckets(now: UInt64) {
        buckets = buckets.filter { _, bucket in
            var probe = bucket
            return !probe.isFull(now: now)
        }
    }
}
