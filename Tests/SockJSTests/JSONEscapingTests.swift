import SockJS
import TestSupport
import Testing

@Suite("JSON escaping")
struct JSONEscapingTests {
    @Test(
        "each range boundary",
        arguments: [
            (0x00, #"\u0000"#), (0x01, #"\u0001"#), (0x0B, #"\u000b"#), (0x1B, #"\u001b"#), (0x1F, #"\u001f"#),
            (0x20, " "), (0x7E, "~"), (0x7F, "\u{7F}"), (0x80, "\u{80}"), (0xFF, "\u{FF}"),
            (0x200B, "\u{200B}"), (0x200C, #"\u200c"#), (0x200F, #"\u200f"#), (0x2010, "\u{2010}"),
            (0x2027, "\u{2027}"), (0x2028, #"\u2028"#), (0x2029, #"\u2029"#), (0x202F, #"\u202f"#),
            (0x2030, "\u{2030}"),
            (0x205F, "\u{205F}"), (0x2060, #"\u2060"#), (0x206F, #"\u206f"#), (0x2070, "\u{2070}"),
            (0xD7FF, "\u{D7FF}"), (0xE000, "\u{E000}"), (0xFEFF, "\u{FEFF}"),
            (0xFFEF, "\u{FFEF}"), (0xFFF0, #"\ufff0"#), (0xFFFD, #"\ufffd"#), (0xFFFF, #"\uffff"#),
            (0x1_0000, #"\ud800\udc00"#), (0x1_F600, #"\ud83d\ude00"#), (0x10_FFFF, #"\udbff\udfff"#),
        ] as [(UInt32, String)]
    )
    func rangeBoundaries(scalar: UInt32, expected: String) {
        let string = String(Unicode.Scalar(scalar)!)
        #expect(SockJSJSON.escape(string) == expected)
    }

    @Test(
        "short escapes as JSON.stringify writes them",
        arguments: [
            ("\"", #"\""#), ("\\", #"\\"#), ("\u{08}", #"\b"#), ("\u{0C}", #"\f"#), ("\n", #"\n"#),
            ("\r", #"\r"#), ("\t", #"\t"#), ("/", "/"), ("'", "'"), ("<>&", "<>&"),
        ]
    )
    func shortEscapes(input: String, expected: String) {
        #expect(SockJSJSON.escape(input) == expected)
    }

    @Test("a STOMP frame")
    func stompFrame() {
        let frame = "MESSAGE\ndestination:/topic/chat\n\n{\"text\":\"héllo 😀\"}\u{0}"
        #expect(
            SockJSJSON.escape(frame)
                == #"MESSAGE\ndestination:/topic/chat\n\n{\"text\":\"héllo \ud83d\ude00\"}\u0000"#
        )
    }

    @Test("arrays")
    func arrays() {
        #expect(SockJSJSON.encodeArray([]) == "[]")
        #expect(SockJSJSON.encodeArray([""]) == #"[""]"#)
        #expect(SockJSJSON.encodeArray(["a", "b"]) == #"["a","b"]"#)
        #expect(SockJSJSON.encodeArray(["\"", "\u{2028}"]) == #"["\"","\u2028"]"#)
        #expect(SockJSJSON.quote("x\ny") == #""x\ny""#)
    }

    /// The reference algorithm, on UTF-16 code units as JavaScript sees strings:
    /// `JSON.stringify`, then replace every code unit of the SockJS set by `\uXXXX`.
    private static func referenceEscape(_ string: String) -> String {
        let hexDigits = Array("0123456789abcdef".utf16)
        func appendHex(_ unit: UInt16, to result: inout [UInt16]) {
            result.append(0x5C)
            result.append(0x75)  // u
            for shift: UInt16 in [12, 8, 4, 0] {
                result.append(hexDigits[Int((unit >> shift) & 0xF)])
            }
        }
        var stringified: [UInt16] = []
        for unit in string.utf16 {
            switch unit {
            case 0x22, 0x5C: stringified += [0x5C, unit]
            case 0x08: stringified += [0x5C, 0x62]  // \b
            case 0x0C: stringified += [0x5C, 0x66]  // \f
            case 0x0A: stringified += [0x5C, 0x6E]  // \n
            case 0x0D: stringified += [0x5C, 0x72]  // \r
            case 0x09: stringified += [0x5C, 0x74]  // \t
            case 0x00..<0x20: appendHex(unit, to: &stringified)
            default: stringified.append(unit)
            }
        }
        var result: [UInt16] = []
        for unit in stringified {
            switch unit {
            case 0x00...0x1F, 0x200C...0x200F, 0x2028...0x202F, 0x2060...0x206F, 0xD800...0xDFFF, 0xFFF0...0xFFFF:
                appendHex(unit, to: &result)
            default:
                result.append(unit)
            }
        }
        return String(decoding: result, as: UTF16.self)
    }

    /// Every Unicode scalar, in chunks of 4096.
    private static let scalarChunks: [String] = {
        let scalars = (UInt32(0)...0x10_FFFF).filter { !(0xD800...0xDFFF).contains($0) }
        return stride(from: 0, to: scalars.count, by: 4096).map { start in
            String(decoding: scalars[start..<min(start + 4096, scalars.count)], as: UTF32.self)
        }
    }()

    @Test("property: every scalar escapes as the reference algorithm does")
    func everyScalarMatchesReference() {
        for chunk in Self.scalarChunks {
            #expect(SockJSJSON.escape(chunk) == Self.referenceEscape(chunk))
        }
    }

    @Test("property: every scalar round-trips through escape and decode")
    func everyScalarRoundTrips() throws {
        for chunk in Self.scalarChunks {
            let json = "[\"" + SockJSJSON.escape(chunk) + "\"]"
            #expect(try SockJSJSON.decodeMessages(Array(json.utf8)) == [chunk])
        }
    }

    @Test("property: escaped output has no raw character of the SockJS set")
    func noRawSetCharacters() {
        for chunk in Self.scalarChunks {
            let escaped = SockJSJSON.escape(chunk)
            let offending = escaped.unicodeScalars.first { scalar in
                switch scalar.value {
                case 0x00...0x1F, 0x200C...0x200F, 0x2028...0x202F, 0x2060...0x206F, 0xFFF0...0xFFFF, 0x1_0000...:
                    return true
                default:
                    return false
                }
            }
            #expect(offending == nil)
        }
    }

    @Test("property: random strings round-trip and match the reference")
    func randomStrings() throws {
        var generator = SplitMix64(seed: 0xE5CA_9E)
        for _ in 0..<3000 {
            let strings = (0..<Int.random(in: 0...4, using: &generator)).map { _ in generator.nextTestString() }
            let json = SockJSJSON.encodeArray(strings)
            #expect(try SockJSJSON.decodeMessages(Array(json.utf8)) == strings)
            for string in strings {
                #expect(SockJSJSON.escape(string) == Self.referenceEscape(string))
            }
        }
    }
}
