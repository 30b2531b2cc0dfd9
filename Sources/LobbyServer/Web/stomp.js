// A minimal STOMP 1.2 codec for the browser page (our own; no third-party STOMP library).
//
//   LobbyStomp.encode(command, headers, body) → string      one frame, ready for sock.send()
//   new LobbyStomp.Parser()  .feed(text) → [frame | LobbyStomp.HEARTBEAT, …]
//   LobbyStomp.heartbeatIntervals(clientOffer, connectedHeader) → {send, receive} in ms
//
// The parser is incremental: SockJS hands us strings, one STOMP frame may be split across
// several of them and one may carry several frames; a bare EOL between frames is a heart-beat.
// It buffers UTF-8 *bytes*, because `content-length` counts bytes, not UTF-16 code units.
(function (root) {
  "use strict";

  var HEARTBEAT = { heartbeat: true };
  var NUL = 0, LF = 10, CR = 13, COLON = 58;
  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true });

  // STOMP 1.2 header escaping; CONNECT and CONNECTED frames are never escaped (spec, "Value Encoding").
  function escapeHeader(value) {
    return String(value).replace(/\\/g, "\\\\").replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/:/g, "\\c");
  }

  function unescapeHeader(value) {
    return value.replace(/\\(.)?/g, function (match, next) {
      switch (next) {
        case "\\": return "\\";
        case "r": return "\r";
        case "n": return "\n";
        case "c": return ":";
        default: throw new Error("invalid header escape " + JSON.stringify(match));
      }
    });
  }

  function noEscaping(command) {
    return command === "CONNECT" || command === "CONNECTED" || command === "STOMP";
  }

  function encode(command, headers, body) {
    body = body === undefined || body === null ? "" : String(body);
    var lines = [command];
    var escape = !noEscaping(command);
    var hasLength = false;
    Object.keys(headers || {}).forEach(function (name) {
      if (name === "content-length") hasLength = true;
      var value = headers[name];
      lines.push(escape ? escapeHeader(name) + ":" + escapeHeader(value) : name + ":" + value);
    });
    if (body !== "" && !hasLength) {
      // With content-length the body may contain NUL and the server need not scan for it.
      lines.push("content-length:" + encoder.encode(body).length);
    }
    return lines.join("\n") + "\n\n" + body + "\0";
  }

  function Parser() {
    this.buffer = new Uint8Array(0);
    this.pendingSurrogate = "";
  }

  Parser.prototype.feed = function (text) {
    // A JS string cut between the two halves of a surrogate pair would encode as U+FFFD: keep a
    // trailing high surrogate until the next piece brings its partner.
    text = this.pendingSurrogate + text;
    this.pendingSurrogate = "";
    var last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.pendingSurrogate = text.slice(-1);
      text = text.slice(0, -1);
    }
    var incoming = encoder.encode(text);
    var joined = new Uint8Array(this.buffer.length + incoming.length);
    joined.set(this.buffer, 0);
    joined.set(incoming, this.buffer.length);
    this.buffer = joined;

    var out = [];
    for (;;) {
      // EOLs between frames are heart-beats (a CR counts only as part of CRLF).
      if (this.buffer.length > 0 && this.buffer[0] === LF) {
        out.push(HEARTBEAT);
        this.buffer = this.buffer.subarray(1);
        continue;
      }
      if (this.buffer.length > 1 && this.buffer[0] === CR && this.buffer[1] === LF) {
        out.push(HEARTBEAT);
        this.buffer = this.buffer.subarray(2);
        continue;
      }
      if (this.buffer.length === 0 || (this.buffer.length === 1 && this.buffer[0] === CR)) break;
      var result = parseFrame(this.buffer);
      if (result === null) break; // incomplete: wait for more data
      out.push(result.frame);
      this.buffer = this.buffer.subarray(result.consumed);
    }
    return out;
  };

  // One frame from the start of `bytes`: {frame, consumed}, or null if it is not complete yet.
  // Throws on a malformed frame (the page then closes the connection, as the server would).
  function parseFrame(bytes) {
    var headerEnd = -1; // index of the blank line's LF
    var lineStart = 0;
    var lines = [];
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === NUL && headerEnd === -1) throw new Error("NUL inside frame headers");
      if (bytes[i] !== LF) continue;
      var end = i > lineStart && bytes[i - 1] === CR ? i - 1 : i;
      var line = decoder.decode(bytes.subarray(lineStart, end));
      lineStart = i + 1;
      if (line === "") {
        if (lines.length === 0) throw new Error("frame without a command");
        headerEnd = i;
        break;
      }
      lines.push(line);
    }
    if (headerEnd === -1) return null;

    var command = lines[0];
    if (!/^[A-Z]+$/.test(command)) throw new Error("invalid command " + JSON.stringify(command));
    var headers = {};
    for (var h = 1; h < lines.length; h++) {
      var colon = lines[h].indexOf(":");
      if (colon <= 0) throw new Error("malformed header line " + JSON.stringify(lines[h]));
      var rawName = lines[h].slice(0, colon), rawValue = lines[h].slice(colon + 1);
      var name = noEscaping(command) ? rawName : unescapeHeader(rawName);
      var value = noEscaping(command) ? rawValue : unescapeHeader(rawValue);
      // STOMP 1.2: if a header is repeated, only the first occurrence counts.
      if (!Object.prototype.hasOwnProperty.call(headers, name)) headers[name] = value;
    }

    var bodyStart = headerEnd + 1;
    var bodyEnd;
    if (Object.prototype.hasOwnProperty.call(headers, "content-length")) {
      var length = Number(headers["content-length"]);
      if (!/^\d+$/.test(headers["content-length"])) throw new Error("invalid content-length");
      bodyEnd = bodyStart + length;
      if (bytes.length < bodyEnd + 1) return null;
      if (bytes[bodyEnd] !== NUL) throw new Error("frame body longer than its content-length");
    } else {
      bodyEnd = bytes.indexOf(NUL, bodyStart);
      if (bodyEnd === -1) return null;
    }
    var body = decoder.decode(bytes.subarray(bodyStart, bodyEnd));
    return { frame: { command: command, headers: headers, body: body }, consumed: bodyEnd + 1 };
  }

  // STOMP heart-beat negotiation from the client's side. `offer` is what the client put in CONNECT
  // ([cx, cy]: "I can send every cx ms, I want one every cy ms"), `header` CONNECTED's heart-beat
  // ("sx,sy"). The client sends every max(cx, sy) ms, and expects something from the server every
  // max(sx, cy) ms; 0 means "never" on either side.
  function heartbeatIntervals(offer, header) {
    var parts = String(header || "0,0").split(",");
    var sx = parseInt(parts[0], 10) || 0, sy = parseInt(parts[1], 10) || 0;
    var cx = offer[0], cy = offer[1];
    return {
      send: cx && sy ? Math.max(cx, sy) : 0,
      receive: sx && cy ? Math.max(sx, cy) : 0,
    };
  }

  var api = {
    encode: encode, Parser: Parser, HEARTBEAT: HEARTBEAT, heartbeatIntervals: heartbeatIntervals,
    escapeHeader: escapeHeader, unescapeHeader: unescapeHeader,
  };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyStomp = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
