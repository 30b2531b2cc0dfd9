import Histogram

#if canImport(Glibc)
    import Glibc
#endif

/// Percentiles of a latency distribution, in milliseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    public init(count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
    }
}

/// Latencies recorded in microseconds into an HdrHistogram (3 significant digits, up to an hour).
public struct LatencyRecorder: Sendable {
    public private(set) var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

    public init() {}

    public var count: UInt64 { histogram.totalCount }

    /// Records a latency given in nanoseconds (kept to the microsecond; longer than an hour is clamped).
    public mutating func record(nanoseconds: UInt64) {
        let micros = Swift.min(nanoseconds / 1_000, histogram.highestTrackableValue)
        _ = histogram.record(micros)
    }

    public mutating func add(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
    }

    /// p50/p90/p99/p99.9/max/mean in ms; nil when nothing was recorded.
    public var summary: LatencySummary? {
        guard histogram.totalCount > 0 else { return nil }
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1_000 }
        return LatencySummary(
            count: histogram.totalCount,
            p50: ms(histogram.valueAtPercentile(50)),
            p90: ms(histogram.valueAtPercentile(90)),
            p99: ms(histogram.valueAtPercentile(99)),
            p999: ms(histogram.valueAtPercentile(99.9)),
            max: ms(histogram.max),
            mean: histogram.mean / 1_000)
    }

    /// The percentile curve for plots: `[percentile, ms]` pairs, from 0 to 100, at most `limit` of them.
    public func distribution(limit: Int = 120) -> [[Double]] {
        guard histogram.totalCount > 0 else { return [] }
        var points: [[Double]] = []
        for step in histogram.percentiles(ticksPerHalfDistance: 5) {
            let point = [(step.percentile * 1_000).rounded() / 1_000, Double(step.value) / 1_000]
            if points.last?[1] == point[1] {
                points[points.count - 1] = point
            } else {
                points.append(point)
            }
            if step.percentile >= 100 || points.count >= limit { break }
        }
        if let last = points.last, last[0] < 100 {
            points.append([100, Double(histogram.max) / 1_000])
        }
        return points
    }
}

/// A server process's resident memory and CPU time, from `/proc/PID/status` and `/proc/PID/stat`.
public struct ProcessSample: Sendable, Equatable {
    public var rssKiB: Int
    /// utime + stime, in seconds.
    public var cpuSeconds: Double

    public init(rssKiB: Int, cpuSeconds: Double) {
        self.rssKiB = rssKiB
        self.cpuSeconds = cpuSeconds
    }
}

public enum ProcStats {
    public static func sample(pid: Int32) -> ProcessSample? {
        guard let status = readFile("/proc/\(pid)/status"), let rss = rssKiB(status: status),
            let stat = readFile("/proc/\(pid)/stat"),
            let cpu = cpuSeconds(stat: stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))))
        else { return nil }
        return ProcessSample(rssKiB: rss, cpuSeconds: cpu)
    }

    /// `VmRSS:  12345 kB` → 12345.
    public static func rssKiB(status: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            return fields.count >= 2 ? Int(fields[1]) : nil
        }
        return nil
    }

    /// utime + stime (fields 14 and 15, counted after the parenthesised command name, which may hold spaces).
    public static func cpuSeconds(stat: String, ticksPerSecond: Double) -> Double? {
        guard let close = stat.lastIndex(of: ")"), ticksPerSecond > 0 else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is the state (field 3), so utime (14) is fields[11] and stime (15) fields[12].
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        return (utime + stime) / ticksPerSecond
    }

    /// Reads a whole file (procfs files report size 0, so read until EOF).
    public static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Raises RLIMIT_NOFILE to the hard limit; returns the soft limit in force afterwards.
@discardableResult
public func raiseFileLimit() -> Int {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
    return Int(limit.rlim_cur)
}

/// CLOCK_MONOTONIC in nanoseconds: the clock in chat stamps, shared by every process on the machine.
public func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}
