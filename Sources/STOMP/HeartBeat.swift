/// One side's heart-beat offer, as carried by the `heart-beat` header of `CONNECT` or `CONNECTED`.
///
/// The header is `sendEvery,expectEvery` in milliseconds: the smallest interval at which this side
/// can send heart-beats, and the interval at which it would like to receive them; `0` means
/// "cannot" or "does not want". A missing header means `0,0` (``off``).
public struct HeartBeat: Sendable, Equatable {
    /// The smallest interval, in ms, at which this side can send heart-beats; 0 = never.
    public var sendEvery: Int
    /// The interval, in ms, at which this side wants heart-beats from its peer; 0 = never.
    public var expectEvery: Int

    public init(sendEvery: Int, expectEvery: Int) {
        self.sendEvery = max(0, sendEvery)
        self.expectEvery = max(0, expectEvery)
    }

    /// Parses a `heart-beat` header value such as `10000,10000`; spaces around the numbers are allowed.
    public init(header: String) throws(STOMPError) {
        let parts = header.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let send = Self.milliseconds(parts[0]), let expect = Self.milliseconds(parts[1]) else {
            throw STOMPError(.invalidHeartBeat, message: "heart-beat header is not two non-negative integers")
        }
        self.init(sendEvery: send, expectEvery: expect)
    }

    /// The header value, `sendEvery,expectEvery`.
    public var headerValue: String { "\(sendEvery),\(expectEvery)" }

    /// No heart-beats either way: what a missing header means.
    public static let off = HeartBeat(sendEvery: 0, expectEvery: 0)

    private static func milliseconds(_ text: Substring) -> Int? {
        let digits = text.trimmingSpaces
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Beyond Int means the peer is not serious; refusing it beats wrapping around.
        return Int(digits)
    }
}

/// The heart-beat intervals one side must keep after negotiation.
public struct NegotiatedHeartBeat: Sendable, Equatable {
    /// This side must send something (a frame or a heart-beat EOL) at least this often, in ms; nil = never.
    public var sendInterval: Int?
    /// This side should hear from its peer this often, in ms; nil = never.
    public var receiveInterval: Int?

    public init(sendInterval: Int?, receiveInterval: Int?) {
        self.sendInterval = sendInterval
        self.receiveInterval = receiveInterval
    }

    /// No heart-beats either way.
    public static let off = NegotiatedHeartBeat(sendInterval: nil, receiveInterval: nil)
}
