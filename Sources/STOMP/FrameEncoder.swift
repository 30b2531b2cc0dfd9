/// Writes frames in their wire form.
///
/// ```swift
/// let bytes = FrameEncoder.encode(Frame(.send, headers: ["destination": "/app/chat"], text: "hi"), version: .v1_2)
/// ```
public enum FrameEncoder {
    /// The wire bytes of `frame`, from the command line to the closing NUL.
    ///
    /// Headers are escaped as `version` requires (never for `CONNECT`, `STOMP` and `CONNECTED`).
    /// Any `content-length` in `frame.headers` is replaced by the real one, written last, whenever
    /// the body is non-empty and always for `SEND`, `MESSAGE` and `ERROR`, so a body may contain
    /// NUL. Headers that cannot be written (an empty name) are left out; see
    /// `HeaderEscaping.escape` for bytes a version cannot carry.
    public static func encode(_ frame: Frame, version: Version) -> [UInt8] {
        let escaping = HeaderEscaping(version: version, command: frame.command)
        var output: [UInt8] = []
        output.reserveCapacity(frame.command.rawValue.utf8.count + 64 * (frame.headers.count + 1) + frame.body.count)
        output += frame.command.rawValue.utf8
        output.append(ASCII.lineFeed)
        for (name, value) in frame.headers where !name.isEmpty && name != contentLength {
            escaping.escape(name, isName: true, into: &output)
            output.append(ASCII.colon)
            escaping.escape(value, isName: false, into: &output)
            output.append(ASCII.lineFeed)
        }
        if !frame.body.isEmpty || commandsAlwaysCarryingContentLength.contains(frame.command) {
            output += "\(contentLength):\(frame.body.count)".utf8
            output.append(ASCII.lineFeed)
        }
        output.append(ASCII.lineFeed)
        output += frame.body
        output.append(ASCII.null)
        return output
    }

    /// The wire form of one heart-beat: a single end-of-line.
    public static let heartBeat: [UInt8] = [ASCII.lineFeed]

    private static let contentLength = "content-length"

    /// Frames whose bodies are payloads: an explicit length keeps an empty one unambiguous.
    private static let commandsAlwaysCarryingContentLength: Set<Command> = [.send, .message, .error]
}
