// Unit tests of Sources/LobbyServer/Web/session-id.js (node --test; run by test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const { sessionIdFromTransportUrl: parse } = require(
  path.join(__dirname, "../../../Sources/LobbyServer/Web/session-id.js"));

test("every transport name, with the prefix", () => {
  for (const transport of ["websocket", "xhr", "xhr_send", "xhr_streaming", "eventsource", "htmlfile",
                           "jsonp", "jsonp_send", "some_future_transport"]) {
    assert.equal(parse(`http://h:8080/connection/123/abcd1234/${transport}`, "/connection"), "abcd1234", transport);
  }
});

test("the known transport names, without a prefix", () => {
  for (const transport of ["websocket", "xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp"]) {
    assert.equal(parse(`http://h:8080/connection/123/abcd1234/${transport}`), "abcd1234", transport);
  }
});

test("ws, wss, http and https", () => {
  assert.equal(parse("ws://127.0.0.1:8080/connection/000/a1b2c3d4/websocket", "/connection"), "a1b2c3d4");
  assert.equal(parse("wss://chat.example/connection/999/zz99zz99/websocket", "/connection"), "zz99zz99");
  assert.equal(parse("https://chat.example/connection/1/s3ss10n/xhr_streaming", "/connection"), "s3ss10n");
  assert.equal(parse("HTTP://H/connection/1/abc/xhr"), "abc");
});

test("sockjs-client's HTTP transports keep the URL without the transport suffix", () => {
  // sock._transport.url for xhr-streaming, xhr-polling, eventsource, jsonp-polling; and
  // sock._transport.transUrl for the iframe-* transports.
  assert.equal(parse("http://127.0.0.1:41234/connection/517/x0y1z2w3", "/connection"), "x0y1z2w3");
  assert.equal(parse("http://127.0.0.1:41234/connection/517/x0y1z2w3"), "x0y1z2w3");
});

test("query strings, fragments and a trailing slash are ignored", () => {
  assert.equal(parse("http://h/connection/123/abcd1234/jsonp?c=_jp.abc123", "/connection"), "abcd1234");
  assert.equal(parse("http://h/connection/123/abcd1234/htmlfile?c=cb#x", "/connection"), "abcd1234");
  assert.equal(parse("http://h/connection/123/abcd1234/xhr_streaming/", "/connection"), "abcd1234");
  assert.equal(parse("http://h/connection/123/abcd1234/", "/connection"), "abcd1234");
  assert.equal(parse("ws://h/connection/123/abcd1234/websocket/?t=1"), "abcd1234");
});

test("other and nested prefixes; a prefix given with a trailing slash", () => {
  assert.equal(parse("http://h/chat/v1/sock/123/abc/xhr", "/chat/v1/sock"), "abc");
  assert.equal(parse("http://h/chat/v1/sock/123/abc/xhr", "/chat/v1/sock/"), "abc");
  assert.equal(parse("http://h/123/abc/xhr", "/"), "abc");
  assert.equal(parse("http://h/123/abc/websocket"), "abc");
});

test("ids are any segment without '/' or '.'", () => {
  assert.equal(parse("http://h/connection/server-1/ABC_def-9/xhr", "/connection"), "ABC_def-9");
  assert.equal(parse("http://h/connection/1/websocket/websocket", "/connection"), "websocket");
});

test("malformed → null", () => {
  const bad = [
    undefined, null, "", 42, "not a url", "/connection/123/abcd/xhr", "//h/connection/123/abcd/xhr",
    "ftp://h/connection/123/abcd/xhr", "file:///connection/123/abcd/xhr", "mailto:a@b",
    "http://h/", "http://h/connection", "http://h/connection/123", "http://h/connection/123/",
    "http://h/connection//abcd/xhr", "http://h/connection/123//xhr", "http://h/connection/1.2/abcd/xhr",
    "http://h/connection/123/ab.cd/xhr", "http://h/connection/123/abcd/xhr/extra",
    "http://h/connection/123/abcd/xhr//",
  ];
  for (const url of bad) assert.equal(parse(url, "/connection"), null, String(url));
  assert.equal(parse("http://h/other/123/abcd/xhr", "/connection"), null, "wrong prefix");
  assert.equal(parse("http://h/connectionx/123/abcd/xhr", "/connection"), null, "prefix is whole segments");
  assert.equal(parse("http://h/connection/123/abcd/xhr", "no-leading-slash"), null, "bad prefix");
  assert.equal(parse("http://h/abcd"), null, "one segment");
});
