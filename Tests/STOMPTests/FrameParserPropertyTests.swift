import STOMP
import TestSupport
import Testing

/// Random frames and streams for property tests.
struct FrameGenerator {
    var random: SplitMix64

    /// Characters that stress escaping and UTF-8: delimiters, escapes, multi-byte scalars.
    static let richCharacters: [Character] = [
        "a", "b", "Z", "0", "-", "/", " ", ",", "\t", ":", "\n", "\\", "\r", "é", "日", "😀", "\u{0301}",
    ]

    /// The characters a header written with this version and command comes back with unchanged.
    static func roundTripCharacters(version: Version, command: Command, isName: Bool) -> [Character] {
        guard command.escapesHeaders, version != .v1_0 else {
            // No escapes: line breaks would end the line, and a colon would end a name.
            return richCharacters.filter { $0 != "\n" && $0 != "\r" && !(isName && $0 == ":") }
        }
        // 1.1 has no escape for CR, and a CR before the EOL reads as part of a CR LF.
        return version == .v1_1 ? richCharacters.filter { $0 != "\r" } : richCharacters
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    mutating func string(from characters: [Character], length: ClosedRange<Int>) -> String {
        String((0..<int(length)).map { _ in characters.randomElement(using: &random)! })
    }

    mutating func body() -> [UInt8] {
        (0..<int(0...40)).map { _ in [0, 0x0A, 0x0D, 0x61, 0xFF].randomElement(using: &random)! }
    }

    /// A frame whose headers survive encoding with `version` unchanged.
    mutating func roundTripFrame(version: Version) -> Frame {
        let command = Command.allCases.randomElement(using: &random)!
        let nameCharacters = Self.roundTripCharacters(version: version, command: command, isName: true)
        let valueCharacters = Self.roundTripCharacters(version: version, command: command, isName: false)
        var headers = Headers()
        for _ in 0..<int(0...6) {
            let name = string(from: nameCharacters, length: 1...8)
            if name != "content-length" {
                headers.append(name, string(from: valueCharacters, length: 0...12))
            }
        }
        return Frame(command, headers: headers, body: body())
    }

    /// How `frame` reads back after encoding: the encoder adds the real `content-length`.
    static func expectedAfterRoundTrip(_ frame: Frame) -> Frame {
        var expected = frame
        if !frame.body.isEmpty || [.send, .message, .error].contains(frame.command) {
            expected.headers.append("content-length", String(frame.body.count))
        }
        return expected
    }

    /// Sorted offsets at which to cut a stream of `count` bytes.
    mutating func splitOffsets(count: Int) -> [Int] {
        guard count > 1 else { return [] }
        return (0..<int(0...min(count, 30))).map { _ in int(1...(count - 1)) }.sorted()
    }
}

@Suite("FrameParser: properties")
struct FrameParserPropertyTests {
    @Test("encoding then parsing gives back the frame, in every version", arguments: Version.allCases)
    func roundTrip(version: Version) throws {
        var generator = FrameGenerator(
            random: SplitMix64(seed: 0x5EED_0001 &+ UInt64(Version.allCases.firstIndex(of: version)!)))
        for _ in 0..<300 {
            let frame = generator.roundTripFrame(version: version)
            let events = try parseEvents(FrameEncoder.encode(frame, version: version), version: version)
            #expect(events == [.frame(FrameGenerator.expectedAfterRoundTrip(frame))], "\(frame)")
        }
    }

    @Test("a stream parses to the same events however it is split")
    func randomSplits() throws {
        var generator = FrameGenerator(random: SplitMix64(seed: 42))
        for _ in 0..<300 {
            var stream: [UInt8] = []
            for _ in 0..<generator.int(1...5) {
                stream += [[], [0x0A], [0x0D, 0x0A], [0x0A, 0x0A]].randomElement(using: &generator.random)!
                stream += FrameEncoder.encode(generator.roundTripFrame(version: .v1_2), version: .v1_2)
            }
            let whole = try parseEvents(stream)
            var parser = FrameParser()
            let split = try parseEvents(stream, splitAt: generator.splitOffsets(count: stream.count), with: &parser)
            #expect(split == whole)
            #expect(parser.bufferedByteCount == 0)
        }
    }

