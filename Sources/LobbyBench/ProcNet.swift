#if canImport(Glibc)
    import Glibc
#endif

/// TCP sockets as `/proc/net/tcp` and `/proc/net/tcp6` list them: how the benchmark sees when a
/// server without presence events (RabbitMQ) closes a connection.
public struct TCPRow: Sendable, Equatable {
    public var localPort: Int
    public var remotePort: Int
    /// The kernel's state code: 0x01 ESTABLISHED, 0x08 CLOSE_WAIT, 0x0A LISTEN, …
    public var state: UInt8
    /// The socket's inode: what `/proc/PID/fd/N` links to as `socket:[inode]`.
    public var inode: UInt64

    public init(localPort: Int, remotePort: Int, state: UInt8, inode: UInt64 = 0) {
        self.localPort = localPort
        self.remotePort = remotePort
        self.state = state
        self.inode = inode
    }

    public static let established: UInt8 = 0x01
    public static let synReceived: UInt8 = 0x03
    public static let closeWait: UInt8 = 0x08

    /// The owner has not closed this socket yet (a peer's FIN alone leaves it in CLOSE_WAIT).
    public var isOpenOnThisSide: Bool {
        state == Self.established || state == Self.closeWait || state == Self.synReceived
    }
}

public enum ProcNet {
    /// Parses the table of `/proc/net/tcp` or `/proc/net/tcp6` (header line skipped).
    public static func parse(_ text: String) -> [TCPRow] {
        var rows: [TCPRow] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", maxSplits: 10, omittingEmptySubsequences: true)
            guard fields.count >= 4, let local = port(of: fields[1]), let remote = port(of: fields[2]),
                let state = UInt8(fields[3], radix: 16)
            else { continue }
            let inode = fields.count > 9 ? UInt64(fields[9]) ?? 0 : 0
            rows.append(TCPRow(localPort: local, remotePort: remote, state: state, inode: inode))
        }
        return rows
    }

    /// `0100007F:1F90` → 8080.
    static func port(of address: Substring) -> Int? {
        guard let colon = address.lastIndex(of: ":") else { return nil }
        return Int(address[address.index(after: colon)...], radix: 16)
    }

    /// Every TCP socket of this network namespace.
    public static func rows() -> [TCPRow] {
        (ProcStats.readFile("/proc/net/tcp").map(parse) ?? []) + (ProcStats.readFile("/proc/net/tcp6").map(parse) ?? [])
    }

    /// Of `clientPorts` (connections to `serverPort`), those whose server side the server has closed:
    /// no socket with local port `serverPort` and that remote port is still open on the server's side.
    public static func closedByServer(serverPort: Int, clientPorts: Set<Int>, rows: [TCPRow]) -> Set<Int> {
        var open = Set<Int>()
        for row in rows
        where row.localPort == serverPort && row.isOpenOnThisSide && clientPorts.contains(row.remotePort) {
            open.insert(row.remotePort)
        }
        return clientPorts.subtracting(open)
    }

    /// Server-side socket inodes of connections from `clientPorts` that the server still holds open.
    public static func serverInodes(serverPort: Int, clientPorts: Set<Int>, rows: [TCPRow]) -> [Int: UInt64] {
        var inodes: [Int: UInt64] = [:]
        for row in rows
        where row.localPort == serverPort && row.isOpenOnThisSide && row.inode != 0
            && clientPorts.contains(row.remotePort)
        {
            inodes[row.remotePort] = row.inode
        }
        return inodes
    }

    /// `socket:[12345]` → 12345.
    public static func socketInode(link: String) -> UInt64? {
        guard link.hasPrefix("socket:["), link.hasSuffix("]") else { return nil }
        return UInt64(link.dropFirst(8).dropLast())
    }

    /// The inodes of every socket process `pid` holds (its `/proc/PID/fd` links): a socket leaves
    /// this set the moment the server closes it, whatever the TCP state machine does next.
    public static func socketInodes(pid: Int32) -> Set<UInt64> {
        var inodes = Set<UInt64>()
        let directory = "/proc/\(pid)/fd"
        guard let handle = opendir(directory) else { return inodes }
        defer { closedir(handle) }
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name.first?.isNumber == true else { continue }
            let count = readlink("\(directory)/\(name)", &target, target.count - 1)
            guard count > 0 else { continue }
            let link = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let inode = socketInode(link: link) { inodes.insert(inode) }
        }
        return inodes
    }
}
