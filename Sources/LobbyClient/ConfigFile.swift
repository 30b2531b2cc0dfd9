/// The subset of TOML the client's configuration file uses: `key = "string"`, `key = true` or
/// `false`, `#` comments and blank lines. Anything else is an error naming its line, so a typo
/// is reported instead of silently ignored.
///
/// ```toml
/// # ~/.config/lobby/config.toml
/// server = "https://chat.example.org/connection"
/// name = "alice"
/// bell = false
/// ```
public struct ConfigFile: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case bool(Bool)
    }

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(line): \(message)" }
    }

    /// Each key with its value and the line it is on.
    public private(set) var entries: [String: (value: Value, line: Int)] = [:]

    public static func == (lhs: ConfigFile, rhs: ConfigFile) -> Bool {
        lhs.entries.mapValues(\.value) == rhs.entries.mapValues(\.value)
    }

    public init(parsing text: String) throws(ParseError) {
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if line.last == "\r" { line = line.dropLast() }
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.first == "#" { continue }
            if content.first == "[" {
                throw ParseError(line: number, message: "tables ([…]) are not supported: use key = value lines")
            }
            guard let equals = content.firstIndex(of: "=") else {
                throw ParseError(line: number, message: "expected key = value")
            }
            let key = content[..<equals].trimmingSpaces
            guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
            else {
                throw ParseError(line: number, message: "bad key \"\(key)\": letters, digits, _ and - only")
            }
            guard entries[key] == nil else {
                throw ParseError(line: number, message: "\(key) is set twice (first on line \(entries[key]!.line))")
            }
            let value = try Self.value(content[content.index(after: equals)...], line: number)
            entries[key] = (value, number)
        }
    }

    public subscript(key: String) -> Value? { entries[key]?.value }

    /// A value and what follows it on the line (only a comment may).
    private static func value(_ text: Substring, line: Int) throws(ParseError) -> Value {
        let text = text.drop { $0 == " " || $0 == "\t" }
        let value: Value
        let rest: Substring
        if text.first == "\"" {
            (value, rest) = try basicString(text.dropFirst(), line: line)
        } else if text.hasPrefix("true") {
            (value, rest) = (.bool(true), text.dropFirst(4))
        } else if text.hasPrefix("false") {
            (value, rest) = (.bool(false), text.dropFirst(5))
        } else if text.isEmpty || text.first == "#" {
            throw ParseError(line: line, message: "missing value after =")
        } else {
            throw ParseError(line: line, message: "values are \"strings\" (in double quotes), true or false")
        }
        let after = rest.drop { $0 == " " || $0 == "\t" }
        guard after.isEmpty || after.first == "#" else {
            throw ParseError(line: line, message: "unexpected text after the value: \(after)")
        }
        return value
    }

    /// A `"…"` string after its opening quote, with TOML's common escapes.
    private static func basicString(_ text: Substring, line: Int) throws(ParseError) -> (Value, Substring) {
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            index = text.index(after: index)
            switch character {
            case "\"":
                return (.string(result), text[index...])
            case "\\":
                guard index < text.endIndex else { break }
                let escaped = text[index]
                index = text.index(after: index)
                switch escaped {
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: throw ParseError(line: line, message: "unknown escape \\\(escaped) in a string")
                }
            default:
                result.append(character)
            }
        }
        throw ParseError(line: line, message: "unterminated string (missing closing \")")
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// The client's settings from a ``ConfigFile``: known keys, each of its type.
public struct ClientSettings: Sendable, Equatable {
    public var server: String?
    public var name: String?
    public var bell: Bool?
    /// false: no colors, attributes only (for terminals with unreadable palettes).
    public var colors: Bool?
    /// `all` or `smart`.
    public var filter: String?
    /// A strftime format for message times.
    public var timestamp: String?
    public var logDirectory: String?
    /// Words that highlight a message like the user's name (`highlight = "release, deploy"`).
    public var highlightWords: [String] = []

    public init() {}

    /// Every setting the file may hold, in the order `/set` lists them.
    public static let keys = ["server", "name", "bell", "colors", "filter", "timestamp", "log_dir", "highlight"]

    public init(_ file: ConfigFile) throws(ConfigFile.ParseError) {
        for (key, entry) in file.entries.sorted(by: { $0.value.line < $1.value.line }) {
            func string() throws(ConfigFile.ParseError) -> String {
                guard case .string(let text) = entry.value else {
                    throw ConfigFile.ParseError(line: entry.line, message: "\(key) must be a \"string\"")
                }
                return text
            }
            switch key {
            case "server": server = try string()
            case "name": name = try string()
            case "timestamp": timestamp = try string()
            case "log_dir": logDirectory = try string()
            case "highlight":
                highlightWords = try string().split(separator: ",").map {
                    String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                }.filter { !$0.isEmpty }
            case "filter":
                let value = try string()
                guard value == "all" || value == "smart" else {
                    throw ConfigFile.ParseError(line: entry.line, message: "filter must be \"all\" or \"smart\"")
                }
                filter = value
            case "bell", "colors":
                guard case .bool(let value) = entry.value else {
                    throw ConfigFile.ParseError(line: entry.line, message: "\(key) must be true or false")
                }
                if key == "bell" { bell = value } else { colors = value }
            default:
                throw ConfigFile.ParseError(
                    line: entry.line,
                    message: "unknown setting \(key) (known: \(Self.keys.joined(separator: ", ")))")
            }
        }
    }
}
