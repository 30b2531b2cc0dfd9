extension SockJSJSON {
    /// The content of a JSON string literal (without the quotes) for `string`, escaped the
    /// way SockJS servers escape text sent to clients.
    ///
    /// The reference servers run `JSON.stringify` (or Jackson) and then escape the SockJS
    /// set. The result, reproduced here byte for byte:
    /// - `"` and `\` become `\"` and `\\`;
    /// - backspace, form feed, newline, carriage return and tab become `\b`, `\f`, `\n`, `\r`, `\t`;
    /// - the other characters U+0000–001F, and U+200C–200F, U+2028–202F, U+2060–206F and
    ///   U+FFF0–FFFF, become lowercase `\uXXXX`;
    /// - every character outside the Basic Multilingual Plane becomes its UTF-16 surrogate
    ///   pair, `\ud83d\ude00` for U+1F600;
    /// - everything else, `/` and U+007F included, is written as is (UTF-8).
    ///
    /// ```swift
    /// SockJSJSON.escape("say \"hi\"\n")  // #"say \"hi\"\n"#
    /// SockJSJSON.escape("\u{2028}😀")    // #"\u2028\ud83d\ude00"#
    /// ```
    public static func escape(_ string: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(string.utf8.count)
        appendEscaped(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A JSON array of strings, each escaped with `escape(_:)`: `["a","b"]`.
    public static func encodeArray(_ strings: [String]) -> String {
        var bytes: [UInt8] = []
        appendArray(strings, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A quoted JSON string literal: `"` + `escape(string)` + `"`.
    public static func quote(_ string: String) -> String {
        "\"" + escape(string) + "\""
    }

    static func appendArray(_ strings: [String], to bytes: inout [UInt8]) {
        bytes.append(ASCII.leftBracket)
        for (index, string) in strings.enumerated() {
            if index > 0 {
                bytes.append(ASCII.comma)
            }
            bytes.append(ASCII.quote)
            appendEscaped(string, to: &bytes)
            bytes.append(ASCII.quote)
        }
        bytes.append(ASCII.rightBracket)
    }

    static func appendEscaped(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            appendEscaped(utf8: utf8, to: &bytes)
        }
    }

    /// Works on the UTF-8 bytes (valid, since they come from a `String`): runs of bytes that
    /// need no escape are copied at once; only ASCII specials and three- and four-byte
    /// sequences are looked at.
    private static func appendEscaped(utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        var runStart = 0
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            let length: Int
            let value: UInt32
            switch byte {
            case 0x20..<0x80 where byte != ASCII.quote && byte != ASCII.backslash, 0x80..<0xE0:
                index += 1  // printable ASCII, a two-byte sequence (U+0080–07FF) or its continuation
                continue
            case 0xE0..<0xF0:
                length = 3
                value = UInt32(byte & 0x0F) << 12 | UInt32(utf8[index + 1] & 0x3F) << 6 | UInt32(utf8[index + 2] & 0x3F)
                guard SockJSJSON.isEscaped(value) else {
                    index += length
                    continue
                }
            case 0xF0...:
                length = 4
                value =
                    UInt32(byte & 0x07) << 18 | UInt32(utf8[index + 1] & 0x3F) << 12
                    | UInt32(utf8[index + 2] & 0x3F) << 6 | UInt32(utf8[index + 3] & 0x3F)
            default:
                length = 1
                value = UInt32(byte)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            appendEscape(of: value, to: &bytes)
            index += length
            runStart = index
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
    }

    /// Whether a BMP character is in the SockJS set (the ASCII controls are handled apart).
    private static func isEscaped(_ value: UInt32) -> Bool {
        switch value {
        case 0x200C...0x200F, 0x2028...0x202F, 0x2060...0x206F, 0xFFF0...0xFFFF: return true
        default: return false
        }
    }

    /// The escape for one character that needs one: `"`, `\`, a control character, a
    /// character of the SockJS set, or an astral character (as a surrogate pair).
    private static func appendEscape(of value: UInt32, to bytes: inout [UInt8]) {
        let short: UInt8
        switch value {
        case 0x22: short = ASCII.quote
        case 0x5C: short = ASCII.backslash
        case 0x08: short = ASCII.lowercaseB
        case 0x0C: short = ASCII.lowercaseF
        case 0x0A: short = ASCII.lowercaseN
        case 0x0D: short = ASCII.lowercaseR
        case 0x09: short = ASCII.lowercaseT
        case 0x1_0000...:
            let offset = value - 0x1_0000
            appendUnicodeEscape(UInt16(0xD800 + (offset >> 10)), to: &bytes)
            appendUnicodeEscape(UInt16(0xDC00 + (offset & 0x3FF)), to: &bytes)
            return
        default:
            appendUnicodeEscape(UInt16(value), to: &bytes)
            return
        }
        bytes.append(ASCII.backslash)
        bytes.append(short)
    }

    /// Appends `\uXXXX` with four lowercase hexadecimal digits.
    private static func appendUnicodeEscape(_ unit: UInt16, to bytes: inout [UInt8]) {
        bytes.append(ASCII.backslash)
        bytes.append(ASCII.lowercaseU)
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(ASCII.lowercaseHexDigits[Int((unit >> UInt16(shift)) & 0xF)])
        }
    }
}
