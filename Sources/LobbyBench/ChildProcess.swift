import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// A `lobby-bench hold` child: a separate process holding sessions, so that killing or stopping it
/// drops them the way a crashed or frozen client would.
public final class HoldChild: Sendable {
    public let pid: pid_t
    private let output: Int32

    /// What the child reported once its sessions were ready.
    public struct Report: Sendable, Equatable {
        public var ready: Int
        public var failed: Int
        public var ports: [Int]
    }

    private init(pid: pid_t, output: Int32) {
        self.pid = pid
        self.output = output
    }

    /// This executable, for spawning `hold` children of itself.
    public static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Starts `executable hold arguments…` with its stdout piped to us.
    public static func spawn(executable: String = currentExecutable(), arguments: [String]) throws -> HoldChild {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HandshakeError(description: "pipe failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable, "hold"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw HandshakeError(description: "cannot start \(executable): error \(status)")
        }
        return HoldChild(pid: pid, output: fds[0])
    }

    /// Waits (on a thread-pool thread) for the child's `ready READY FAILED PORT,PORT,…` line.
    public func waitUntilReady(timeoutSeconds: Int) async throws -> Report {
        let output = self.output
        let line = try await NIOThreadPool.singleton.runIfActive {
            Self.readLine(fd: output, timeoutMilliseconds: timeoutSeconds * 1_000)
        }
        guard let line, let report = Self.parseReport(line) else {
            throw HandshakeError(
                description:
                    "hold child \(pid) did not report ready within \(timeoutSeconds) s (said: \(line ?? "nothing"))")
        }
        return report
    }

    /// `ready 10 0 40001,40002` → ready 10, failed 0, those ports.
    public static func parseReport(_ line: String) -> Report? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, fields[0] == "ready", let ready = Int(fields[1]), let failed = Int(fields[2]) else {
            return nil
        }
        let ports = fields.count > 3 ? fields[3].split(separator: ",").compactMap { Int($0) } : []
        return Report(ready: ready, failed: failed, ports: ports)
    }

    public func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// SIGKILLs (and SIGCONTs, in case it was stopped) the child, then reaps it.
    public func terminate() {
        kill(pid, SIGKILL)
        kill(pid, SIGCONT)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(output)
    }

    private static func readLine(fd: Int32, timeoutMilliseconds: Int) -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        let deadline = monotonicNanoseconds() + UInt64(timeoutMilliseconds) * 1_000_000
        while true {
            let now = monotonicNanoseconds()
            guard now < deadline else { return nil }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32((deadline - now) / 1_000_000) + 1)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return nil }
            let count = read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1 else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }
}
