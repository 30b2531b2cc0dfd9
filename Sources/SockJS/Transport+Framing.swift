extension Transport {
    /// The `Content-Type` of a response on this transport.
    ///
    /// `xhr_send` answers 204 with no body and `jsonp_send` answers `ok`; both as plain text.
    public var contentType: String {
        switch self {
        case .websocket, .xhrSend, .jsonpSend: return "text/plain; charset=UTF-8"
        case .xhr, .xhrStreaming, .jsonp: return "application/javascript; charset=UTF-8"
        case .eventsource: return "text/event-stream"
        case .htmlfile: return "text/html; charset=UTF-8"
        }
    }

    /// The bytes a receiving response starts with, before any frame.
    ///
    /// - `xhr_streaming`: 2048 `h` and a newline, so browsers that buffer the first 2 KiB
    ///   start delivering progress events;
    /// - `eventsource`: an empty line;
    /// - `htmlfile`: an HTML page, padded past 1 KiB, that defines `p(frame)` to hand frames
    ///   to `parent[callback]`;
    /// - everything else: nothing.
    ///
    /// - Parameter callback: the `c` query parameter (htmlfile only); check it with
    ///   `isValidCallbackName(_:)` first.
    public func prelude(callback: String? = nil) -> [UInt8] {
        switch self {
        case .xhrStreaming:
            return [UInt8](repeating: 0x68, count: 2048) + [ASCII.newline]
        case .eventsource:
            return [ASCII.carriageReturn, ASCII.newline]
        case .htmlfile:
            var page = Array(
                """
                <!doctype html>
                <html><head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                </head><body><h2>Don't panic!</h2>
                  <script>
                    document.domain = document.domain;
                    var c = parent.\(callback ?? "");
                    c.start();
                    function p(d) {c.message(d);};
                    window.onload = function() {c.stop();};
                  </script>
                """.utf8
            )
            // Old browsers render nothing until they have 1 KiB of the page.
            page += [UInt8](repeating: ASCII.space, count: max(0, 1024 - page.count))
            page += [ASCII.carriageReturn, ASCII.newline, ASCII.carriageReturn, ASCII.newline]
            return page
        case .websocket, .xhr, .xhrSend, .jsonp, .jsonpSend:
            return []
        }
    }

    /// One frame as this transport writes it into a response body.
    ///
    /// | transport | bytes |
    /// | --- | --- |
    /// | `websocket` (and the send transports) | `frame` |
    /// | `xhr`, `xhr_streaming` | `frame\n` |
    /// | `eventsource` | `data: frame\r\n\r\n` |
    /// | `htmlfile` | `<script>\np("frame");\n</script>\r\n` |
    /// | `jsonp` | `/**/callback("frame");\r\n` |
    ///
    /// In the script forms the frame is a JavaScript string literal: SockJS-escaped, with
    /// `<`, `>` and `&` also escaped so a message can never close the `<script>` element.
    public func framed(_ frame: SockJSFrame, callback: String? = nil) -> [UInt8] {
        let encoded = frame.encodedBytes
        switch self {
        case .websocket, .xhrSend, .jsonpSend:
            return encoded
        case .xhr, .xhrStreaming:
            return encoded + [ASCII.newline]
        case .eventsource:
            return Array("data: ".utf8) + encoded + [
                ASCII.carriageReturn, ASCII.newline, ASCII.carriageReturn, ASCII.newline,
            ]
        case .htmlfile:
            return Array("<script>\np(\"".utf8) + scriptStringContent(frame.encoded) + Array("\");\n</script>\r\n".utf8)
        case .jsonp:
            // "/**/" keeps the response from starting with attacker-chosen bytes (Rosetta Flash).
            return Array("/**/\(callback ?? "")(\"".utf8) + scriptStringContent(frame.encoded) + Array("\");\r\n".utf8)
        }
    }
}

/// Whether `name` may be used as the `c` (callback) query parameter of `jsonp` and `htmlfile`:
/// non-empty, at most 256 characters from `[A-Za-z0-9_.]` (the set the SockJS protocol allows),
/// so it cannot inject script.
public func isValidCallbackName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    return (1...256).contains(bytes.count)
        && bytes.allSatisfy { byte in
            (ASCII.zero...ASCII.nine).contains(byte) || (ASCII.lowercaseA...ASCII.lowercaseZ).contains(byte)
                || (ASCII.uppercaseA...0x5A).contains(byte) || byte == ASCII.underscore || byte == ASCII.period
        }
}

/// SockJS-escaped string content with `<`, `>` and `&` also escaped as `\u003c`, `\u003e`, `\u0026`.
private func scriptStringContent(_ text: String) -> [UInt8] {
    var escaped: [UInt8] = []
    SockJSJSON.appendEscaped(text, to: &escaped)
    var result: [UInt8] = []
    result.reserveCapacity(escaped.count)
    for byte in escaped {
        switch byte {
        case 0x3C: result += Array("\\u003c".utf8)
        case 0x3E: result += Array("\\u003e".utf8)
        case ASCII.ampersand: result += Array("\\u0026".utf8)
        default: result.append(byte)
        }
    }
    return result
}
