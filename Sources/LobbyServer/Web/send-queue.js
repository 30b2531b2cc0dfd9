// Chat lines and private messages, sent no faster than the server lets them through (its chat
// token bucket, advertised as welcome.chatRate), the terminal client's SendQueue rules: a bucket
// a little slower and smaller than the server's (jitter can bring two sends closer together), and
// a rate-limited refusal puts the newest unconfirmed request back at the head of the queue and
// waits for the next token, so the order stays as typed. Time is milliseconds, passed in.
//
// var queue = new LobbySendQueue.SendQueue(now);
// queue.sessionStarted(welcome.chatRate, now);   // null: the server defaults, 5/s burst 20
// queue.enqueue({ destination: "/app/chat", payload: { text: "hi" } });
// queue.take(now)        → the requests to send now, in order
// queue.nextDeadline()   → when to call take again (null: nothing waits)
// queue.confirmed(destination, payload); queue.refused(now) → true if it was one of ours
(function (root) {
  "use strict";

  var DEFAULT_RATE = { perSecond: 5, burst: 20 };
  var RATE_MARGIN = 0.9;
  var BURST_MARGIN = 1;
  var CONFIRMATION_WINDOW_MS = 10000;

  function SendQueue(now) {
    this.waiting = [];
    this.unconfirmed = []; // { request, at }, newest last
    this.sessionStarted(null, now);
  }

  SendQueue.prototype.sessionStarted = function (rate, now) {
    rate = rate && rate.perSecond > 0 && rate.burst >= 1 ? rate : DEFAULT_RATE;
    this.perSecond = Math.max(rate.perSecond * RATE_MARGIN, 0.1);
    this.burst = Math.max(rate.burst - BURST_MARGIN, 1);
    this.tokens = this.burst;
    this.refilledAt = now;
    this.notBefore = 0;
    this.unconfirmed = [];
  };

  SendQueue.prototype.enqueue = function (request) { this.waiting.push(request); };

  SendQueue.prototype.refill = function (now) {
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) / 1000 * this.perSecond);
    this.refilledAt = now;
  };

  SendQueue.prototype.prune = function (now) {
    this.unconfirmed = this.unconfirmed.filter(function (sent) { return now - sent.at <= CONFIRMATION_WINDOW_MS; });
  };

  SendQueue.prototype.take = function (now) {
    this.refill(now);
    this.prune(now);
    var due = [];
    while (this.waiting.length > 0 && this.tokens >= 1 && now >= this.notBefore) {
      this.tokens -= 1;
      var request = this.waiting.shift();
      this.unconfirmed.push({ request: request, at: now });
      due.push(request);
    }
    return due;
  };

  SendQueue.prototype.nextDeadline = function () {
    if (this.waiting.length === 0) return null;
    var missing = Math.max(1 - this.tokens, 0);
    return Math.max(this.refilledAt + Math.ceil(missing * 1000 / this.perSecond), this.notBefore);
  };

  function same(request, destination, payload) {
    if (request.destination !== destination) return false;
    return request.payload.text === payload.text && (request.payload.to || null) === (payload.to || null);
  }

  SendQueue.prototype.confirmed = function (destination, payload) {
    for (var index = 0; index < this.unconfirmed.length; index++) {
      if (same(this.unconfirmed[index].request, destination, payload)) {
        this.unconfirmed.splice(index, 1);
        return;
      }
    }
  };

  SendQueue.prototype.refused = function (now) {
    this.prune(now);
    var last = this.unconfirmed.pop();
    if (!last) return false;
    this.waiting.unshift(last.request);
    this.tokens = 0;
    this.refilledAt = now;
    this.notBefore = now + Math.ceil(1000 / this.perSecond);
    return true;
  };

  SendQueue.prototype.connectionEnded = function () { this.unconfirmed = []; };

  var api = { SendQueue: SendQueue, DEFAULT_RATE: DEFAULT_RATE };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbySendQueue = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
