/// Payloads of the chat features beyond the room (docs/protocol.md): private messages, away
/// status, history on demand and search.

/// `SEND /app/direct`: a private message.
public struct DirectRequest: Codable, Sendable, Equatable {
    public var to: String
    public var text: String

    public init(to: String, text: String) {
        self.to = to
        self.text = text
    }
}

/// One stored private message: a `MESSAGE` on `/user/queue/direct` to every session of its
/// sender and of its recipient, and an entry of `welcome.directs`.
public struct DirectMessage: Codable, Sendable, Equatable, Identifiable {
    public var type: String = "direct"
    public var id: Int64
    public var from: String
    public var to: String
    public var text: String
    public var at: Timestamp

    public init(id: Int64, from: String, to: String, text: String, at: Timestamp) {
        self.id = id
        self.from = from
        self.to = to
        self.text = text
        self.at = at
    }
}

/// `SEND /app/status`: `{"away":"lunch"}` sets the away message, `{"away":null}` (or no key)
/// clears it.
public struct StatusRequest: Codable, Sendable, Equatable {
    public var away: String?

    public init(away: String?) {
        self.away = away
    }
}

/// `SEND /app/history`: up to `limit` room messages with ids below `before`, answered on
/// `/user/queue/reply`.
public struct HistoryRequest: Codable, Sendable, Equatable {
    /// Messages older than this id; absent: the newest.
    public var before: Int64?
    public var limit: Int?

    public init(before: Int64?, limit: Int? = nil) {
        self.before = before
        self.limit = limit
    }
}

/// The answer to `/app/history`: oldest first; fewer than asked (or none) means the
/// beginning of history is reached.
public struct HistoryReply: Codable, Sendable, Equatable {
    public static let type = "history"
    public var type: String = Self.type
    /// The `before` it answers (absent when the request had none).
    public var before: Int64?
    public var messages: [ChatMessage]

    public init(before: Int64?, messages: [ChatMessage]) {
        self.before = before
        self.messages = messages
    }
}

/// `SEND /app/search`: full-text search of the room's messages.
public struct SearchRequest: Codable, Sendable, Equatable {
    public var query: String
    public var limit: Int?

    public init(query: String, limit: Int? = nil) {
        self.query = query
        self.limit = limit
    }
}

/// The answer to `/app/search`: matching room messages, newest first.
public struct SearchReply: Codable, Sendable, Equatable {
    public static let type = "search"
    public var type: String = Self.type
    public var query: String
    public var messages: [ChatMessage]

    public init(query: String, messages: [ChatMessage]) {
        self.query = query
        self.messages = messages
    }
}

/// Bounds of the chat features.
public enum ChatLimits {
    /// Characters of a chat or private message after trimming.
    public static let textLength = 1...4000
    /// UTF-8 bytes of a chat or private message after trimming: 4 000 characters of combining
    /// marks can be hundreds of kilobytes, so text is bounded in bytes as well as characters.
    public static let maximumTextBytes = 16_384

    /// Why `text` (already trimmed) may not be sent as a chat or private message, or nil when it may.
    /// The server answers `invalid-text` with this message; the clients refuse it before sending.
    public static func textProblem(_ text: String) -> String? {
        if text.isEmpty { return "text must not be empty" }
        if text.count > textLength.upperBound {
            return "text must be at most \(textLength.upperBound) characters (this is \(text.count))"
        }
        if text.utf8.count > maximumTextBytes {
            return "text must be at most \(maximumTextBytes) bytes of UTF-8 (this is \(text.utf8.count))"
        }
        return nil
    }
    /// Characters of an away message after trimming.
    public static let awayLength = 1...200
    /// UTF-8 bytes of an away message (every member list carries it).
    public static let maximumAwayBytes = 1024
    /// Messages per history or search answer, and the default when none is asked.
    public static let pageLimit = 1...200
    public static let defaultHistoryPage = 100
    public static let defaultSearchPage = 50
    /// Private messages in a welcome.
    public static let welcomeDirects = 50
}

/// The words of a search query or a message: runs of letters and digits, lowercased. A message
/// matches a query when every word of the query starts one of its words (`gree` finds
/// "greetings", `ping!` finds "PING me"), and, for a word in a script written without spaces
/// (Han, Kana, Hangul, Thai…), also when it appears anywhere in the text (`하세` finds
/// "안녕하세요"). A query with no word (only punctuation) is refused before any store sees it.
public enum SearchWords {
    /// At most this many words of a query are used.
    public static let maximumWords = 16

    /// Whether `word` is in a script that does not separate words with spaces, so a query word
    /// may be any part of a written "word" (Han, Hiragana, Katakana, Hangul, Thai, Lao, Khmer,
    /// Myanmar, Tibetan): such words are also matched as substrings.
    public static func isUnspaced(_ word: String) -> Bool {
        word.unicodeScalars.contains { scalar in
            switch scalar.value {
            case 0x0E00...0x0EFF,  // Thai, Lao
                0x0F00...0x0FFF,  // Tibetan
                0x1000...0x109F,  // Myanmar
                0x1780...0x17FF,  // Khmer
                0x1100...0x11FF, 0x3130...0x318F, 0xAC00...0xD7AF,  // Hangul
                0x3040...0x30FF, 0x31F0...0x31FF,  // Hiragana, Katakana
                0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3134F:  // Han
                true
            default:
                false
            }
        }
    }

    /// Whether `text` matches `words` (the query's, from ``words(in:)``), by the rule above: the
    /// reference the stores' indexes implement.
    public static func matches(_ text: String, words query: [String]) -> Bool {
        let textWords = words(in: text)
        let lowered = text.lowercased()
        return query.allSatisfy { word in
            textWords.contains { $0.hasPrefix(word) } || (isUnspaced(word) && lowered.contains(word))
        }
    }

    public static func words(in text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
