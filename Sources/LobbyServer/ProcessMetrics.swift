import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The process's own resources in the Prometheus text format, with the conventional `process_*`
/// names: resident memory, open file descriptors (and their limit), CPU seconds and start time.
/// Read from `/proc` at each scrape, so nothing runs between scrapes.
public enum ProcessMetrics {
    public static func text(labels: [(String, String)] = []) -> String {
        let labelText =
            labels.isEmpty
            ? ""
            : "{"
                + labels.map { "\($0.0)=\"\($0.1.replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(
                    separator: ",") + "}"
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            lines.append("\(name)\(labelText) \(value)")
        }
        let stat = statFields()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        metric(
            "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
            residentPages().map { $0 * pageSize })
        metric(
            "process_open_fds", "gauge", "Number of open file descriptors.",
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map { Double($0.count) })
        var limit = rlimit()
        metric(
            "process_max_fds", "gauge", "Maximum number of open file descriptors.",
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? Double(limit.rlim_cur) : nil)
        // Fields 14 and 15 of /proc/self/stat (utime, stime), 22 (starttime), in clock ticks.
        metric(
            "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
            stat.map { (Double($0[13]) + Double($0[14])) / ticks })
        if let stat, let bootTime = bootTime() {
            metric(
                "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
                bootTime + Double(stat[21]) / ticks)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The numeric fields of /proc/self/stat, numbered from 1 as in proc(5) (index = field - 1);
    /// the command name (field 2, in parentheses, may hold spaces) is skipped as a 0.
    private static func statFields() -> [Int]? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let rest = text[text.index(after: close)...].split(separator: " ")
        // rest[0] is field 3 (state); fields from 3 on.
        return [0, 0] + rest.map { Int($0) ?? 0 }
    }

    private static func residentPages() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? Double(fields[1]) : nil
    }

    private static func bootTime() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
