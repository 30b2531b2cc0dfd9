// What reconnects and joins mean to a reader, the rules of the terminal client's RoomContinuity
// (docs/architecture.md): a user who drops and comes straight back reads "is back", not "joined";
// after the page's own connection was lost, members who are still there are not announced again,
// and a welcome naming another server run (welcome.serverInstance) says the server restarted.
// The reconnect delay follows the terminal client's backoff: 1 s doubling to 30 s, with jitter.
//
// var continuity = new LobbyContinuity.Continuity();
// continuity.welcomed(welcome, now)            → null the first time (and for a /nick's welcome)
// continuity.connectionLost(["alice", "bob"])  → the names shown when the connection ended
// continuity.welcomed(next, now)               → { serverRestarted: true, arrived: ["carol"] }
// continuity.left(event); continuity.joinLine(event) → "joined" | "returned"
// LobbyContinuity.reconnectDelay(failures, Math.random) → milliseconds before the next attempt
(function (root) {
  "use strict";

  var FLAP_WINDOW_MS = 60000;
  var FLAP_REASONS = { closed: true, timeout: true, "node-lost": true };

  function Continuity() {
    this.serverInstance = null;
    this.membersBeforeOutage = null; // names, while disconnected after a welcome
    this.welcomedOnce = false;
    this.lastLeaves = new Map(); // user → { reason, at (ms) }
  }

  Continuity.prototype.connectionLost = function (names) {
    if (!this.welcomedOnce || this.membersBeforeOutage !== null) return;
    this.membersBeforeOutage = names.slice();
  };

  Continuity.prototype.welcomed = function (welcome, now) {
    var before = this.membersBeforeOutage;
    var previousInstance = this.serverInstance;
    this.welcomedOnce = true;
    this.membersBeforeOutage = null;
    if (typeof welcome.serverInstance === "string") this.serverInstance = welcome.serverInstance;
    if (before === null) return null;
    var current = (welcome.members || []).map(function (member) { return member.user; });
    var self = this;
    before.forEach(function (user) {
      if (user !== welcome.user && current.indexOf(user) < 0) self.lastLeaves.set(user, { reason: "node-lost", at: now });
    });
    return {
      serverRestarted: previousInstance !== null && typeof welcome.serverInstance === "string"
        && welcome.serverInstance !== previousInstance,
      arrived: current.filter(function (user) { return user !== welcome.user && before.indexOf(user) < 0; }),
    };
  };

  Continuity.prototype.left = function (event) {
    this.lastLeaves.set(event.user, { reason: event.reason, at: Date.parse(event.at) || 0 });
  };

  Continuity.prototype.joinLine = function (event) {
    var leave = this.lastLeaves.get(event.user);
    this.lastLeaves.delete(event.user);
    if (!leave || !FLAP_REASONS[leave.reason]) return "joined";
    var at = Date.parse(event.at) || 0;
    return at - leave.at <= FLAP_WINDOW_MS ? "returned" : "joined";
  };

  function reconnectDelay(failures, random) {
    var base = Math.min(1000 * Math.pow(2, Math.max(failures - 1, 0)), 30000);
    return Math.round(base * (0.5 + 0.5 * random()));
  }

  var api = { Continuity: Continuity, reconnectDelay: reconnectDelay, FLAP_WINDOW_MS: FLAP_WINDOW_MS };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyContinuity = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
