/// The mark a publisher puts in each chat text: when it was sent (monotonic ns, the clock every
/// process on the machine shares), its sequence number and the publisher's index.
/// Written `t=<ns> s=<seq> p=<publisher>`; found again in whatever JSON the server wraps around it.
public struct Stamp: Sendable, Equatable {
    public var sentAt: UInt64
    public var sequence: Int
    public var publisher: Int

    public init(sentAt: UInt64, sequence: Int, publisher: Int) {
        self.sentAt = sentAt
        self.sequence = sequence
        self.publisher = publisher
    }

    public var text: String { "t=\(sentAt) s=\(sequence) p=\(publisher)" }

    /// Finds the first stamp in a message body, without decoding the JSON around it.
    public static func find(in body: some Collection<UInt8>) -> Stamp? {
        body.withContiguousStorageIfAvailable { find(inBuffer: $0) }
            ?? Array(body).withUnsafeBufferPointer {
                find(inBuffer: $0)
            }
    }

    private static func find(inBuffer bytes: UnsafeBufferPointer<UInt8>) -> Stamp? {
        var index = 0
        let count = bytes.count
        while index + 2 < count {
            if bytes[index] == UInt8(ascii: "t") && bytes[index + 1] == UInt8(ascii: "=")
                && isDigit(bytes[index + 2])
            {
                var cursor = index + 2
                guard let sentAt = readNumber(bytes, &cursor),
                    expect(bytes, &cursor, " s="), let sequence = readNumber(bytes, &cursor),
                    expect(bytes, &cursor, " p="), let publisher = readNumber(bytes, &cursor)
                else { return nil }
                return Stamp(sentAt: sentAt, sequence: Int(sequence), publisher: Int(publisher))
            }
            index += 1
        }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func readNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ cursor: inout Int) -> UInt64? {
        let start = cursor
        var value: UInt64 = 0
        while cursor < bytes.count, isDigit(bytes[cursor]), cursor - start < 19 {
            value = value * 10 + UInt64(bytes[cursor] - 0x30)
            cursor += 1
        }
        return cursor > start ? value : nil
    }

    private static func expect(_ bytes: UnsafeBufferPointer<UInt8>, _ cursor: inout Int, _ literal: StaticString)
        -> Bool
    {
        let length = literal.utf8CodeUnitCount
        guard cursor + length <= bytes.count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            (0..<length).allSatisfy { bytes[cursor + $0] == expected[$0] }
        }
        if matches { cursor += length }
        return matches
    }
}

/// A Lobby presence or reply event, as far as the benchmark cares.
public struct ServerEvent: Sendable, Equatable {
    public var type: String
    public var user: String?
    public var reason: String?
    public var code: String?

    public init(type: String, user: String? = nil, reason: String? = nil, code: String? = nil) {
        self.type = type
        self.user = user
        self.reason = reason
        self.code = code
    }

    /// Reads `type`, `user`, `reason` and `code` from a flat JSON object; nil without a `type`.
    public init?(json body: some Collection<UInt8>) {
        let bytes = Array(body)
        guard let type = jsonStringField("type", in: bytes) else { return nil }
        self.type = type
        self.user = jsonStringField("user", in: bytes)
        self.reason = jsonStringField("reason", in: bytes)
        self.code = jsonStringField("code", in: bytes)
    }
}

/// The string value of the first `"name":"…"` in a JSON text (top-level or not), unescaped.
/// Enough for the server's flat event objects, whose first match is the top-level field.
public func jsonStringField(_ name: String, in bytes: [UInt8]) -> String? {
    let key = Array("\"\(name)\"".utf8)
    var index = 0
    while index + key.count <= bytes.count {
        guard bytes[index] == UInt8(ascii: "\""), bytes[index..<index + key.count].elementsEqual(key) else {
            index += 1
            continue
        }
        var cursor = index + key.count
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ":") else {
            index += 1
            continue
        }
        cursor += 1
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") { cursor += 1 }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") else { return nil }
        cursor += 1
        var value: [UInt8] = []
        while cursor < bytes.count {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "\"") { return String(decoding: value, as: UTF8.self) }
            if byte == UInt8(ascii: "\\"), cursor + 1 < bytes.count {
                cursor += 1
                switch bytes[cursor] {
                case UInt8(ascii: "n"): value.append(0x0A)
                case UInt8(ascii: "t"): value.append(0x09)
                case UInt8(ascii: "r"): value.append(0x0D)
                case UInt8(ascii: "u"):
                    // Rare in the events measured: keep the escape as written.
                    value += Array("\\u".utf8)
                default: value.append(bytes[cursor])
                }
            } else {
                value.append(byte)
            }
            cursor += 1
        }
        return nil
    }
    return nil
}
