/// A cheap reader of the JSON bodies Lobby sends on `/topic/presence` and `/user/queue/reply`.
///
/// The benchmark must not become the bottleneck: in a storm of ten thousand real clients they
/// receive gigabytes of presence events and member lists together. So nothing here decodes a
/// whole document: a forward-only cursor walks the bytes once, skips what it does not need
/// (history, tokens, unknown fields) by structure, and hands out the byte ranges of the strings
/// it was asked for, to be compared in place or decoded only when needed. Keys may come in any
/// order (the server sorts them, so a batch's `events` comes before its `type`).
public struct JSONStringRef: Sendable, Equatable {
    /// The bytes between the quotes, as written.
    public var range: Range<Int>
    /// Whether the content holds a backslash escape (then it must be decoded before use).
    public var escaped: Bool

    /// Calls `body` with the string's decoded UTF-8 bytes (in place when it holds no escape).
    public func withBytes<R>(in bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard escaped else { return body(raw) }
        return JSONCursor.unescape(raw).withUnsafeBufferPointer(body)
    }

    /// The decoded string.
    public func string(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        withBytes(in: bytes) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the decoded string equals `literal` (an ASCII literal without escapes).
    public func equals(_ literal: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !escaped else { return string(in: bytes) == literal.description }
        guard range.count == literal.utf8CodeUnitCount else { return false }
        return literal.withUTF8Buffer { expected in
            var offset = 0
            while offset < expected.count {
                if bytes[range.lowerBound + offset] != expected[offset] { return false }
                offset += 1
            }
            return true
        }
    }
}

/// A forward-only position in one JSON text. Malformed input makes a method return nil or false;
/// it never traps and never reads out of bounds.
struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then consumes `byte` if it comes next.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// Whether the next byte (after whitespace) is `byte`, without consuming it.
    mutating func peek(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return index < bytes.count && bytes[index] == byte
    }

    /// Reads a string at the cursor.
    mutating func string() -> JSONStringRef? {
        guard consume(Self.quote) else { return nil }
        let start = index
        var escaped = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                index += 1
                return JSONStringRef(range: start..<(index - 1), escaped: escaped)
            }
            if byte == Self.backslash {
                escaped = true
                index += 2
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Skips one value of any kind (nested objects and arrays by their structure).
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case Self.quote:
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case Self.quote:
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                default:
                    break
                }
                index += 1
            }
            return false
        default:
            // A number, true, false or null: up to the next delimiter.
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                    return index > start
                default:
                    index += 1
                }
            }
            return index > start
        }
    }

    /// Walks the members of the object at the cursor: `member` gets each key with the cursor on
    /// its value, and must consume that value (or return false to give up).
    mutating func object(_ member: (inout JSONCursor, JSONStringRef) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            guard let key = string(), consume(UInt8(ascii: ":")), member(&self, key) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// Walks the elements of the array at the cursor: `element` must consume each one.
    mutating func array(_ element: (inout JSONCursor) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "[")) else { return false }
        if consume(UInt8(ascii: "]")) { return true }
        while true {
            guard element(&self) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]"))
        }
    }

    /// Reads a string value, or skips any other value and gives nil (false: malformed).
    mutating func optionalString() -> (ok: Bool, value: JSONStringRef?) {
        if peek(Self.quote) {
            let value = string()
            return (value != nil, value)
        }
        return (skipValue(), nil)
    }

    /// Decodes the escapes of a string's content into UTF-8 (`\uXXXX` with surrogate pairs; a
    /// lone surrogate becomes U+FFFD).
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        func hex4(at position: Int) -> UInt32? {
            guard position + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for offset in 0..<4 {
                let byte = raw[position + offset]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: return nil
                }
                value = value << 4 | digit
            }
            return value
        }
        while index < raw.count {
            let byte = raw[index]
            guard byte == backslash, index + 1 < raw.count else {
                out.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(at: index) else {
                    out += Array("\\u".utf8)
                    continue
                }
                index += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    if index + 6 <= raw.count, raw[index] == backslash, raw[index + 1] == UInt8(ascii: "u"),
                        let low = hex4(at: index + 2), (0xDC00..<0xE000).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                out += Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default:
                out.append(escape)
            }
        }
        return out
    }
}

/// What a presence event does to a member list.
public enum PresenceKind: Sendable, Equatable {
    case join
    case leave
    /// `status` and anything newer: no change to who is a member.
    case other
}

/// One presence event found in a body: its kind and where its strings are.
public struct PresenceEventRef: Sendable, Equatable {
    public var kind: PresenceKind
    public var user: JSONStringRef?
    public var reason: JSONStringRef?
}

/// The events of one `/topic/presence` body: a bare event, or `{"type":"batch","events":[…]}`.
public struct PresenceScan: Sendable, Equatable {
    public var isBatch: Bool
    /// In the order the server sent them.
    public var events: [PresenceEventRef]
}

/// The parts of a `/user/queue/reply` body the benchmark uses.
public struct ReplyScan: Sendable, Equatable {
    /// `welcome`, `error`, …
    public var type: JSONStringRef?
    public var sessionID: JSONStringRef?
    public var user: JSONStringRef?
    /// `welcome`: the `user` of each member, in the order listed.
    public var members: [JSONStringRef]
    /// `error`: its code.
    public var code: JSONStringRef?
}

