// The member list the page keeps from the welcome and /topic/presence (docs/protocol.md).
//
// A presence MESSAGE carries one event ({"type":"join",…}, {"type":"leave",…}) or, when several
// changes were pending together, {"type":"batch","events":[<event>, …]} with the events in the
// order the state changed. The welcome's member list is authoritative: it replaces whatever the
// page had (events that arrived before it are superseded), and later events apply on top.
//
// eventsOf(payload) → the events of one presence MESSAGE body, oldest first ([] if it has none).
// applyEvent(members, event) → true if `members` (a Map user → live sessions) changed; joins and
//   leaves apply, unknown event types are left alone (false).
// membersOf(welcome) → a new Map from a welcome's member list.
(function (root) {
  "use strict";

  function eventsOf(payload) {
    if (!payload || typeof payload !== "object") return [];
    if (payload.type === "batch") {
      return Array.isArray(payload.events)
        ? payload.events.filter(function (event) { return event && typeof event === "object"; })
        : [];
    }
    return [payload];
  }

  function applyEvent(members, event) {
    if (event.type === "join") {
      members.set(event.user, event.sessions || 1);
      return true;
    }
    if (event.type === "leave") {
      // A leave with sessions left is a session ending while the user stays (never announced today).
      if (!event.sessions) members.delete(event.user);
      else members.set(event.user, event.sessions);
      return true;
    }
    return false;
  }

  function membersOf(welcome) {
    var members = new Map();
    (welcome.members || []).forEach(function (member) { members.set(member.user, member.sessions || 1); });
    return members;
  }

  var api = { eventsOf: eventsOf, applyEvent: applyEvent, membersOf: membersOf };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyPresence = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
