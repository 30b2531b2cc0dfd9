extension SockJSJSON {
    /// The messages in a client payload (a WebSocket text message or an `xhr_send` body).
    ///
    /// The payload is a JSON array of strings, as sockjs-client sends it; a single JSON
    /// string is also accepted (one message). JSON whitespace may surround the values.
    /// Escaped surrogate pairs (`\ud83d\ude00`) become one character.
    ///
    /// ```swift
    /// try SockJSJSON.decodeMessages(Array(#"["a", "\ud83d\ude00"]"#.utf8))  // ["a", "😀"]
    /// ```
    ///
    /// - Throws: `SockJSError.payloadExpected` for an empty or whitespace-only payload;
    ///   `SockJSError.invalidUTF8` when the bytes are not UTF-8; `SockJSError.brokenJSON`
    ///   for anything else that is not an array of strings, including escaped lone surrogates
    ///   (rejected rather than replaced with U+FFFD, so a message is never altered silently).
    public static func decodeMessages(_ bytes: some Collection<UInt8>) throws(SockJSError) -> [String] {
        var reader = try JSONReader(validating: bytes)
        reader.skipWhitespace()
        let messages: [String]
        switch reader.peek() {
        case nil:
            throw .payloadExpected
        case ASCII.leftBracket:
            messages = try reader.readStringArray()
        case ASCII.quote:
            messages = [try reader.readString()]
        default:
            throw .brokenJSON
        }
        try reader.expectEnd()
        return messages
    }

    /// The messages in a `jsonp_send` request body.
    ///
    /// sockjs-client posts `d=<url-encoded JSON>` as `application/x-www-form-urlencoded`;
    /// other content types carry the JSON itself.
    ///
    /// - Throws: `SockJSError.payloadExpected` when a form has no non-empty `d` field;
    ///   `SockJSError.brokenJSON` for a malformed `%` escape; or whatever `decodeMessages(_:)` throws.
    public static func decodeJSONPSendBody(
        _ body: some Collection<UInt8>,
        contentType: String?
    ) throws(SockJSError) -> [String] {
        let mediaType = contentType?.split(separator: ";").first?.trimmingSpaces.lowercased()
        guard mediaType == "application/x-www-form-urlencoded" else {
            return try decodeMessages(body)
        }
        for field in Array(body).split(separator: ASCII.ampersand) {
            let pair = field.split(separator: ASCII.equals, maxSplits: 1, omittingEmptySubsequences: false)
            guard percentDecoded(pair[0]) == Array("d".utf8), pair.count == 2 else { continue }
            guard let value = percentDecoded(pair[1]) else { throw .brokenJSON }
            guard !value.isEmpty else { throw .payloadExpected }
            return try decodeMessages(value)
        }
        throw .payloadExpected
    }

    /// Form-decodes `+` to space and `%XX` to a byte; `nil` for a malformed `%` escape.
    private static func percentDecoded(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.percent {
                guard index + 2 < bytes.endIndex,
                    let high = ASCII.hexValue(bytes[index + 1]),
                    let low = ASCII.hexValue(bytes[index + 2])
                else { return nil }
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(byte == ASCII.plus ? ASCII.space : byte)
                index += 1
            }
        }
        return result
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var result = self
        while result.first == " " || result.first == "\t" {
            result = result.dropFirst()
        }
        while result.last == " " || result.last == "\t" {
            result = result.dropLast()
        }
        return result
    }
}

/// Reads the JSON subset SockJS uses (strings, arrays of strings, integers) from UTF-8 bytes.
struct JSONReader {
    private let bytes: [UInt8]
    private var index: Int

