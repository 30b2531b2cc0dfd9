import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `--log-format json`: one JSON object per line on standard output, for Loki, Elastic and
/// friends: `time` (ISO 8601, UTC, milliseconds), `level`, `message`, `label`, then the
/// metadata fields (`session`, `user`, `reason`, `node`…) as strings at the top level. A
/// metadata key that would shadow one of those four is written with a `meta_` prefix.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if let error = event.error { merged["error"] = "\(error)" }
        var fields: [String: String] = [:]
        for (key, value) in merged {
            fields[Self.reserved.contains(key) ? "meta_" + key : key] = "\(value)"
        }
        fields["label"] = label
        JSONLogLine.write(level: event.level.rawValue, message: event.message.description, fields: fields)
    }

    private static let reserved: Set<String> = ["time", "level", "message", "label"]
}

/// Writes one JSON log line (keys sorted, `time` first) with a single write(2), so lines from
/// several threads never interleave.
public enum JSONLogLine {
    public static func write(level: String, message: String, fields: [String: String] = [:]) {
        var object = fields
        object["level"] = level
        object["message"] = message
        var line = #"{"time":"# + quoted(Date.now.formatted(Self.timeFormat))
        for key in object.keys.sorted() {
            line += "," + quoted(key) + ":" + quoted(object[key] ?? "")
        }
        line += "}\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    private static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    private static func quoted(_ text: String) -> String {
        var json: [UInt8] = []
        JSONText.appendString(text, to: &json)
        return String(decoding: json, as: UTF8.self)
    }
}
