// The member list the page keeps from the welcome and /topic/presence (docs/protocol.md).
//
// A presence MESSAGE carries one event ({"type":"join",…}, {"type":"leave",…}) or, when several
// changes were pending together, {"type":"batch","events":[<event>, …]} with the events in the
// order the state changed. The welcome's member list is authoritative: it replaces whatever the
// page had (events that arrived before it are superseded), and later events apply on top.
//
// Away messages ({"type":"status","user":"alice","away":"lunch"|null,…}) are kept apart from the
// members, in a Map user → away text: the server keeps them across sessions (a user who leaves
// and comes back is still away, and her join says nothing about it), so a leave does not drop one.
//
// eventsOf(payload) → the events of one presence MESSAGE body, oldest first ([] if it has none).
// applyEvent(members, event, away) → true if `members` (a Map user → live sessions) or `away` (a
//   Map user → away text, optional) changed; joins and leaves apply to `members`, status events to
//   `away` (false when no `away` map is given), unknown event types are left alone (false).
// membersOf(welcome) → a new Map from a welcome's member list.
// awayOf(welcome) → a new Map user → away text of the welcome's members who are away.
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

  function applyEvent(members, event, away) {
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
    if (event.type === "status" && away && typeof event.user === "string") {
      var text = typeof event.away === "string" && event.away !== "" ? event.away : null;
      if ((away.has(event.user) ? away.get(event.user) : null) === text) return false;
      if (text === null) away.delete(event.user);
      else away.set(event.user, text);
      return true;
    }
    return false;
  }

  function membersOf(welcome) {
    var members = new Map();
    (welcome.members || []).forEach(function (member) { members.set(member.user, member.sessions || 1); });
    return members;
  }

  function awayOf(welcome) {
    var away = new Map();
    (welcome.members || []).forEach(function (member) {
      if (member && typeof member.away === "string" && member.away !== "") away.set(member.user, member.away);
    });
    return away;
  }

  var api = { eventsOf: eventsOf, applyEvent: applyEvent, membersOf: membersOf, awayOf: awayOf };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyPresence = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
