import FuzzSupport
import STOMP

// The STOMP frame parser on arbitrary bytes.
//
// Input: a version byte, a chunking seed, a limits switch and four limit bytes, then the stream.
// Checked: the stream parses to the same events and the same error whole and in chunks; every
// frame respects the limits; the parser never holds more pending bytes than one frame may have;
// a failed parser keeps failing the same way; every frame re-encodes to bytes that parse back as
// one frame with the same command, body and number of headers (exactly the same frame where
// STOMP 1.2 escaping applies).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSTOMPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let version = Version.allCases[Int(input.byte()) % Version.allCases.count]
    let seed = input.byte()
    let smallLimits = input.byte() & 1 == 1
    let limitBytes = input.bytes(4).map(Int.init) + [0, 0, 0, 0]
    let limits =
        smallLimits
        ? Limits(
            maxFrameSize: limitBytes[0] * 4, maxHeaderCount: limitBytes[1] % 16,
            maxHeaderLineLength: limitBytes[2], maxBodySize: limitBytes[3] * 2)
        : Limits.default
    let stream = input.rest()

    let whole = parse([stream[...]], limits: limits, version: version)
    let split = parse(chunked(stream, seed: seed), limits: limits, version: version)
    require(whole.events == split.events, "events differ when the stream is split (seed \(seed))")
    require(
        whole.error == split.error,
        "errors differ: \(String(describing: whole.error)) vs \(String(describing: split.error))")
    for event in whole.events {
        if case .frame(let frame) = event {
            checkRoundTrip(frame, version: version)
        }
    }
    return 0
}

private struct Outcome {
    var events: [FrameParserEvent] = []
    var error: STOMPError?
}

private func parse(_ chunks: [ArraySlice<UInt8>], limits: Limits, version: Version) -> Outcome {
    var parser = FrameParser(limits: limits, version: version)
    var outcome = Outcome()
    var appended = 0
    var lastEventEnd = 0
    for chunk in chunks {
        parser.append(chunk)
        appended += chunk.count
        while true {
            let event: FrameParserEvent?
            do {
                event = try parser.next()
            } catch {
                outcome.error = error
                checkStaysFailed(&parser, with: error)
                return outcome
            }
            let buffered = parser.bufferedByteCount
            require(buffered >= 0 && buffered <= appended, "bufferedByteCount \(buffered) of \(appended) appended")
            let eventEnd = appended - buffered
            let length = eventEnd - lastEventEnd
            switch event {
            case nil:
                // Everything since the last event is pending: at most one frame's worth.
                let allowed = max(limits.maxFrameSize, longestCommandLine)
                require(length <= allowed, "\(length) bytes pending with maxFrameSize \(limits.maxFrameSize)")
            case .heartBeat:
                require(length == 1 || length == 2, "a heart-beat of \(length) bytes")
            case .frame(let frame):
                checkLimits(frame, length: length, limits: limits)
            }
            guard let event else { break }
            outcome.events.append(event)
            lastEventEnd = eventEnd
        }
    }
    return outcome
}

/// The longest command (`UNSUBSCRIBE`) with CR LF: a command line can be pending before any limit applies.
private let longestCommandLine = (Command.allCases.map(\.rawValue.utf8.count).max() ?? 0) + 2

private func checkLimits(_ frame: Frame, length: Int, limits: Limits) {
    require(length <= limits.maxFrameSize, "a \(length)-byte frame with maxFrameSize \(limits.maxFrameSize)")
    require(frame.body.count <= limits.maxBodySize, "a \(frame.body.count)-byte body, max \(limits.maxBodySize)")
    require(
        frame.headers.count <= limits.maxHeaderCount, "\(frame.headers.count) headers, max \(limits.maxHeaderCount)")
    for (name, value) in frame.headers {
        // Unescaping only shortens, so the decoded line is no longer than the wire line.
        let lineLength = name.utf8.count + 1 + value.utf8.count
        require(!name.isEmpty, "a header with an empty name")
        require(lineLength <= limits.maxHeaderLineLength, "a \(lineLength)-byte header line")
    }
}

/// After an error, more bytes or more calls change nothing: the same error every time.
private func checkStaysFailed(_ parser: inout FrameParser, with error: STOMPError) {
    for bytes in [[], Array("\nSEND\n\n\0".utf8)] {
        parser.append(bytes)
        do {
            let event = try parser.next()
            require(false, "a failed parser returned \(String(describing: event))")
        } catch let again {
            require(again == error, "a failed parser threw \(again), first \(error)")
        }
    }
}

private let roomyLimits = Limits(
    maxFrameSize: 1 << 30, maxHeaderCount: 1 << 20, maxHeaderLineLength: 1 << 30, maxBodySize: 1 << 30)

/// What the encoder writes for a parsed frame parses back as exactly that frame (headers
/// compared without `content-length`, which the encoder writes itself).
private func checkRoundTrip(_ frame: Frame, version: Version) {
    let encoded = FrameEncoder.encode(frame, version: version)
    var parser = FrameParser(limits: roomyLimits, version: version)
    parser.append(encoded)
    let reparsed: Frame
    do {
        guard case .frame(let frame) = try parser.next() else {
            return require(false, "an encoded frame did not parse back as a frame")
        }
        reparsed = frame
        require(try parser.next() == nil, "an encoded frame parsed back as more than one event")
    } catch {
        return require(false, "an encoded \(frame.command.rawValue) frame failed to parse: \(error)")
    }
    require(parser.bufferedByteCount == 0, "bytes left after an encoded frame")
    require(reparsed.command == frame.command, "command changed")
    require(reparsed.body == frame.body, "body changed")
    let before = frame.headers.filter { $0.name != "content-length" }
    let after = reparsed.headers.filter { $0.name != "content-length" }
    require(before.count == after.count, "\(before.count) headers became \(after.count)")
    if version == .v1_2 && frame.command.escapesHeaders {
        require(
            before.elementsEqual(after) { $0.name == $1.name && $0.value == $1.value },
            "headers changed in a 1.2 round trip")
    }
}
