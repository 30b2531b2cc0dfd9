/// Checks UTF-8 a piece at a time, so a text message split over WebSocket fragments fails at the
/// first fragment that cannot be UTF-8 (RFC 6455 §8.1 "fail fast"), not once it is whole.
///
/// The accepted sequences are those of Unicode's table of well-formed UTF-8 byte sequences
/// (The Unicode Standard, §3.9, Table 3-7): no overlong forms, no surrogates, nothing past
/// U+10FFFF. A sequence may be cut anywhere between pieces.
struct UTF8StreamValidator: Equatable {
    /// Continuation bytes the current sequence still needs.
    private var remaining = 0
    /// The range the next continuation byte must fall in; only the first one after a lead
    /// byte is ever narrower than 0x80...0xBF.
    private var lower: UInt8 = 0x80
    private var upper: UInt8 = 0xBF

    /// Whether the bytes so far end between two characters: a whole message must.
    var isAtCharacterBoundary: Bool { remaining == 0 }

    /// Takes the next bytes; false once they cannot be the start of UTF-8 text (stays false
    /// for any later bytes, as the connection is failed at the first).
    mutating func consume(_ byte: UInt8) -> Bool {
        guard remaining == 0 else {
            guard byte >= lower, byte <= upper else { return false }
            remaining -= 1
            lower = 0x80
            upper = 0xBF
            return true
        }
        switch byte {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: expect(1, 0x80, 0xBF)
        case 0xE0: expect(2, 0xA0, 0xBF)  // no overlong three-byte forms
        case 0xE1...0xEC, 0xEE...0xEF: expect(2, 0x80, 0xBF)
        case 0xED: expect(2, 0x80, 0x9F)  // no surrogates
        case 0xF0: expect(3, 0x90, 0xBF)  // no overlong four-byte forms
        case 0xF1...0xF3: expect(3, 0x80, 0xBF)
        case 0xF4: expect(3, 0x80, 0x8F)  // nothing past U+10FFFF
        default: return false  // a stray continuation byte, C0, C1, F5...FF
        }
        return true
    }

    private mutating func expect(_ count: Int, _ lower: UInt8, _ upper: UInt8) {
        remaining = count
        self.lower = lower
        self.upper = upper
    }
}
