import FuzzSupport
import SockJS

// The SockJS JSON decoder (xhr_send bodies, WebSocket messages, jsonp_send forms), the frame
// parser clients use, and the escaping the server writes, all on the same arbitrary bytes.
//
// Checked: bytes that are not UTF-8 are refused as such, and only those; whatever decodes
// re-encodes to JSON that decodes to the same messages, and that encoding is stable; a parsed
// frame re-encodes to itself; any text escapes to a JSON string that decodes back to it, with
// no control character, no astral character and none of the characters SockJS escapes left
// raw; script transports never carry `<`, `>`, `&` or a line break inside their string literal.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSockJSJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkMessages(bytes)
    checkFrame(bytes)
    checkForm(bytes)
    checkEscaping(String(decoding: bytes, as: UTF8.self))
    return 0
}

private func decode(_ bytes: some Collection<UInt8>) -> Result<[String], SockJSError> {
    Result { () throws(SockJSError) in try SockJSJSON.decodeMessages(bytes) }
}

private func checkMessages(_ bytes: [UInt8]) {
    let isUTF8 = String(validating: bytes, as: UTF8.self) != nil
    switch decode(bytes) {
    case .failure(let error):
        require((error == .invalidUTF8) == !isUTF8, "\(error) for bytes that are\(isUTF8 ? "" : " not") UTF-8")
    case .success(let messages):
        require(isUTF8, "bytes that are not UTF-8 decoded")
        let encoded = SockJSJSON.encodeArray(messages)
        require(decode(Array(encoded.utf8)) == .success(messages), "encodeArray does not decode back")
        require(SockJSJSON.encodeArray(messages) == encoded, "encodeArray is not stable")
        let frame = SockJSFrame.messages(messages)
        require(frame.encoded == "a" + encoded, "an a-frame is not a + encodeArray")
        for transport in [Transport.websocket, .xhr, .xhrStreaming] {
            let parsed = Result { () throws(SockJSError) in try SockJSFrame(parsing: transport.framed(frame)) }
            require(parsed == .success(frame), "a \(transport) frame does not parse back")
        }
        checkScriptFraming(frame)
        // The same JSON as a jsonp_send body of another content type decodes the same.
        let body = Result { () throws(SockJSError) in
            try SockJSJSON.decodeJSONPSendBody(bytes, contentType: "text/plain")
        }
        require(body == .success(messages), "jsonp_send body differs from the message decoding")
    }
}

private func checkFrame(_ bytes: [UInt8]) {
    guard let frame = try? SockJSFrame(parsing: bytes) else { return }
    let again = Result { () throws(SockJSError) in try SockJSFrame(parsing: frame.encodedBytes) }
    require(again == .success(frame), "frame \(frame) does not survive encoding")
    require(frame.encodedBytes == Array(frame.encoded.utf8), "encoded and encodedBytes differ")
}

private func checkForm(_ bytes: [UInt8]) {
    let form = Result { () throws(SockJSError) in
        try SockJSJSON.decodeJSONPSendBody(bytes, contentType: "application/x-www-form-urlencoded; charset=UTF-8")
    }
    if case .success(let messages) = form {
        // The form's `d` field holds JSON that, sent as a plain body, decodes the same.
        let encoded = SockJSJSON.encodeArray(messages)
        require(decode(Array(encoded.utf8)) == .success(messages), "form messages do not re-encode")
    }
}

private func checkEscaping(_ text: String) {
    let escaped = SockJSJSON.escape(text)
    for scalar in escaped.unicodeScalars {
        let value = scalar.value
        let raw =
            value < 0x20 || value > 0xFFFF || (0x200C...0x200F).contains(value) || (0x2028...0x202F).contains(value)
            || (0x2060...0x206F).contains(value) || (0xFFF0...0xFFFF).contains(value)
        require(!raw, "escape left U+\(String(value, radix: 16)) raw")
    }
    require(decode(Array(SockJSJSON.quote(text).utf8)) == .success([text]), "a quoted string does not decode back")
    let frame = SockJSFrame.close(code: text.utf8.count, reason: text)
    let parsed = Result { () throws(SockJSError) in try SockJSFrame(parsing: frame.encodedBytes) }
    require(parsed == .success(frame), "a close frame does not parse back")
    checkScriptFraming(.messages([text]))
}

/// htmlfile and jsonp put the frame in a JavaScript string inside a script: nothing in it may
/// end the string, the line or the element.
private func checkScriptFraming(_ frame: SockJSFrame) {
    let cases: [(Transport, [UInt8], [UInt8])] = [
        (.htmlfile, Array("<script>\np(\"".utf8), Array("\");\n</script>\r\n".utf8)),
        (.jsonp, Array("/**/cb(\"".utf8), Array("\");\r\n".utf8)),
    ]
    for (transport, head, tail) in cases {
        let framed = transport.framed(frame, callback: "cb")
        require(framed.starts(with: head) && framed.reversed().starts(with: tail.reversed()), "\(transport) framing")
        let literal = framed[head.count..<(framed.count - tail.count)]
        for (offset, byte) in literal.enumerated() {
            require(byte >= 0x20 && byte != 0x3C && byte != 0x3E && byte != 0x26, "\(transport) literal byte \(byte)")
            // A quote must be escaped: preceded by an odd number of backslashes.
            if byte == 0x22 {
                let backslashes = literal.prefix(offset).reversed().prefix { $0 == 0x5C }.count
                require(backslashes % 2 == 1, "\(transport) literal has a raw quote")
            }
        }
    }
}
