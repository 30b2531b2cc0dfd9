import STOMP

/// The UTF-8 bytes of `text`; `\0` in a literal is the frame-ending NUL.
func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

/// Everything a parser yields for `input` fed in chunks of `chunkSize` bytes (all at once by default).
func parseEvents(
    _ input: [UInt8],
    chunkSize: Int? = nil,
    limits: Limits = .default,
    version: Version = .v1_2
) throws(STOMPError) -> [FrameParserEvent] {
    var parser = FrameParser(limits: limits, version: version)
    return try parseEvents(
        input, splitAt: stride(from: 0, to: input.count, by: chunkSize ?? max(1, input.count)), with: &parser)
}

/// Everything `parser` yields for `input` split at these offsets, draining after every chunk.
func parseEvents<Offsets: Sequence<Int>>(
    _ input: [UInt8], splitAt offsets: Offsets, with parser: inout FrameParser
) throws(STOMPError) -> [FrameParserEvent] {
    var events: [FrameParserEvent] = []
    let bounds = Array(offsets.filter { $0 > 0 && $0 < input.count }) + [input.count]
    var start = 0
    for end in bounds where end >= start {
        parser.append(input[start..<end])
        start = end
        while let event = try parser.next() {
            events.append(event)
        }
    }
    return events
}

/// The frames (heart-beats dropped) a parser yields for `text`.
func parseFrames(_ text: String, limits: Limits = .default, version: Version = .v1_2) throws(STOMPError) -> [Frame] {
    try parseEvents(bytes(text), limits: limits, version: version).compactMap {
        if case .frame(let frame) = $0 { frame } else { nil }
    }
}

/// The error a parser reports for `input`, or nil when it parses (completely or not).
func parseError(_ input: [UInt8], chunkSize: Int? = nil, limits: Limits = .default, version: Version = .v1_2)
    -> STOMPError?
{
    do {
        _ = try parseEvents(input, chunkSize: chunkSize, limits: limits, version: version)
        return nil
    } catch {
        return error
    }
}

func parseError(_ text: String, limits: Limits = .default, version: Version = .v1_2) -> STOMPError? {
    parseError(bytes(text), limits: limits, version: version)
}
