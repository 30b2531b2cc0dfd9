/// Byte budgets of the replies a peer can ask for: every reply the server builds is bounded in
/// bytes, not only in messages, so a page of 200 messages of 16 KiB each is not 3 MiB queued for
/// a client that may never read it.
public enum ReplyBudget {
    /// History and private messages in a `welcome`, together. (The member list is always
    /// complete: it is what a client needs to show who is here.)
    public static let welcomeBytes = 256 * 1024
    /// Messages in one `history` or `search` reply.
    public static let pageBytes = 256 * 1024

    /// The longest run of `messages` whose JSON fits in `bytes`, taken from the newest end
    /// (`messages` oldest first): a page keeps the messages next to what the client has, and
    /// the client asks again before the oldest one it got.
    public static func newest<Message: Encodable>(_ messages: [Message], within bytes: Int) -> [Message] {
        var total = 2  // the array's brackets
        var count = 0
        for message in messages.reversed() {
            let size = PayloadCoding.encode(message).count + 1  // and a comma
            guard total + size <= bytes else { break }
            total += size
            count += 1
        }
        return Array(messages.suffix(count))
    }

    /// The same from the front of `messages` (newest first, as search answers).
    public static func first<Message: Encodable>(_ messages: [Message], within bytes: Int) -> [Message] {
        Array(newest(Array(messages.reversed()), within: bytes).reversed())
    }
}
