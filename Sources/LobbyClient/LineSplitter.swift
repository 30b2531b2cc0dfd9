/// Cuts a byte stream into text lines, the way `--plain` reads its standard input.
///
/// Lines end with `\n` or `\r\n` (neither is kept). Invalid UTF-8 becomes U+FFFD rather than a
/// lost line. A stream with no newline in sight (a binary file, `/dev/zero`) is cut every
/// `maximumLineLength` bytes instead of being kept in memory without end.
///
/// ```swift
/// var splitter = LineSplitter()
/// splitter.append(Array("hello\r\nwor".utf8))  // ["hello"]
/// splitter.append(Array("ld\n".utf8))          // ["world"]
/// ```
public struct LineSplitter: Sendable {
    public let maximumLineLength: Int
    private var buffer: [UInt8] = []

    public init(maximumLineLength: Int = 16_384) {
        self.maximumLineLength = max(1, maximumLineLength)
    }

    /// Adds bytes and returns the lines they complete.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> [String] {
        buffer.append(contentsOf: bytes)
        var lines: [String] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: 0x0A) {
            lines.append(Self.text(buffer[start..<newline]))
            start = newline + 1
        }
        while buffer.count - start >= maximumLineLength {
            lines.append(Self.text(buffer[start..<(start + maximumLineLength)]))
            start += maximumLineLength
        }
        buffer.removeFirst(start)
        return lines
    }

    /// The stream ended: returns the last line if it had no newline.
    public mutating func finish() -> [String] {
        defer { buffer.removeAll() }
        return buffer.isEmpty ? [] : [Self.text(buffer[...])]
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self)
    }
}
