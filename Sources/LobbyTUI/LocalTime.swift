import LobbyCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A wall-clock reading in some time zone: what the message area prints.
public struct LocalTime: Sendable, Equatable {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    /// 0 is Sunday.
    public var weekday: Int
    public var hour: Int
    public var minute: Int

    /// `10:05`.
    public var clock: String {
        (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
    }

    /// `Friday 27 November 2026`.
    public var longDate: String {
        "\(Self.weekdayNames[weekday]) \(day) \(Self.monthNames[month - 1]) \(year)"
    }

    /// `2026-11-27`.
    public var isoDate: String {
        func two(_ value: Int) -> String { (value < 10 ? "0" : "") + "\(value)" }
        return "\(year)-\(two(month))-\(two(day))"
    }

    /// The same calendar day as `other`.
    public func isSameDay(as other: LocalTime) -> Bool {
        year == other.year && month == other.month && day == other.day
    }

    private static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    private static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]
}

/// How timestamps become local times: the process's time zone (`localtime_r`, honoring `TZ`),
/// or a fixed offset so tests give the same lines on every machine.
public enum TimeZoneRule: Sendable, Equatable {
    case system
    case fixedOffset(seconds: Int)

    public static let utc = TimeZoneRule.fixedOffset(seconds: 0)

    public func localTime(of timestamp: Timestamp) -> LocalTime {
        let parts = brokenDown(timestamp)
        return LocalTime(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            weekday: Int(parts.tm_wday), hour: Int(parts.tm_hour), minute: Int(parts.tm_min))
    }

    /// The time in a strftime format (config `timestamp`, e.g. `%H:%M:%S`); the plain `HH:MM`
    /// when the format gives nothing.
    public func format(_ timestamp: Timestamp, strftime format: String) -> String {
        var parts = brokenDown(timestamp)
        var buffer = [CChar](repeating: 0, count: 128)
        let count = strftime(&buffer, buffer.count, format, &parts)
        guard count > 0 else { return localTime(of: timestamp).clock }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func brokenDown(_ timestamp: Timestamp) -> tm {
        var seconds = time_t(timestamp.millisecondsSince1970 / 1000)
        if timestamp.millisecondsSince1970 % 1000 < 0 { seconds -= 1 }
        var parts = tm()
        switch self {
        case .system:
            localtime_r(&seconds, &parts)
        case .fixedOffset(let offset):
            seconds += time_t(offset)
            gmtime_r(&seconds, &parts)
        }
        return parts
    }
}
