import LobbyCore

/// The shared part of every `welcome` of one presence version: the member list and the recent
/// history, already encoded as JSON.
///
/// A reconnect storm identifies thousands of sessions against a member list of thousands: the
/// list is encoded once per version (``RoomFeed``) and each welcome only copies the bytes
/// around its own `sessionId` and `user`. The body is the JSON a `JSONEncoder` with sorted keys
/// writes for ``Welcome``:
/// `{"chatRate":{…},"history":[…],"members":[…],"serverInstance":"…","sessionId":"…","token":"…","type":"welcome","user":"…"}`
/// (`chatRate` when the caller passes it, `token` only for a claim just made).
struct WelcomeSnapshot: Sendable, Equatable {
    /// `[{"sessions":1,"user":"alice"},…]`
    let members: [UInt8]
    /// `[{"at":…,"id":…,"text":…,"type":"message","user":…},…]`
    let history: [UInt8]

    /// This process's run, the same in every welcome it sends: a client that reconnects and
    /// finds another one says the server restarted. Random rather than a start time, so two
    /// runs within a clock tick (or with the clock set back) still differ.
    static let serverInstance: String = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }()

    /// The `welcome` body for one session.
    ///
    /// - Parameter chatRate: the session's chat token bucket, advertised so clients pace their
    ///   sends (nil: not advertised).
    func body(
        sessionID: SessionID, user: UserName, token: String? = nil, directs: [UInt8]? = nil, chatRate: ChatRate? = nil
    ) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(members.count + history.count + (directs?.count ?? 0) + 260 + user.rawValue.utf8.count)
        body.append(UInt8(ascii: "{"))
        if let chatRate {
            body += #""chatRate":{"burst":"#.utf8
            body += Self.jsonNumber(chatRate.burst).utf8
            body += #","perSecond":"#.utf8
            body += Self.jsonNumber(chatRate.perSecond).utf8
            body += "},".utf8
        }
        if let directs {
            body += #""directs":"#.utf8
            body += directs
            body += #","history":"#.utf8
        } else {
            body += #""history":"#.utf8
        }
        body += history
        body += #","members":"#.utf8
        body += members
        body += #","serverInstance":"#.utf8
        JSONText.appendString(Self.serverInstance, to: &body)
        body += #","sessionId":"#.utf8
        JSONText.appendString(sessionID.rawValue, to: &body)
        if let token {
            body += #","token":"#.utf8
            JSONText.appendString(token, to: &body)
        }
        body += #","type":"welcome","user":"#.utf8
        JSONText.appendString(user.rawValue, to: &body)
        body.append(UInt8(ascii: "}"))
        return body
    }

    /// A number as `JSONEncoder` writes it: whole values without a fraction (`5`, not `5.0`).
    static func jsonNumber(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `members` as a JSON array, in the order given.
    static func encode(_ members: [Member]) -> [UInt8] {
        var json: [UInt8] = []
        json.reserveCapacity(members.count * 40 + 2)
        json.append(UInt8(ascii: "["))
        for (index, member) in members.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "{"))
            if let away = member.away {
                json += #""away":"#.utf8
                JSONText.appendString(away, to: &json)
                json.append(UInt8(ascii: ","))
            }
            json += #""sessions":"#.utf8
            json += String(member.sessions).utf8
            json += #","user":"#.utf8
            JSONText.appendString(member.user, to: &json)
            json.append(UInt8(ascii: "}"))
        }
        json.append(UInt8(ascii: "]"))
        return json
    }
}

/// JSON text written by hand where `JSONEncoder` would cost an allocation per value.
enum JSONText {
    /// Appends `string` as a JSON string literal, escaped as `JSONEncoder` does with
    /// `.withoutEscapingSlashes`: `"` and `\` escaped, control characters as `\n`-style or
    /// `\u00XX` escapes, everything else as UTF-8.
    static func appendString(_ string: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json += #"\""#.utf8
            case UInt8(ascii: "\\"): json += #"\\"#.utf8
            case 0x0A: json += #"\n"#.utf8
            case 0x0D: json += #"\r"#.utf8
            case 0x09: json += #"\t"#.utf8
            case 0x08: json += #"\b"#.utf8
            case 0x0C: json += #"\f"#.utf8
            case 0x00..<0x20:
                json += #"\u00"#.utf8
                json.append(hexDigits[Int(byte >> 4)])
                json.append(hexDigits[Int(byte & 0x0F)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
