import SockJS
import TestSupport
import Testing

@Suite("Transport framing")
struct TransportFramingTests {
    private func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    @Test(
        "frames on each transport",
        arguments: [
            (Transport.websocket, #"a["x"]"#),
            (.xhr, "a[\"x\"]\n"),
            (.xhrStreaming, "a[\"x\"]\n"),
            (.eventsource, "data: a[\"x\"]\r\n\r\n"),
            (.htmlfile, "<script>\np(\"a[\\\"x\\\"]\");\n</script>\r\n"),
            (.jsonp, "/**/cb.x(\"a[\\\"x\\\"]\");\r\n"),
        ]
    )
    func framed(transport: Transport, expected: String) {
        #expect(text(transport.framed(.messages(["x"]), callback: "cb.x")) == expected)
    }

    @Test("open frame on polling transports")
    func openFrames() {
        #expect(text(Transport.xhr.framed(.open)) == "o\n")
        #expect(text(Transport.jsonp.framed(.open, callback: "c")) == "/**/c(\"o\");\r\n")
        #expect(text(Transport.eventsource.framed(.heartbeat)) == "data: h\r\n\r\n")
    }

    @Test("script transports cannot be broken out of")
    func scriptEscaping() {
        let hostile = SockJSFrame.messages(["</script><script>alert(1)</script>&\u{2028}"])
        let html = text(Transport.htmlfile.framed(hostile))
        #expect(!html.dropFirst("<script>".count).dropLast("</script>\r\n".count).contains("<"))
        #expect(html.contains(#"\u003c/script\u003e"#))
        #expect(html.contains(#"\u0026"#))
        #expect(html.contains(#"\\u2028"#))  // already escaped in the frame, then its backslash escaped
        let jsonp = text(Transport.jsonp.framed(hostile, callback: "f"))
        #expect(!jsonp.contains("<") && !jsonp.contains(">"))
    }

    @Test("the script string literal holds exactly the frame")
    func scriptLiteralDecodes() throws {
        var generator = SplitMix64(seed: 77)
        for _ in 0..<500 {
            let frame = SockJSFrame.messages([generator.nextTestString(), "</script>&"])
            let html = text(Transport.htmlfile.framed(frame))
            let literal = html.dropFirst("<script>\np(".count).dropLast(");\n</script>\r\n".count)
            #expect(try SockJSJSON.decodeMessages(Array(literal.utf8)) == [frame.encoded])
        }
    }

    @Test("preludes")
    func preludes() {
        let streaming = Transport.xhrStreaming.prelude()
        #expect(streaming.count == 2049)
        #expect(streaming.dropLast().allSatisfy { $0 == UInt8(ascii: "h") } && streaming.last == 0x0A)
        #expect(text(Transport.eventsource.prelude()) == "\r\n")
        for transport in [Transport.websocket, .xhr, .jsonp, .xhrSend, .jsonpSend] {
            #expect(transport.prelude().isEmpty)
        }
    }

    @Test("htmlfile prelude calls the parent callback and passes 1 KiB")
    func htmlfilePrelude() {
        let page = Transport.htmlfile.prelude(callback: "_jp.abc")
        #expect(page.count >= 1024)
        let html = text(page)
        #expect(html.contains("var c = parent._jp.abc;"))
        #expect(html.contains("function p(d) {c.message(d);};"))
        #expect(html.hasSuffix("\r\n\r\n"))
    }

    @Test("content types")
    func contentTypes() {
        #expect(Transport.xhr.contentType == "application/javascript; charset=UTF-8")
        #expect(Transport.xhrStreaming.contentType == "application/javascript; charset=UTF-8")
        #expect(Transport.jsonp.contentType == "application/javascript; charset=UTF-8")
        #expect(Transport.eventsource.contentType == "text/event-stream")
        #expect(Transport.htmlfile.contentType == "text/html; charset=UTF-8")
        #expect(Transport.xhrSend.contentType == "text/plain; charset=UTF-8")
    }

    @Test(
        "callback names",
        arguments: [
            ("cb", true), ("_jp.a1b2", true), ("Az_0.9", true), ("a-b", false), ("", false), ("a b", false),
            ("a(", false),
            ("</script>", false), ("é", false), ("a;alert(1)", false),
        ])
    func callbackNames(name: String, valid: Bool) {
        #expect(isValidCallbackName(name) == valid)
    }

    @Test("overlong callback names are rejected")
    func longCallback() {
        #expect(isValidCallbackName(String(repeating: "a", count: 256)))
        #expect(!isValidCallbackName(String(repeating: "a", count: 257)))
    }
}

@Suite("Transport methods")
struct TransportMethodTests {
    @Test("polling and streaming over XHR, and both senders, are POST; the rest are GET")
    func methods() {
        let posts = Transport.allCases.filter { $0.method == .post }.map(\.rawValue).sorted()
        #expect(posts == ["jsonp_send", "xhr", "xhr_send", "xhr_streaming"])
        let gets = Transport.allCases.filter { $0.method == .get }.map(\.rawValue).sorted()
        #expect(gets == ["eventsource", "htmlfile", "jsonp", "websocket"])
    }
}
