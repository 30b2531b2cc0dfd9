// The page's bookkeeping of what it has shown (pure: no DOM), for lobby.js.
//
// new Seen() — ids already shown: add(id) → true the first time, false after (the welcome's
//   history and directs repeat after a rename; a history page may overlap what is loaded).
// new Pager(limit) — paging back through the room's history (`SEND /app/history`), one request
//   at a time:
//   loaded(id)     a room message with this id is on the page (the oldest one is remembered)
//   next()         → the payload of the next request ({before, limit}; {limit} while nothing is
//                    loaded), or null while a request is pending or the beginning was reached
//   answered(reply) → the reply's messages if it answers the pending request (an empty list marks
//                    the beginning of history), or null for a reply nobody here asked for
//   failed()       the store could not answer (`store-unavailable`): the next scroll asks again
//   done           true once an empty page came back
// directLine(message, me) → {sent, label}: "-> *bob*" for one `me` sent, "*alice*" for one received.
// dateTime(at) → "YYYY-MM-DD HH:MM" in local time ("????-??-?? --:--" if `at` is no date).
(function (root) {
  "use strict";

  function Seen() {
    this.ids = new Set();
  }
  Seen.prototype.add = function (id) {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    return true;
  };

  function Pager(limit) {
    this.limit = limit || 100;
    this.oldest = null;
    this.pending = null; // the request in flight: {before: id or null}
    this.done = false;
  }
  Pager.prototype.loaded = function (id) {
    if (typeof id === "number" && isFinite(id) && (this.oldest === null || id < this.oldest)) this.oldest = id;
  };
  Pager.prototype.next = function () {
    if (this.pending || this.done) return null;
    this.pending = { before: this.oldest };
    return this.oldest === null ? { limit: this.limit } : { before: this.oldest, limit: this.limit };
  };
  Pager.prototype.answered = function (reply) {
    if (!this.pending || !reply) return null;
    var before = typeof reply.before === "number" ? reply.before : null;
    if (before !== this.pending.before) return null;
    this.pending = null;
    var messages = Array.isArray(reply.messages) ? reply.messages : [];
    if (messages.length === 0) this.done = true;
    return messages;
  };
  Pager.prototype.failed = function () {
    this.pending = null;
  };

  function directLine(message, me) {
    var sent = message.from === me && message.to !== me;
    return { sent: sent, label: sent ? "-> *" + message.to + "*" : "*" + message.from + "*" };
  }

  function dateTime(at) {
    var date = new Date(at);
    if (!at || isNaN(date.getTime())) return "????-??-?? --:--";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  var api = { Seen: Seen, Pager: Pager, directLine: directLine, dateTime: dateTime };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyHistory = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
