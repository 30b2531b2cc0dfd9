// Unit tests of Sources/LobbyServer/Web/continuity.js and send-queue.js (node --test; run by
// test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const web = path.join(__dirname, "../../../Sources/LobbyServer/Web");
const { Continuity, reconnectDelay } = require(path.join(web, "continuity.js"));
const { SendQueue } = require(path.join(web, "send-queue.js"));

const welcome = (users, instance) => ({
  type: "welcome", user: "alice", members: users.map((user) => ({ user, sessions: 1 })), serverInstance: instance,
});
const at = (clock) => `2026-11-25T${clock}:00.000Z`;

test("a first welcome and a /nick welcome are no reconnect", () => {
  const continuity = new Continuity();
  assert.equal(continuity.welcomed(welcome(["alice", "bob"], "run-1"), 0), null);
  assert.equal(continuity.welcomed(welcome(["alice", "bob", "carol"], "run-1"), 0), null);
});

test("after a lost connection only newcomers are joins, and a new server run is a restart", () => {
  const continuity = new Continuity();
  continuity.welcomed(welcome(["alice", "bob", "carol"], "run-1"), 0);
  continuity.connectionLost(["alice", "bob", "carol"]);
  continuity.connectionLost([]); // a failed attempt keeps the list from before the outage
  const now = Date.parse(at("10:01"));
  assert.deepEqual(continuity.welcomed(welcome(["alice", "bob", "dave"], "run-2"), now),
    { serverRestarted: true, arrived: ["dave"] });
  // carol was there before and comes back after the page did.
  assert.equal(continuity.joinLine({ type: "join", user: "carol", at: at("10:01") }), "returned");
  assert.equal(continuity.joinLine({ type: "join", user: "erin", at: at("10:01") }), "joined");
});

test("the same server run, or one that names none, is no restart", () => {
  const continuity = new Continuity();
  continuity.welcomed(welcome(["alice"], undefined), 0);
  continuity.connectionLost(["alice"]);
  assert.deepEqual(continuity.welcomed(welcome(["alice"], undefined), 0), { serverRestarted: false, arrived: [] });
});

test("a quit and a join are a join; a lost connection and a join within a minute are a return", () => {
  const continuity = new Continuity();
  continuity.left({ type: "leave", user: "bob", reason: "quit", at: at("10:00") });
  assert.equal(continuity.joinLine({ type: "join", user: "bob", at: at("10:00") }), "joined");
  continuity.left({ type: "leave", user: "bob", reason: "timeout", at: at("10:00") });
  assert.equal(continuity.joinLine({ type: "join", user: "bob", at: at("10:02") }), "joined");
  continuity.left({ type: "leave", user: "bob", reason: "closed", at: at("10:00") });
  assert.equal(continuity.joinLine({ type: "join", user: "bob", at: at("10:00") }), "returned");
});

test("the reconnect delay doubles from 1 s to 30 s, with jitter of up to half", () => {
  assert.equal(reconnectDelay(1, () => 1), 1000);
  assert.equal(reconnectDelay(2, () => 1), 2000);
  assert.equal(reconnectDelay(10, () => 1), 30000);
  assert.equal(reconnectDelay(1, () => 0), 500);
});

const chat = (text) => ({ destination: "/app/chat", payload: { text } });

test("30 lines: the burst less one at once, the rest at 90% of the rate, in order", () => {
  const queue = new SendQueue(0);
  queue.sessionStarted({ perSecond: 5, burst: 20 }, 0);
  for (let n = 1; n <= 30; n++) queue.enqueue(chat(`line ${n}`));
  const sent = queue.take(0);
  assert.equal(sent.length, 19);
  assert.equal(queue.nextDeadline(), 223);
  let now = 0;
  while (queue.nextDeadline() !== null && now < 10000) {
    now = queue.nextDeadline();
    sent.push(...queue.take(now));
  }
  assert.deepEqual(sent.map((request) => request.payload.text), Array.from({ length: 30 }, (_, n) => `line ${n + 1}`));
  assert.ok(now <= 2500, now);
});

test("a refusal puts the newest unconfirmed line back at the head and waits for a token", () => {
  const queue = new SendQueue(0);
  queue.sessionStarted({ perSecond: 5, burst: 2 }, 0);
  ["one", "two", "three"].forEach((text) => queue.enqueue(chat(text)));
  assert.deepEqual(queue.take(0), [chat("one")]);
  queue.confirmed("/app/chat", { text: "one" });
  assert.deepEqual(queue.take(223), [chat("two")]);
  assert.equal(queue.refused(230), true);
  assert.deepEqual(queue.waiting, [chat("two"), chat("three")]);
  assert.deepEqual(queue.take(300), []);
  assert.deepEqual(queue.take(queue.nextDeadline()), [chat("two")]);
  queue.confirmed("/app/chat", { text: "two" });
  assert.equal(new SendQueue(0).refused(0), false);
});
