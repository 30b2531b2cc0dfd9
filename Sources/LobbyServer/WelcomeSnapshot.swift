import LobbyCore

/// The shared part of every `welcome` of one presence version: the member list and the recent
/// history, already encoded as JSON.
///
/// A reconnect storm identifies thousands of sessions against a member list of thousands: the
/// list is encoded once per version (``RoomFeed``) and each welcome only copies the bytes
/// around its own `sessionId` and `user`. The body is the JSON a `JSONEncoder` with sorted keys
/// writes for ``Welcome``: `{"history":[…],"members":[…],"sessionId":"…","token":"…","type":"welcome","user":"…"}`
/// (`token` only for a claim just made).
struct WelcomeSnapshot: Sendable, Equatable {
    /// `[{"sessions":1,"user":"alice"},…]`
    let members: [UInt8]
    /// `[{"at":…,"id":…,"text":…,"type":"message","user":…},…]`
    let history: [UInt8]

    /// The `welcome` body for one session.
    func body(sessionID: SessionID, user: UserName, token: String? = nil, directs: [UInt8]? = nil) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(members.count + history.count + (directs?.count ?? 0) + 170 + user.rawValue.utf8.count)
        if let directs {
            body += #"{"directs":"#.utf8
            body += directs
            body += #","history":"#.utf8
        } else {
            body += #"{"history":"#.utf8
        }
        body += history
        body += #","members":"#.utf8
        body += members
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
