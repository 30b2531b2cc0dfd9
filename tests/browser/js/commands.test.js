// Unit tests of Sources/LobbyServer/Web/commands.js (node --test; run by test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const Commands = require(path.join(__dirname, "../../../Sources/LobbyServer/Web/commands.js"));
const parse = Commands.parse;

test("plain text is chat, trimmed at the ends only", () => {
  assert.deepEqual(parse("  hello  there "), { kind: "chat", text: "hello  there" });
  assert.deepEqual(parse("line one\n  line two\n"), { kind: "chat", text: "line one\n  line two" });
  assert.equal(parse(""), null);
  assert.equal(parse("  \n "), null);
  assert.equal(parse(undefined), null);
});

test("/me is an action sent as chat, // sends a leading slash", () => {
  assert.deepEqual(parse("/me waves"), { kind: "chat", text: "/me waves" });
  assert.deepEqual(parse("//etc/passwd is a path"), { kind: "chat", text: "/etc/passwd is a path" });
  assert.equal(parse("/me").kind, "error");
});

test("/msg NAME TEXT is a private message, keeping the text's line breaks", () => {
  assert.deepEqual(parse("/msg bob hi there"), { kind: "direct", to: "bob", text: "hi there" });
  assert.deepEqual(parse("/MSG   bob   hi"), { kind: "direct", to: "bob", text: "hi" });
  assert.deepEqual(parse("/msg bob first\nsecond"), { kind: "direct", to: "bob", text: "first\nsecond" });
  assert.deepEqual(parse("/msg bob\nonly line"), { kind: "direct", to: "bob", text: "only line" });
  for (const bad of ["/msg", "/msg bob", "/msg bob   ", "/msg   "]) {
    assert.deepEqual(parse(bad), { kind: "error", message: "usage: /msg NAME TEXT" }, bad);
  }
});

test("/away with or without a message, /back", () => {
  assert.deepEqual(parse("/away lunch, back at 2"), { kind: "away", text: "lunch, back at 2" });
  assert.deepEqual(parse("/away"), { kind: "away", text: Commands.DEFAULT_AWAY });
  assert.deepEqual(parse("/away   "), { kind: "away", text: Commands.DEFAULT_AWAY });
  assert.deepEqual(parse("/back"), { kind: "back" });
  assert.equal(parse("/back now").kind, "error");
});

test("/search, /nick, /quit, /help", () => {
  assert.deepEqual(parse("/search  brown fox "), { kind: "search", query: "brown fox" });
  assert.equal(parse("/search").kind, "error");
  assert.deepEqual(parse("/nick dave"), { kind: "nick", name: "dave" });
  assert.equal(parse("/nick").kind, "error");
  assert.deepEqual(parse("/quit"), { kind: "quit" });
  assert.deepEqual(parse("/help"), { kind: "help" });
  assert.ok(Commands.HELP.some((line) => line.startsWith("/msg NAME TEXT")));
});

test("an unknown command is an error, never sent to the room", () => {
  assert.deepEqual(parse("/frobnicate x"), { kind: "error", message: "unknown command /frobnicate (try /help)" });
  assert.deepEqual(parse("/"), { kind: "error", message: "unknown command / (try /help)" });
});

test("/who, /clear and /filter, as in the terminal client", () => {
  assert.deepEqual(parse("/who"), { kind: "who" });
  assert.deepEqual(parse("/clear"), { kind: "clear" });
  assert.deepEqual(parse("/filter smart"), { kind: "filter", filter: "smart" });
  assert.deepEqual(parse("/filter all"), { kind: "filter", filter: "all" });
  assert.deepEqual(parse("/filter"), { kind: "filter", filter: null });
  assert.equal(parse("/filter some").kind, "error");
  assert.equal(parse("/who bob").kind, "error");
  assert.ok(Commands.HELP.some((line) => line.startsWith("/who")));
});
