import STOMP
import Testing

@Suite("FrameParser: frames, EOLs and bodies")
struct FrameParserTests {
    /// Frames from the STOMP 1.2 specification's examples.
    static let specExamples: [(wire: String, expected: Frame)] = [
        (
            "CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0",
            Frame(.connect, headers: ["accept-version": "1.2", "host": "stomp.github.org"])
        ),
        (
            "CONNECTED\nversion:1.2\n\n\0",
            Frame(.connected, headers: ["version": "1.2"])
        ),
        (
            "SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0",
            Frame(.send, headers: ["destination": "/queue/a", "content-type": "text/plain"], text: "hello queue a")
        ),
        (
            "SUBSCRIBE\nid:0\ndestination:/queue/foo\nack:client\n\n\0",
            Frame(.subscribe, headers: ["id": "0", "destination": "/queue/foo", "ack": "client"])
        ),
        (
            "UNSUBSCRIBE\nid:0\n\n\0",
            Frame(.unsubscribe, headers: ["id": "0"])
        ),
        (
            "BEGIN\ntransaction:tx1\n\n\0",
            Frame(.begin, headers: ["transaction": "tx1"])
        ),
        (
            "DISCONNECT\nreceipt:77\n\n\0",
            Frame(.disconnect, headers: ["receipt": "77"])
        ),
        (
            "RECEIPT\nreceipt-id:77\n\n\0",
            Frame(.receipt, headers: ["receipt-id": "77"])
        ),
        (
            "MESSAGE\nsubscription:0\nmessage-id:007\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0",
            Frame(
                .message,
                headers: [
                    "subscription": "0", "message-id": "007", "destination": "/queue/a", "content-type": "text/plain",
                ],
                text: "hello queue a")
        ),
        (
            "ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:8\nmessage:malformed frame received\n\n"
                + "The body\0",
            Frame(
                .error,
                headers: [
                    "receipt-id": "message-12345", "content-type": "text/plain", "content-length": "8",
                    "message": "malformed frame received",
                ],
                text: "The body")
        ),
    ]

    @Test("spec examples parse to the expected frames", arguments: specExamples)
    func specExample(wire: String, expected: Frame) throws {
        #expect(try parseFrames(wire) == [expected])
    }

    @Test("every command is recognised", arguments: Command.allCases)
    func everyCommand(command: Command) throws {
        #expect(try parseFrames("\(command.rawValue)\n\n\0") == [Frame(command)])
    }

    @Test("CR LF works as the end-of-line everywhere")
    func crlfEverywhere() throws {
        let frames = try parseFrames("\r\nSEND\r\ndestination:/a\r\nreceipt:1\r\n\r\nhi\0\r\n")
        #expect(frames == [Frame(.send, headers: ["destination": "/a", "receipt": "1"], text: "hi")])
    }

