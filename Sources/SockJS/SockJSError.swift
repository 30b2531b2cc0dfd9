/// Why SockJS input was rejected.
///
/// A struct over a private enum, so new cases don't break callers. `description` is the
/// text the reference servers answer with (`Broken JSON encoding.`, `Payload expected.`).
public struct SockJSError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Kind: Sendable, Equatable {
        case brokenJSON
        case payloadExpected
        case invalidUTF8
        case invalidFrame
    }

    private let kind: Kind

    private init(_ kind: Kind) {
        self.kind = kind
    }

    /// The payload is not a JSON array of strings (or a single string), or a string in it
    /// is malformed: bad escapes, raw control characters, lone surrogates, trailing bytes.
    public static let brokenJSON = SockJSError(.brokenJSON)

    /// The payload is empty (or only whitespace), or a `jsonp_send` form has no `d` field.
    public static let payloadExpected = SockJSError(.payloadExpected)

    /// The payload bytes are not valid UTF-8.
    public static let invalidUTF8 = SockJSError(.invalidUTF8)

    /// A server frame is not `o`, `h`, `a[…]` or `c[code,"reason"]`.
    public static let invalidFrame = SockJSError(.invalidFrame)

    public var description: String {
        switch kind {
        case .brokenJSON: return "Broken JSON encoding."
        case .payloadExpected: return "Payload expected."
        case .invalidUTF8: return "Broken JSON encoding: invalid UTF-8."
        case .invalidFrame: return "Invalid SockJS frame."
        }
    }
}
