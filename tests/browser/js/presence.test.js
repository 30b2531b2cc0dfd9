// Unit tests of Sources/LobbyServer/Web/presence.js (node --test; run by test_browser_units.py).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const Presence = require(path.join(__dirname, "../../../Sources/LobbyServer/Web/presence.js"));

const at = "2026-11-25T10:00:00.000Z";
const join = (user, sessions = 1) => ({ type: "join", user, sessions, at });
const leave = (user, reason = "closed", sessions = 0) => ({ type: "leave", user, reason, sessions, at });

function replay(welcome, payloads) {
  const members = Presence.membersOf(welcome);
  for (const payload of payloads) {
    for (const event of Presence.eventsOf(payload)) Presence.applyEvent(members, event);
  }
  return members;
}

test("a single event is a list of one", () => {
  assert.deepEqual(Presence.eventsOf(join("bob")), [join("bob")]);
  assert.deepEqual(Presence.eventsOf(leave("bob", "quit")), [leave("bob", "quit")]);
});

test("a batch yields its events in order", () => {
  const events = [join("bob"), join("carol"), leave("bob"), join("dave")];
  assert.deepEqual(Presence.eventsOf({ type: "batch", events }), events);
});

test("a malformed batch or payload yields nothing", () => {
  assert.deepEqual(Presence.eventsOf({ type: "batch" }), []);
  assert.deepEqual(Presence.eventsOf({ type: "batch", events: "x" }), []);
  assert.deepEqual(Presence.eventsOf({ type: "batch", events: [null, 3, join("bob")] }), [join("bob")]);
  assert.deepEqual(Presence.eventsOf(null), []);
  assert.deepEqual(Presence.eventsOf("join"), []);
});

test("joins and leaves, single and batched, give the exact member list", () => {
  const members = replay({ members: [{ user: "alice", sessions: 1 }] }, [
    join("bob"),
    { type: "batch", events: [join("carol"), join("dave", 2), leave("bob", "quit"), join("erin")] },
    leave("carol", "timeout"),
    { type: "batch", events: [leave("erin"), join("bob")] },
  ]);
  assert.deepEqual([...members.entries()].sort(), [["alice", 1], ["bob", 1], ["dave", 2]]);
});

test("a batch's order matters: join then leave of the same user leaves them out", () => {
  assert.deepEqual([...replay({ members: [] }, [{ type: "batch", events: [join("bob"), leave("bob")] }]).keys()], []);
  assert.deepEqual([...replay({ members: [] }, [{ type: "batch", events: [leave("bob"), join("bob")] }]).keys()],
    ["bob"]);
});

test("a leave that keeps sessions updates the count; unknown events change nothing", () => {
  const members = Presence.membersOf({ members: [{ user: "bob", sessions: 3 }] });
  assert.equal(Presence.applyEvent(members, leave("bob", "closed", 2)), true);
  assert.equal(members.get("bob"), 2);
  assert.equal(Presence.applyEvent(members, { type: "status", user: "bob", away: "lunch", at }), false);
  assert.deepEqual([...members.entries()], [["bob", 2]]);
});

test("the welcome replaces the list built from earlier events", () => {
  const members = Presence.membersOf({ members: [] });
  Presence.applyEvent(members, join("ghost"));
  const fresh = Presence.membersOf({ members: [{ user: "alice" }, { user: "bob", sessions: 2 }] });
  assert.deepEqual([...fresh.entries()], [["alice", 1], ["bob", 2]]);
});

const status = (user, away) => ({ type: "status", user, away, at });

test("status events, single and batched, set and clear away messages", () => {
  const members = Presence.membersOf({ members: [{ user: "alice" }, { user: "bob", away: "lunch" }] });
  const away = Presence.awayOf({ members: [{ user: "alice" }, { user: "bob", away: "lunch" }] });
  assert.deepEqual([...away.entries()], [["bob", "lunch"]]);
  for (const event of Presence.eventsOf({ type: "batch", events: [status("alice", "meeting"), join("carol"),
    status("bob", null)] })) {
    Presence.applyEvent(members, event, away);
  }
  assert.deepEqual([...away.entries()], [["alice", "meeting"]]);
  assert.deepEqual([...members.keys()].sort(), ["alice", "bob", "carol"]);
  assert.equal(Presence.applyEvent(members, status("alice", "meeting"), away), false, "no change");
  assert.equal(Presence.applyEvent(members, status("alice", "gone home"), away), true);
  assert.equal(away.get("alice"), "gone home");
});

test("an away message outlives a leave (the server keeps it) and is cleared by a status", () => {
  const members = Presence.membersOf({ members: [{ user: "bob", away: "lunch" }] });
  const away = Presence.awayOf({ members: [{ user: "bob", away: "lunch" }] });
  Presence.applyEvent(members, leave("bob"), away);
  assert.deepEqual([...members.keys()], []);
  Presence.applyEvent(members, join("bob"), away);
  assert.equal(away.get("bob"), "lunch");
  assert.equal(Presence.applyEvent(members, status("bob"), away), true, "a missing away is back too");
  assert.equal(away.has("bob"), false);
});

test("a welcome without away messages gives an empty away map; bad members are skipped", () => {
  assert.deepEqual([...Presence.awayOf({ members: [{ user: "a" }] }).entries()], []);
  assert.deepEqual([...Presence.awayOf({}).entries()], []);
  assert.deepEqual([...Presence.awayOf({ members: [null, { user: "x", away: "" }, { user: "y", away: 3 }] })], []);
});