    /// Checks that `bytes` are valid UTF-8, so string contents can be copied without checks.
    init(validating bytes: some Collection<UInt8>, from offset: Int = 0) throws(SockJSError) {
        self.bytes = Array(bytes)
        self.index = offset
        if self.bytes.contains(where: { $0 >= 0x80 }) {
            var iterator = self.bytes.makeIterator()
            var decoder = UTF8()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: break decoding
                case .error: throw .invalidUTF8
                }
            }
        }
    }

    func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.tab, ASCII.newline, ASCII.carriageReturn: index += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then requires the end of the input.
    mutating func expectEnd() throws(SockJSError) {
        skipWhitespace()
        guard index == bytes.count else { throw .brokenJSON }
    }

    /// Skips whitespace, then requires `byte`.
    mutating func expect(_ byte: UInt8) throws(SockJSError) {
        skipWhitespace()
        guard peek() == byte else { throw .brokenJSON }
        index += 1
    }

    /// `[` string (`,` string)* `]` or `[]`, with whitespace anywhere between.
    mutating func readStringArray() throws(SockJSError) -> [String] {
        try expect(ASCII.leftBracket)
        skipWhitespace()
        var strings: [String] = []
        if peek() == ASCII.rightBracket {
            index += 1
            return strings
        }
        while true {
            strings.append(try readString())
            skipWhitespace()
            switch peek() {
            case ASCII.comma: index += 1
            case ASCII.rightBracket:
                index += 1
                return strings
            default: throw .brokenJSON
            }
        }
    }

    /// A JSON integer: an optional minus, then `0` or digits not starting with `0`.
    mutating func readInteger() throws(SockJSError) -> Int {
        skipWhitespace()
        var negative = false
        if peek() == ASCII.hyphen {
            negative = true
            index += 1
        }
        let start = index
        var value = 0
        while let byte = peek(), (ASCII.zero...ASCII.nine).contains(byte) {
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - ASCII.zero))
            guard !overflow1 && !overflow2 else { throw .brokenJSON }
            value = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != ASCII.zero else { throw .brokenJSON }
        if let next = peek(), next == ASCII.period || next == ASCII.lowercaseE || next == ASCII.uppercaseE {
            throw .brokenJSON  // a fraction or exponent is not an integer
        }
        return negative ? -value : value
    }

    /// A JSON string literal, escapes resolved.
    mutating func readString() throws(SockJSError) -> String {
        try expect(ASCII.quote)
        var content: [UInt8] = []
        while index < bytes.count {
            let runStart = index
            while index < bytes.count, bytes[index] != ASCII.quote, bytes[index] != ASCII.backslash,
                bytes[index] >= ASCII.space
            {
                index += 1
            }
            content.append(contentsOf: bytes[runStart..<index])
            guard index < bytes.count else { break }
            let byte = bytes[index]
            index += 1
            switch byte {
            case ASCII.quote:
                return String(decoding: content, as: UTF8.self)
            case ASCII.backslash:
                try readEscape(into: &content)
            default:
                throw .brokenJSON  // JSON forbids raw control characters in strings
            }
        }
        throw .brokenJSON  // unterminated
    }

    /// After a backslash: one escape, or a `\uXXXX\uXXXX` surrogate pair.
    private mutating func readEscape(into content: inout [UInt8]) throws(SockJSError) {
        guard let byte = peek() else { throw .brokenJSON }
        index += 1
        switch byte {
        case ASCII.quote, ASCII.backslash, ASCII.slash: content.append(byte)
        case ASCII.lowercaseB: content.append(0x08)
        case ASCII.lowercaseF: content.append(0x0C)
        case ASCII.lowercaseN: content.append(ASCII.newline)
        case ASCII.lowercaseR: content.append(ASCII.carriageReturn)
        case ASCII.lowercaseT: content.append(ASCII.tab)
        case ASCII.lowercaseU:
            let unit = try readHex4()
            let scalarValue: UInt32
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == ASCII.lowercaseU
                else { throw .brokenJSON }  // a high surrogate without its low half
                index += 2
                let low = try readHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw .brokenJSON }
                scalarValue = 0x1_0000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw .brokenJSON  // a low surrogate without its high half
            default:
                scalarValue = UInt32(unit)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw .brokenJSON }
            UTF8.encode(scalar) { content.append($0) }
        default:
            throw .brokenJSON
        }
    }

    private mutating func readHex4() throws(SockJSError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw .brokenJSON }
        var unit: UInt16 = 0
        for byte in bytes[index..<(index + 4)] {
            guard let digit = ASCII.hexValue(byte) else { throw .brokenJSON }
            unit = unit << 4 | UInt16(digit)
        }
        index += 4
        return unit
    }
}