public enum LobbyJSON {
    /// Scans a presence body; nil when it is not an event object or a batch of them.
    public static func presence(_ bytes: UnsafeBufferPointer<UInt8>) -> PresenceScan? {
        var cursor = JSONCursor(bytes)
        var type: JSONStringRef?
        var single = PresenceEventRef(kind: .other)
        var batch: [PresenceEventRef]?
        let ok = cursor.object { cursor, key in
            if key.equals("events", in: bytes) {
                var events: [PresenceEventRef] = []
                let ok = cursor.array { cursor in
                    guard let event = event(&cursor) else { return false }
                    events.append(event)
                    return true
                }
                batch = events
                return ok
            }
            return eventField(key, &cursor, into: &single, type: &type)
        }
        guard ok, cursor.index > 0, let type else { return nil }
        if type.equals("batch", in: bytes) {
            return batch.map { PresenceScan(isBatch: true, events: $0) }
        }
        single.kind = kind(of: type, in: bytes)
        return PresenceScan(isBatch: false, events: [single])
    }

    /// Scans a reply body (welcome or error); nil when it is not an object.
    public static func reply(_ bytes: UnsafeBufferPointer<UInt8>) -> ReplyScan? {
        var cursor = JSONCursor(bytes)
        var scan = ReplyScan(members: [])
        let ok = cursor.object { cursor, key in
            if key.equals("members", in: bytes) {
                return cursor.array { cursor in
                    var user: JSONStringRef?
                    let ok = cursor.object { cursor, key in
                        guard key.equals("user", in: bytes) else { return cursor.skipValue() }
                        let read = cursor.optionalString()
                        user = read.value
                        return read.ok
                    }
                    if let user { scan.members.append(user) }
                    return ok
                }
            }
            let read: (ok: Bool, value: JSONStringRef?)
            if key.equals("type", in: bytes) {
                read = cursor.optionalString()
                scan.type = read.value
            } else if key.equals("user", in: bytes) {
                read = cursor.optionalString()
                scan.user = read.value
            } else if key.equals("sessionId", in: bytes) {
                read = cursor.optionalString()
                scan.sessionID = read.value
            } else if key.equals("code", in: bytes) {
                read = cursor.optionalString()
                scan.code = read.value
            } else {
                return cursor.skipValue()
            }
            return read.ok
        }
        return ok ? scan : nil
    }

    private static func event(_ cursor: inout JSONCursor) -> PresenceEventRef? {
        var event = PresenceEventRef(kind: .other)
        var type: JSONStringRef?
        let bytes = cursor.bytes
        guard cursor.object({ cursor, key in eventField(key, &cursor, into: &event, type: &type) }) else { return nil }
        if let type { event.kind = kind(of: type, in: bytes) }
        return event
    }

    private static func eventField(
        _ key: JSONStringRef, _ cursor: inout JSONCursor, into event: inout PresenceEventRef, type: inout JSONStringRef?
    ) -> Bool {
        let bytes = cursor.bytes
        let read: (ok: Bool, value: JSONStringRef?)
        if key.equals("type", in: bytes) {
            read = cursor.optionalString()
            type = read.value
        } else if key.equals("user", in: bytes) {
            read = cursor.optionalString()
            event.user = read.value
        } else if key.equals("reason", in: bytes) {
            read = cursor.optionalString()
            event.reason = read.value
        } else {
            return cursor.skipValue()
        }
        return read.ok
    }

    private static func kind(of type: JSONStringRef, in bytes: UnsafeBufferPointer<UInt8>) -> PresenceKind {
        if type.equals("join", in: bytes) { return .join }
        if type.equals("leave", in: bytes) { return .leave }
        return .other
    }
}

/// A presence event with its strings decoded: for observers that see few of them.
public struct PresenceChange: Sendable, Equatable {
    public var kind: PresenceKind
    public var user: String
    public var reason: String?

    public init(kind: PresenceKind, user: String, reason: String? = nil) {
        self.kind = kind
        self.user = user
        self.reason = reason
    }

    /// The events of a presence body, bare or batched, in order; nil when it is neither.
    /// Events without a user are left out.
    public static func all(in body: some Collection<UInt8>) -> [PresenceChange]? {
        withContiguousBytes(body) { bytes in
            LobbyJSON.presence(bytes).map { scan in
                scan.events.compactMap { event in
                    event.user.map { user in
                        PresenceChange(
                            kind: event.kind, user: user.string(in: bytes), reason: event.reason?.string(in: bytes))
                    }
                }
            }
        }
    }
}

/// A reply with its strings decoded (tests, diagnostics).
public struct ReplySummary: Sendable, Equatable {
    public var type: String?
    public var sessionID: String?
    public var user: String?
    public var members: [String]
    public var code: String?

    public init(
        type: String?, sessionID: String? = nil, user: String? = nil, members: [String] = [], code: String? = nil
    ) {
        self.type = type
        self.sessionID = sessionID
        self.user = user
        self.members = members
        self.code = code
    }

    public init?(json body: some Collection<UInt8>) {
        guard let summary = withContiguousBytes(body, Self.summary(of:)) else { return nil }
        self = summary
    }

    private static func summary(of bytes: UnsafeBufferPointer<UInt8>) -> ReplySummary? {
        guard let scan = LobbyJSON.reply(bytes) else { return nil }
        return ReplySummary(
            type: scan.type?.string(in: bytes), sessionID: scan.sessionID?.string(in: bytes),
            user: scan.user?.string(in: bytes), members: scan.members.map { $0.string(in: bytes) },
            code: scan.code?.string(in: bytes))
    }
}

/// Runs `body` over the bytes of a collection, copying only when it is not contiguous.
func withContiguousBytes<R>(_ collection: some Collection<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = collection.withContiguousStorageIfAvailable(body) { return result }
    return Array(collection).withUnsafeBufferPointer(body)
}