    @Test("one byte at a time gives the same events as all at once")
    func oneByteAtATime() throws {
        var generator = FrameGenerator(random: SplitMix64(seed: 7))
        for _ in 0..<100 {
            let version = Version.allCases.randomElement(using: &generator.random)!
            var stream: [UInt8] = []
            for _ in 0..<3 {
                stream += FrameEncoder.encode(generator.roundTripFrame(version: version), version: version) + [0x0A]
            }
            #expect(try parseEvents(stream, chunkSize: 1, version: version) == parseEvents(stream, version: version))
        }
    }

    @Test("whatever the headers hold, encoded frames parse with the same command, body and header count")
    func encoderOutputAlwaysParses() throws {
        var generator = FrameGenerator(random: SplitMix64(seed: 99))
        let anything = FrameGenerator.richCharacters + ["\0"]
        for _ in 0..<400 {
            let version = Version.allCases.randomElement(using: &generator.random)!
            var frame = Frame(Command.allCases.randomElement(using: &generator.random)!, body: generator.body())
            for _ in 0..<generator.int(0...5) {
                frame.headers.append(
                    generator.string(from: anything, length: 0...6), generator.string(from: anything, length: 0...6))
            }
            let events = try parseEvents(FrameEncoder.encode(frame, version: version), version: version)
            guard case .frame(let parsed) = events.first, events.count == 1 else {
                Issue.record("expected one frame, got \(events)")
                continue
            }
            let written = frame.headers.filter { !$0.name.isEmpty && $0.name != "content-length" }.count
            #expect(parsed.command == frame.command)
            #expect(parsed.body == frame.body)
            #expect(
                parsed.headers.count == FrameGenerator.expectedAfterRoundTrip(Frame(frame.command, body: frame.body))
                    .headers.count + written)
        }
    }

    @Test("on arbitrary bytes the parser never traps, and events and error do not depend on the split")
    func garbageIsSplitInvariant() {
        var generator = FrameGenerator(random: SplitMix64(seed: 2024))
        let pieces: [[UInt8]] = [
            bytes("SEND"), bytes("MESSAGE"), bytes("CONNECT"), bytes("\n"), bytes("\r\n"), bytes("\r"), [0],
            bytes(":"), bytes("\\"), bytes("\\c"), bytes("key:value\n"), bytes("content-length:"), bytes("3"),
            bytes("12"), bytes("x"), [0xFF], [0xC3, 0xA9], bytes("\n\n"),
        ]
        let limits = Limits(maxFrameSize: 60, maxHeaderCount: 3, maxHeaderLineLength: 16, maxBodySize: 12)
        for _ in 0..<500 {
            let stream = (0..<generator.int(1...25)).flatMap { _ in pieces.randomElement(using: &generator.random)! }
            let version = Version.allCases.randomElement(using: &generator.random)!
            let whole = outcome(stream, splitAt: [], limits: limits, version: version)
            let split = outcome(
                stream, splitAt: generator.splitOffsets(count: stream.count), limits: limits, version: version)
            #expect(split.events == whole.events, "\(stream)")
            #expect(split.error == whole.error, "\(stream)")
        }
    }

    private func outcome(_ stream: [UInt8], splitAt offsets: [Int], limits: Limits, version: Version) -> (
        events: [FrameParserEvent], error: STOMPError?
    ) {
        var parser = FrameParser(limits: limits, version: version)
        var events: [FrameParserEvent] = []
        var start = 0
        for end in offsets + [stream.count] where end >= start {
            parser.append(stream[start..<end])
            start = end
            do {
                while let event = try parser.next() {
                    events.append(event)
                }
            } catch {
                return (events, error)
            }
        }
        return (events, nil)
    }
}
