import STOMP
import Testing

/// Inputs the libFuzzer targets in Fuzz/ found, kept as tests (docs/fuzzing.md).
@Suite("FrameParser: fuzzer findings")
struct FuzzRegressionTests {
    /// stomp-parser, crash-8ed4ed73: a line one byte longer than any that fits, then NUL, gave
    /// "frame ended before its headers" whole but "unknown command" when the NUL came in a later
    /// chunk. A line that long is too long whatever follows it.
    @Test(
        "a NUL just past the longest line that fits is the same error however the stream is split",
        arguments: [
            (bytes("ABCDEFGHIJKL\0"), Limits.default, STOMPError.Code.unknownCommand),
            (bytes("SEND\nabcde\0"), Limits(maxHeaderLineLength: 4), STOMPError.Code.headerLineTooLong),
        ])
    func nullAfterOverlongLine(input: [UInt8], limits: Limits, code: STOMPError.Code) {
        #expect(parseError(input, limits: limits)?.code == code)
        for split in 1..<input.count {
            var parser = FrameParser(limits: limits)
            var found: STOMPError?
            do {
                _ = try parseEvents(input, splitAt: [split], with: &parser)
            } catch {
                found = error
            }
            #expect(found?.code == code, "split at \(split)")
        }
    }

    /// A CR right before the NUL may still start the EOL of a line that fits: the frame ended early.
    @Test("a NUL after a CR that could end the longest line is still a frame ended early")
    func nullAfterCarriageReturn() {
        let input = bytes("SEND\nabcd\r\0")
        let limits = Limits(maxHeaderLineLength: 4)
        for chunkSize in 1...input.count {
            #expect(parseError(input, chunkSize: chunkSize, limits: limits)?.code == .malformedFrame)
        }
    }
}
