import STOMP
import Testing

@testable import LobbyBench

@Suite("MESSAGE frames split in place")
struct RawFramesTests {
    /// (subscription, body) of each MESSAGE found, or nil when the payload needs the full parser.
    static func split(_ text: String) -> [(String?, String)]? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            RawFrames.messages(in: buffer)?.map { message in
                (
                    message.subscription.map { String(decoding: buffer[$0], as: UTF8.self) },
                    String(decoding: buffer[message.body], as: UTF8.self)
                )
            }
        }
    }

    static func encoded(_ frames: [Frame]) -> String {
        frames.map { String(decoding: FrameEncoder.encode($0, version: .v1_2), as: UTF8.self) }.joined()
    }

    @Test("what the encoder writes comes back: several frames, heart-beats between, with and without length")
    func frames() {
        let presence = Frame(
            .message,
            headers: [
                "destination": "/topic/presence", "subscription": "presence", "message-id": "7",
                "content-type": "application/json", "content-length": "28",
            ], body: Array(#"{"type":"join","user":"a\#u{0}b"}"#.utf8))
        let reply = Frame(
            .message, headers: ["subscription": "reply", "subscription": "other"], body: Array("hi".utf8))
        let payload = "\n" + Self.encoded([presence]) + "\r\n\n" + Self.encoded([reply])
        let split = Self.split(payload)
        #expect(split?.count == 2)
        #expect(split?[0].0 == "presence")
        #expect(split?[0].1 == #"{"type":"join","user":"a\#u{0}b"}"#)
        #expect(split?[1].0 == "reply")
        #expect(split?[1].1 == "hi")
        #expect(Self.split("MESSAGE\r\ncontent-length:0\r\n\r\n\0")?.count == 1)
        #expect(Self.split("MESSAGE\n\nno headers\0")?.first?.0 == nil)
        #expect(Self.split("")?.isEmpty == true)
        #expect(Self.split("\n")?.isEmpty == true)
    }

    @Test("anything else goes to the full parser")
    func fallBack() {
        for text in [
            "RECEIPT\nreceipt-id:ready\n\n\0", "MESSAGE\nsubscription:x\n\nbody", "MESSAGE\nsubscription:x\n",
            "MESSAGE\ncontent-length:5\n\nab\0", "MESSAGE\ncontent-length:2\n\nabc\0",
            "MESSAGE\ncontent-length:x\n\n\0",
            "MESSAGE\nbad header\n\n\0", "MESSAGE\n\n\0CONNECTED\n\n\0", "MESSAGES\n\n\0", "MESSAGE\n\n\0MESS",
        ] {
            #expect(Self.split(text) == nil, "\(text.debugDescription)")
        }
    }
}
