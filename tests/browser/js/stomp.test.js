// Unit tests of Sources/LobbyServer/Web/stomp.js (node --test; run by test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const Stomp = require(path.join(__dirname, "../../../Sources/LobbyServer/Web/stomp.js"));

const frame = (command, headers, body = "") => ({ command, headers, body });

test("encode: command, headers, blank line, body, NUL; content-length in UTF-8 bytes", () => {
  assert.equal(Stomp.encode("SUBSCRIBE", { id: "chat", destination: "/topic/chat" }),
    "SUBSCRIBE\nid:chat\ndestination:/topic/chat\n\n\0");
  assert.equal(Stomp.encode("SEND", { destination: "/app/chat" }, '{"text":"héllo 👋"}'),
    'SEND\ndestination:/app/chat\ncontent-length:22\n\n{"text":"héllo 👋"}\0');
  assert.equal(Stomp.encode("SEND", { destination: "/d", "content-length": "3" }, "abc"),
    "SEND\ndestination:/d\ncontent-length:3\n\nabc\0");
});

test("encode escapes headers, except in CONNECT", () => {
  assert.equal(Stomp.encode("SEND", { "a:b": "x\ny:z\\\r" }), "SEND\na\\cb:x\\ny\\cz\\\\\\r\n\n\0");
  assert.equal(Stomp.encode("CONNECT", { "accept-version": "1.2,1.1", "heart-beat": "10000,10000", host: "h:1" }),
    "CONNECT\naccept-version:1.2,1.1\nheart-beat:10000,10000\nhost:h:1\n\n\0");
});

test("parse: one frame, several frames in one message, heart-beats between them", () => {
  const parser = new Stomp.Parser();
  assert.deepEqual(parser.feed("CONNECTED\nversion:1.2\nsession:abc\nheart-beat:10000,10000\n\n\0"),
    [frame("CONNECTED", { version: "1.2", session: "abc", "heart-beat": "10000,10000" })]);
  const items = parser.feed("\nMESSAGE\nsubscription:chat\n\n{}\0\n\r\nRECEIPT\nreceipt-id:bye\n\n\0\n");
  assert.deepEqual(items, [Stomp.HEARTBEAT, frame("MESSAGE", { subscription: "chat" }, "{}"), Stomp.HEARTBEAT,
    Stomp.HEARTBEAT, frame("RECEIPT", { "receipt-id": "bye" }), Stomp.HEARTBEAT]);
  assert.deepEqual(parser.feed("\n"), [Stomp.HEARTBEAT]);
});

test("parse: a frame split across messages, anywhere, even inside a UTF-8 character's JS string", () => {
  const whole = 'MESSAGE\ndestination:/topic/chat\ncontent-length:19\n\n{"text":"é👋é"}\0';
  for (let cut = 1; cut < whole.length; cut++) {
    const parser = new Stomp.Parser();
    const first = parser.feed(whole.slice(0, cut));
    assert.deepEqual(first, [], `cut at ${cut}`);
    assert.deepEqual(parser.feed(whole.slice(cut)),
      [frame("MESSAGE", { destination: "/topic/chat", "content-length": "19" }, '{"text":"é👋é"}')], `cut ${cut}`);
  }
});

test("parse: content-length lets the body carry NUL; CRLF line ends; repeated header keeps the first", () => {
  const parser = new Stomp.Parser();
  assert.deepEqual(parser.feed("MESSAGE\r\ncontent-length:3\r\nx:1\r\nx:2\r\n\r\na\0b\0"),
    [frame("MESSAGE", { "content-length": "3", x: "1" }, "a\0b")]);
});

test("parse unescapes headers (not in CONNECTED)", () => {
  const parser = new Stomp.Parser();
  assert.deepEqual(parser.feed("ERROR\nmessage:bad\\cframe\\nhere\\\\\n\n\0"),
    [frame("ERROR", { message: "bad:frame\nhere\\" })]);
  assert.deepEqual(parser.feed("CONNECTED\nserver:lobby/1\\c2\n\n\0"), [frame("CONNECTED", { server: "lobby/1\\c2" })]);
});

test("parse rejects malformed frames", () => {
  for (const bad of ["message\n\n\0", "SEND\nnocolon\n\n\0", "SEND\n:x\n\n\0", "SEND\na:\\t\n\n\0",
                     "SEND\ncontent-length:1\n\nab\0", "SEND\ncontent-length:x\n\na\0", "SEND\0\n\n"]) {
    assert.throws(() => new Stomp.Parser().feed(bad), undefined, JSON.stringify(bad));
  }
});

test("heart-beat negotiation", () => {
  assert.deepEqual(Stomp.heartbeatIntervals([10000, 10000], "10000,10000"), { send: 10000, receive: 10000 });
  assert.deepEqual(Stomp.heartbeatIntervals([10000, 10000], "1000,1000"), { send: 10000, receive: 10000 });
  assert.deepEqual(Stomp.heartbeatIntervals([1000, 1000], "5000,2000"), { send: 2000, receive: 5000 });
  assert.deepEqual(Stomp.heartbeatIntervals([10000, 10000], "0,0"), { send: 0, receive: 0 });
  assert.deepEqual(Stomp.heartbeatIntervals([0, 10000], "10000,10000"), { send: 0, receive: 10000 });
  assert.deepEqual(Stomp.heartbeatIntervals([10000, 10000], undefined), { send: 0, receive: 0 });
});

test("encode → parse round trip", () => {
  const headers = { destination: "/topic/chat", "x:y": "a\nb\\c" };
  const body = '{"text":"multi\\nline ✓"}';
  const [parsed] = new Stomp.Parser().feed(Stomp.encode("MESSAGE", headers, body));
  assert.equal(parsed.command, "MESSAGE");
  assert.equal(parsed.headers["x:y"], "a\nb\\c");
  assert.equal(parsed.body, body);
});