    @Test("EOLs between frames are heart-beats, before, between and after frames")
    func heartBeatsBetweenFrames() throws {
        let events = try parseEvents(bytes("\n\r\nSEND\ndestination:/a\n\n\0\n\nACK\nid:1\n\n\0\r\n"))
        #expect(
            events == [
                .heartBeat, .heartBeat,
                .frame(Frame(.send, headers: ["destination": "/a"])),
                .heartBeat, .heartBeat,
                .frame(Frame(.ack, headers: ["id": "1"])),
                .heartBeat,
            ])
    }

    @Test("a lone heart-beat is one event, and a lone CR waits for its LF")
    func loneHeartBeat() throws {
        var parser = FrameParser()
        parser.append(bytes("\r"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\n"))
        #expect(try parser.next() == .heartBeat)
        #expect(try parser.next() == nil)
    }

    @Test("a body with content-length may contain NUL")
    func contentLengthBodyWithNull() throws {
        let frames = try parseFrames("SEND\ndestination:/a\ncontent-length:5\n\na\0b\0c\0")
        #expect(frames.first?.body == [0x61, 0, 0x62, 0, 0x63])
    }

    @Test("without content-length the body ends at the first NUL and the next frame follows")
    func bodyEndsAtFirstNull() throws {
        let frames = try parseFrames("SEND\ndestination:/a\n\nfirst\0SEND\ndestination:/b\n\nsecond\0")
        #expect(frames.map(\.bodyText) == ["first", "second"])
        #expect(frames.map { $0.headers["destination"] } == ["/a", "/b"])
    }

    @Test("content-length:0 gives an empty body")
    func zeroContentLength() throws {
        #expect(
            try parseFrames("MESSAGE\ncontent-length:0\n\n\0") == [Frame(.message, headers: ["content-length": "0"])])
    }

    @Test("the first of repeated headers wins and the others are kept")
    func repeatedHeaders() throws {
        let frame = try #require(try parseFrames("MESSAGE\nfoo:World\nfoo:Hello\n\n\0").first)
        #expect(frame.headers["foo"] == "World")
        #expect(frame.headers.values(for: "foo") == ["World", "Hello"])
    }

    @Test("a header splits at its first colon; values keep spaces and may be empty")
    func headerSplitting() throws {
        let frame = try #require(try parseFrames("SEND\ntime: 10:30 \nempty:\n\n\0", version: .v1_0).first)
        #expect(frame.headers["time"] == " 10:30 ")
        #expect(frame.headers["empty"] == "")
    }

    @Test("Unicode headers and bodies come through")
    func unicode() throws {
        let frame = try #require(try parseFrames("SEND\ndestination:/café/日本\nname:😀\n\nüñï\0").first)
        #expect(frame.headers["destination"] == "/café/日本")
        #expect(frame.headers["name"] == "😀")
        #expect(frame.bodyText == "üñï")
    }

    @Test("an incomplete frame yields nil until its NUL arrives")
    func incompleteFrame() throws {
        var parser = FrameParser()
        parser.append(bytes("SEND\ndestination:/a\n\nhel"))
        #expect(try parser.next() == nil)
        parser.append(bytes("lo"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\0"))
        #expect(try parser.next() == .frame(Frame(.send, headers: ["destination": "/a"], text: "hello")))
        #expect(parser.bufferedByteCount == 0)
    }

    @Test("a content-length body waits for all its bytes and the NUL")
    func incompleteContentLengthBody() throws {
        var parser = FrameParser()
        parser.append(bytes("SEND\ncontent-length:3\n\n\0\0"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\0"))
        #expect(try parser.next() == nil)
        parser.append(bytes("\0"))
        #expect(try parser.next() == .frame(Frame(.send, headers: ["content-length": "3"], body: [0, 0, 0])))
    }

    @Test("the version can change between frames, as after CONNECT")
    func versionChangesBetweenFrames() throws {
        var parser = FrameParser(version: .v1_0)
        parser.append(bytes("SEND\nkey:a\\cb\n\n\0SEND\nkey:a\\cb\n\n\0"))
        #expect(try parser.next() == .frame(Frame(.send, headers: ["key": "a\\cb"])))
        parser.version = .v1_2
        #expect(try parser.next() == .frame(Frame(.send, headers: ["key": "a:b"])))
    }

    @Test("one byte at a time gives the same frames as all at once")
    func byteByByte() throws {
        let input = bytes("\nCONNECT\naccept-version:1.2\r\n\r\n\0SEND\ndestination:/a\ncontent-length:2\n\n\0x\0\n")
        #expect(try parseEvents(input, chunkSize: 1) == parseEvents(input))
        #expect(try parseEvents(input).count == 4)
    }
}

@Suite("FrameParser: header escaping")
struct HeaderEscapingParserTests {
    @Test(
        "escapes decode per version",
        arguments: [
            (Version.v1_0, #"a\nb\cc\\d\re"#, #"a\nb\cc\\d\re"#),
            (.v1_1, #"a\nb\cc\\d"#, "a\nb:c\\d"),
            (.v1_2, #"a\nb\cc\\d\re"#, "a\nb:c\\d\re"),
            (.v1_2, #"\\n"#, #"\n"#),
            (.v1_2, #"\c\c"#, "::"),
        ])
    func escapes(version: Version, wire: String, value: String) throws {
        let frame = try #require(try parseFrames("SEND\nkey:\(wire)\n\n\0", version: version).first)
        #expect(frame.headers["key"] == value)
    }

    @Test("header names are unescaped too")
    func escapedName() throws {
        let frame = try #require(try parseFrames("SEND\na\\cb:c\n\n\0").first)
        #expect(frame.headers["a:b"] == "c")
    }

    @Test(
        "undefined escapes are errors in 1.1 and 1.2",
        arguments: [
            (Version.v1_1, #"a\rb"#),
            (.v1_1, #"a\tb"#),
            (.v1_2, #"a\tb"#),
            (.v1_2, #"a\"#),
            (.v1_2, #"\N"#),
        ])
    func undefinedEscape(version: Version, wire: String) {
        #expect(parseError("SEND\nkey:\(wire)\n\n\0", version: version)?.code == .invalidHeaderEscape)
    }

    @Test("CONNECT, STOMP and CONNECTED headers are never unescaped", arguments: [Command.connect, .stomp, .connected])
    func connectFramesAreNotUnescaped(command: Command) throws {
        let frame = try #require(try parseFrames("\(command.rawValue)\nlogin:a\\cb\\t\n\n\0", version: .v1_2).first)
        #expect(frame.headers["login"] == #"a\cb\t"#)
    }
}
