import Testing

@testable import LobbyBench

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Histogram maths and /proc parsing")
struct StatsTests {
    @Test("percentiles of 1…1000 ms, recorded in ns, come back in ms within HdrHistogram's 3 digits")
    func percentiles() throws {
        var recorder = LatencyRecorder()
        for ms in 1...1_000 { recorder.record(nanoseconds: UInt64(ms) * 1_000_000) }
        let summary = try #require(recorder.summary)
        #expect(summary.count == 1_000)
        #expect(abs(summary.p50 - 500) <= 0.5)
        #expect(abs(summary.p90 - 900) <= 0.9)
        #expect(abs(summary.p99 - 990) <= 1)
        #expect(abs(summary.max - 1_000) <= 1)
        #expect(abs(summary.mean - 500.5) <= 0.5)
    }

    @Test("microsecond resolution: sub-microsecond latencies count as 0")
    func resolution() throws {
        var recorder = LatencyRecorder()
        recorder.record(nanoseconds: 999)
        recorder.record(nanoseconds: 1_500)
        recorder.record(nanoseconds: 2_000)
        let summary = try #require(recorder.summary)
        #expect(summary.count == 3)
        #expect(summary.p50 == 0.001)
        #expect(summary.max == 0.002)
    }

    @Test("an empty recorder has no summary and no curve")
    func empty() {
        let recorder = LatencyRecorder()
        #expect(recorder.summary == nil)
        #expect(recorder.distribution().isEmpty)
    }

    @Test("recorders merge")
    func merge() throws {
        var a = LatencyRecorder()
        var b = LatencyRecorder()
        for _ in 0..<99 { a.record(nanoseconds: 1_000_000) }
        b.record(nanoseconds: 100_000_000)
        a.add(b)
        let summary = try #require(a.summary)
        #expect(summary.count == 100)
        #expect(summary.p50 == 1)
        #expect(abs(summary.max - 100) <= 0.1)
    }

    @Test("the plotted curve rises to 100 % at the maximum, without repeated values")
    func distribution() throws {
        var recorder = LatencyRecorder()
        for value in [1, 1, 1, 2, 3, 50] { recorder.record(nanoseconds: UInt64(value) * 1_000_000) }
        let curve = recorder.distribution()
        let last = try #require(curve.last)
        #expect(last[0] == 100)
        #expect(abs(last[1] - 50) <= 0.05)
        for (earlier, later) in zip(curve, curve.dropFirst()) {
            #expect(earlier[0] <= later[0])
            #expect(earlier[1] < later[1])
        }
    }

    @Test("VmRSS from /proc/PID/status")
    func status() {
        let status = "Name:\tlobby-server\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n"
        #expect(ProcStats.rssKiB(status: status) == 12_345)
        #expect(ProcStats.rssKiB(status: "Name:\tx\n") == nil)
    }

    @Test("utime + stime from /proc/PID/stat, even with spaces and parentheses in the name")
    func stat() {
        let stat = "4242 (lobby (bench) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 100 0 0"
        #expect(ProcStats.cpuSeconds(stat: stat, ticksPerSecond: 100) == 3)
        #expect(ProcStats.cpuSeconds(stat: "garbage", ticksPerSecond: 100) == nil)
    }

    @Test("this process can be sampled")
    func sampleSelf() throws {
        let sample = try #require(ProcStats.sample(pid: getpid()))
        #expect(sample.rssKiB > 0)
        #expect(sample.cpuSeconds >= 0)
    }

    @Test("/proc/net/tcp rows, and which connections the server closed")
    func procNet() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
               1: 0100007F:1F90 0100007F:9C41 01 00000000:00000000 00:00000000 00000000     0        0 2 1
               2: 0100007F:1F90 0100007F:9C42 08 00000000:00000000 00:00000000 00000000     0        0 3 1
               3: 0100007F:1F90 0100007F:9C43 09 00000000:00000000 00:00000000 00000000     0        0 4 1
               4: 0100007F:9C44 0100007F:1F90 05 00000000:00000000 00:00000000 00000000     0        0 5 1
            """
        let rows = ProcNet.parse(table)
        #expect(rows.count == 5)
        #expect(rows[1] == TCPRow(localPort: 8080, remotePort: 40001, state: 0x01, inode: 2))
        #expect(rows[0].state == 0x0A)
        let closed = ProcNet.closedByServer(serverPort: 8080, clientPorts: [40001, 40002, 40003, 40004], rows: rows)
        #expect(closed == [40003, 40004])
        let inodes = ProcNet.serverInodes(serverPort: 8080, clientPorts: [40001, 40002, 40003], rows: rows)
        #expect(inodes == [40001: 2, 40002: 3])
    }

    @Test("fd links name socket inodes")
    func socketLinks() {
        #expect(ProcNet.socketInode(link: "socket:[123456]") == 123_456)
        #expect(ProcNet.socketInode(link: "pipe:[5]") == nil)
        #expect(ProcNet.socketInode(link: "/dev/null") == nil)
        #expect(ProcNet.socketInode(link: "socket:[x]") == nil)
    }

    @Test("this process's own sockets show up in its fd table")
    func ownSockets() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(!ProcNet.socketInodes(pid: getpid()).isEmpty)
    }
}
