/// How header names and values are written on the wire for one version and command.
///
/// STOMP 1.0 has no escapes. 1.1 escapes `\n`, `:` and `\` as `\n`, `\c` and `\\`; 1.2 adds `\r`.
/// `CONNECT`, `STOMP` and `CONNECTED` are never escaped in any version.
enum HeaderEscaping: Sendable, Equatable {
    /// Bytes as they are: 1.0, and the connect frames of every version.
    case none
    /// `\n`, `\c`, `\\`.
    case stomp11
    /// `\n`, `\c`, `\\` and `\r`.
    case stomp12

    init(version: Version, command: Command) {
        guard command.escapesHeaders else {
            self = .none
            return
        }
        switch version {
        case .v1_0: self = .none
        case .v1_1: self = .stomp11
        case .v1_2: self = .stomp12
        }
    }

    /// Decodes the escapes in one header name or value.
    ///
    /// An escape the version does not define, or a backslash at the end, is an error: the 1.2 spec
    /// says undefined escapes "MUST be treated as a fatal protocol error".
    func unescape(_ bytes: ArraySlice<UInt8>) throws(STOMPError) -> ArraySlice<UInt8> {
        guard self != .none, bytes.contains(ASCII.backslash) else { return bytes }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            guard byte == ASCII.backslash else {
                decoded.append(byte)
                continue
            }
            guard index < bytes.endIndex else {
                throw STOMPError(.invalidHeaderEscape, message: "header ends with a lone backslash")
            }
            let escaped = bytes[index]
            index += 1
            switch escaped {
            case ASCII.letterN: decoded.append(ASCII.lineFeed)
            case ASCII.letterC: decoded.append(ASCII.colon)
            case ASCII.backslash: decoded.append(ASCII.backslash)
            case ASCII.letterR where self == .stomp12: decoded.append(ASCII.carriageReturn)
            default:
                throw STOMPError(.invalidHeaderEscape, message: "header contains an undefined escape sequence")
            }
        }
        return decoded[...]
    }

    /// Encodes one header name or value, appending it to `output`.
    ///
    /// Bytes that this escaping cannot carry are replaced by a space rather than written raw, so an
    /// encoded frame always parses back with the same number of headers and never lets a value
    /// inject a header or end the frame: NUL everywhere; line breaks when there are no escapes;
    /// a carriage return in 1.1 (its EOL may be CR LF, so a trailing CR would be lost); and `:` in
    /// an unescaped name, which would move the name/value split.
    func escape(_ text: String, isName: Bool, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch (byte, self) {
            case (ASCII.null, _):
                output.append(ASCII.space)
            case (ASCII.lineFeed, .none), (ASCII.carriageReturn, .none), (ASCII.carriageReturn, .stomp11):
                output.append(ASCII.space)
            case (ASCII.colon, .none):
                output.append(isName ? ASCII.space : ASCII.colon)
            case (ASCII.lineFeed, _):
                output += [ASCII.backslash, ASCII.letterN]
            case (ASCII.carriageReturn, _):
                output += [ASCII.backslash, ASCII.letterR]
            case (ASCII.colon, _):
                output += [ASCII.backslash, ASCII.letterC]
            case (ASCII.backslash, .stomp11), (ASCII.backslash, .stomp12):
                output += [ASCII.backslash, ASCII.backslash]
            default:
                output.append(byte)
            }
        }
    }
}

/// The bytes STOMP framing is built from.
enum ASCII {
    static let null: UInt8 = 0x00
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let comma: UInt8 = 0x2C
    static let colon: UInt8 = 0x3A
    static let backslash: UInt8 = 0x5C
    static let letterC: UInt8 = 0x63
    static let letterN: UInt8 = 0x6E
    static let letterR: UInt8 = 0x72
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
}
