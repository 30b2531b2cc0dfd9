// Unit tests of Sources/LobbyServer/Web/history.js (node --test; run by test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const History = require(path.join(__dirname, "../../../Sources/LobbyServer/Web/history.js"));

test("Seen lets each id through once", () => {
  const seen = new History.Seen();
  assert.equal(seen.add(3), true);
  assert.equal(seen.add(4), true);
  assert.equal(seen.add(3), false);
  // The welcome's directs after a rename repeat what was shown: only new ones get through.
  const directs = [{ id: 3 }, { id: 4 }, { id: 9 }].filter((d) => seen.add(d.id));
  assert.deepEqual(directs, [{ id: 9 }]);
});

test("the pager asks before the oldest loaded id, one request at a time, until an empty page", () => {
  const pager = new History.Pager(100);
  for (const id of [131, 140, 150]) pager.loaded(id);
  assert.deepEqual(pager.next(), { before: 131, limit: 100 });
  assert.equal(pager.next(), null, "one request at a time");
  assert.equal(pager.answered({ type: "history", before: 99, messages: [{ id: 1 }] }), null, "not ours");
  const page = Array.from({ length: 100 }, (_, i) => ({ id: 31 + i }));
  assert.deepEqual(pager.answered({ type: "history", before: 131, messages: page }), page);
  for (const message of page) pager.loaded(message.id);
  assert.deepEqual(pager.next(), { before: 31, limit: 100 });
  assert.equal(pager.answered({ type: "history", before: 31, messages: [{ id: 1 }] }).length, 1);
  pager.loaded(1);
  assert.equal(pager.done, false);
  assert.deepEqual(pager.next(), { before: 1, limit: 100 });
  assert.deepEqual(pager.answered({ type: "history", before: 1, messages: [] }), []);
  assert.equal(pager.done, true);
  assert.equal(pager.next(), null, "nothing before the beginning");
});

test("with nothing loaded the pager asks for the newest page", () => {
  const pager = new History.Pager(20);
  assert.deepEqual(pager.next(), { limit: 20 });
  assert.equal(pager.answered({ type: "history", before: 5, messages: [] }), null);
  assert.deepEqual(pager.answered({ type: "history", messages: [] }), []);
  assert.equal(pager.done, true);
});

test("loaded ignores what is not an id", () => {
  const pager = new History.Pager();
  pager.loaded(undefined);
  pager.loaded("7");
  pager.loaded(NaN);
  assert.equal(pager.oldest, null);
  pager.loaded(7);
  pager.loaded(9);
  assert.equal(pager.oldest, 7);
});

test("direct lines: sent ones name the recipient, received ones the sender", () => {
  assert.deepEqual(History.directLine({ from: "alice", to: "bob" }, "alice"), { sent: true, label: "-> *bob*" });
  assert.deepEqual(History.directLine({ from: "alice", to: "bob" }, "bob"), { sent: false, label: "*alice*" });
  assert.deepEqual(History.directLine({ from: "me", to: "me" }, "me"), { sent: false, label: "*me*" });
});

test("dateTime writes a local date and time", () => {
  const at = new Date(2026, 0, 5, 7, 3).toISOString();
  assert.equal(History.dateTime(at), "2026-01-05 07:03");
  assert.equal(History.dateTime("nonsense"), "????-??-?? --:--");
  assert.equal(History.dateTime(null), "????-??-?? --:--");
});

test("after a failed request the pager asks for the same page again", () => {
  const pager = new History.Pager(10);
  pager.loaded(50);
  assert.deepEqual(pager.next(), { before: 50, limit: 10 });
  pager.failed();
  assert.deepEqual(pager.next(), { before: 50, limit: 10 });
  assert.deepEqual(pager.answered({ type: "history", before: 50, messages: [{ id: 49 }] }), [{ id: 49 }]);
});
