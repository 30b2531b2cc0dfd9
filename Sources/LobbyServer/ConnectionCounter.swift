import Foundation
import NIOCore
import Synchronization

/// The open TCP connections of one server, in total and per remote address, against
/// `--max-connections` and `--max-connections-per-ip`.
///
/// One instance is shared by every event loop: accepted connections land on any loop, and a
/// per-address count must see them all. Its lock is a leaf: nothing else is called while it is
/// held (logging happens after).
///
/// Every open socket counts, refused ones included, because each holds a file descriptor until
/// it is closed. A new connection is judged by the counts before it: at or over the total →
/// `.serverFull`; at or over its address's share → `.addressFull`.
final class ConnectionCounter: Sendable {
    enum Admission: Sendable, Equatable {
        case admitted
        /// `--max-connections` reached: answered 503.
        case serverFull
        /// `--max-connections-per-ip` reached for this address: answered 429.
        case addressFull
    }

    let maxConnections: Int
    let maxConnectionsPerAddress: Int

    private struct Counts {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    private let counts = Mutex(Counts())

    init(maxConnections: Int, maxConnectionsPerAddress: Int) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
    }

    /// Counts a new connection from `address` and says whether it may be served. The ticket must
    /// be released when the connection closes (a second release does nothing).
    func open(address: String) -> Ticket {
        let admission = counts.withLock { counts -> Admission in
            let fromAddress = counts.byAddress[address, default: 0]
            let admission: Admission =
                counts.total >= maxConnections
                ? .serverFull : fromAddress >= maxConnectionsPerAddress ? .addressFull : .admitted
            counts.total += 1
            counts.byAddress[address] = fromAddress + 1
            return admission
        }
        return Ticket(counter: self, address: address, admission: admission)
    }

    /// Open connections in total.
    var total: Int { counts.withLock { $0.total } }

    /// Open connections from `address`.
    func count(from address: String) -> Int { counts.withLock { $0.byAddress[address, default: 0] } }

    /// Addresses with at least one open connection (the map never keeps zero entries).
    var addressCount: Int { counts.withLock { $0.byAddress.count } }

    fileprivate func close(address: String) {
        counts.withLock { counts in
            counts.total -= 1
            let remaining = counts.byAddress[address, default: 1] - 1
            counts.byAddress[address] = remaining > 0 ? remaining : nil
        }
    }

    /// One counted connection; `release()` uncounts it exactly once.
    final class Ticket: Sendable {
        let address: String
        let admission: Admission
        private let counter: ConnectionCounter
        private let released = Atomic<Bool>(false)

        fileprivate init(counter: ConnectionCounter, address: String, admission: Admission) {
            self.counter = counter
            self.address = address
            self.admission = admission
        }

        func release() {
            guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
            counter.close(address: address)
        }
    }

    /// The key a connection is counted under: its peer's IP address, with IPv4-mapped IPv6
    /// addresses (`::ffff:1.2.3.4`, from a dual-stack listener) folded into plain IPv4.
    static func addressKey(_ address: SocketAddress?) -> String {
        guard let ip = address?.ipAddress else { return "local" }
        let mapped = "::ffff:"
        if ip.lowercased().hasPrefix(mapped), ip.contains(".") {
            return String(ip.dropFirst(mapped.count))
        }
        return ip
    }
}

extension ConnectionCounter {
    /// The default `--max-connections`: the open-file limit less a reserve for the store, the
    /// listening socket, logs, and the sockets that carry 503 answers once the limit is reached.
    static func defaultMaxConnections(openFileLimit: Int) -> Int {
        let reserve = max(64, openFileLimit / 10)
        return max(16, openFileLimit - reserve)
    }

    /// This process's soft `RLIMIT_NOFILE` (capped at 2^20: "unlimited" is not a useful count).
    static func openFileSoftLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(min(limit.rlim_cur, 1 << 20))  // RLIM_INFINITY is rlim_t.max
    }
}
