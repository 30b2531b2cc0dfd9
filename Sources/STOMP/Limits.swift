/// Size limits the parser enforces, so a peer cannot make us buffer without bound.
///
/// Every limit is checked while bytes arrive, before the offending frame is complete: a 10 MB
/// body is refused after at most `maxBodySize + 1` bytes of it have been looked at.
public struct Limits: Sendable, Equatable {
    /// The largest whole frame in bytes, from the first byte of the command to the closing NUL.
    public var maxFrameSize: Int
    /// The most header lines one frame may carry (repeated names count each time).
    public var maxHeaderCount: Int
    /// The longest header line in bytes, not counting its end-of-line.
    public var maxHeaderLineLength: Int
    /// The largest body in bytes.
    public var maxBodySize: Int

    public init(
        maxFrameSize: Int = 65_536,
        maxHeaderCount: Int = 64,
        maxHeaderLineLength: Int = 8_192,
        maxBodySize: Int = 65_536
    ) {
        self.maxFrameSize = max(0, maxFrameSize)
        self.maxHeaderCount = max(0, maxHeaderCount)
        self.maxHeaderLineLength = max(0, maxHeaderLineLength)
        self.maxBodySize = max(0, maxBodySize)
    }

    /// 64 KiB frames and bodies, 64 headers of at most 8 KiB each.
    public static let `default` = Limits()
}
