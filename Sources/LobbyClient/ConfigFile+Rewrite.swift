/// Changing one setting of a configuration file's text (`/set KEY VALUE`): the key's line is
/// replaced, or appended when the file has none, and every other line and comment is kept.
///
/// A change is checked by the same parser that reads the file at start (``ConfigFile`` and
/// ``ClientSettings``), on the new line alone and then on the whole new text, so what is saved
/// always reads back, and a bad key or value changes nothing.
///
/// ```swift
/// let change = try ConfigFile.Change(key: "bell", typed: "false")   // bell = false
/// let text = try change.applied(to: "# mine\nname = \"alice\"\n")  // # mine, name, bell
/// ```
extension ConfigFile {
    public struct Change: Sendable, Equatable {
        public var key: String
        public var value: Value
        /// The line the file gets, `key = "string"` or `key = true|false`.
        public var line: String

        /// A value as typed after `/set KEY`: `true` and `false` are booleans, a `"…"` is a
        /// TOML string with its escapes, anything else is the string as typed.
        public init(key: String, typed: String) throws(ParseError) {
            let line: String
            if typed == "true" || typed == "false" || typed.hasPrefix("\"") {
                line = "\(key) = \(typed)"
            } else {
                let encoded = try Value.string(typed).toml
                line = "\(key) = \(encoded)"
            }
            // Checked before parsing: a line break would make a second line (a forged setting).
            guard !line.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw ParseError(line: 1, message: "a value cannot hold a line break")
            }
            let file = try ConfigFile(parsing: line)
            _ = try ClientSettings(file)
            guard file.entries.count == 1, let value = file[key] else {
                throw ParseError(line: 1, message: "expected \(key) VALUE")
            }
            self.key = key
            self.value = value
            // Written back canonically: a comment typed after the value is not kept.
            let canonical = try value.toml
            self.line = "\(key) = \(canonical)"
        }

        /// `text` with this change: the key's line replaced, else the line appended. Throws
        /// when `text` itself does not parse (it is not guessed at: the error names the line).
        public func applied(to text: String) throws(ParseError) -> String {
            let current = try ConfigFile(parsing: text)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let number = current.entries[key]?.line {
                lines[number - 1] = line
            } else {
                // The text's last element is "" when it ends with a line break: the new line goes
                // there, and a file without a final line break gets one first.
                if lines.last == "" { lines.removeLast() }
                lines.append(line)
                lines.append("")
            }
            let result = lines.joined(separator: "\n")
            _ = try ClientSettings(ConfigFile(parsing: result))
            return result
        }
    }
}

extension ConfigFile.Value {
    /// The value as the file writes it: `true`, `false`, or a `"…"` string with `\"`, `\\`,
    /// `\n` and `\t` escaped (the escapes the parser reads); other control characters have no
    /// escape there, and are refused rather than written raw.
    public var toml: String {
        get throws(ConfigFile.ParseError) {
            switch self {
            case .bool(let value):
                return value ? "true" : "false"
            case .string(let text):
                var result = "\""
                for scalar in text.unicodeScalars {
                    switch scalar {
                    case "\"": result += "\\\""
                    case "\\": result += "\\\\"
                    case "\n": result += "\\n"
                    case "\t": result += "\\t"
                    case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                        throw ConfigFile.ParseError(line: 1, message: "a value cannot hold control characters")
                    default: result.unicodeScalars.append(scalar)
                    }
                }
                return result + "\""
            }
        }
    }
}
