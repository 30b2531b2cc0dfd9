// The Lobby browser page: sockjs-client underneath, our STOMP codec (stomp.js) on top, and the
// same flow as the terminal client (DESIGN.md): CONNECT → learn our session id from the transport
// URL (session-id.js) → SUBSCRIBE chat, presence, private replies → SEND /app/identity → chat.
// The member list comes from the welcome and /topic/presence, single events or batches (presence.js).
// Input lines are commands (commands.js): /msg, /away, /back, /search, /me, /nick, /quit, /help;
// Enter sends, Shift+Enter adds a line. Private messages come on /user/queue/direct; older room
// history is asked for when the message list is scrolled to its top (or is not tall enough to
// scroll), one page at a time (history.js); the message list itself is drawn by messages.js.
// A lost connection is retried with backoff; meanwhile the member list is shown as unknown, and
// the next welcome is compared with it (continuity.js). Chat lines and private messages go out
// at the server's advertised chat rate (send-queue.js), so nothing typed quickly is dropped.
//
// Query parameters:
//   ?transport=xhr_streaming   restrict sockjs-client to one transport (or a comma-separated list);
//                              "_" is accepted for sockjs-client's "-" (xhr_polling = xhr-polling)
//   ?name=alice                join as alice at once (otherwise a name form is shown)
//   ?server=URL                SockJS endpoint (default: /connection on this origin)
//   ?heartbeat=MS              STOMP heart-beat offer both ways (default 10000; 0 turns them off)
//
// Every piece of user data goes into the page through textContent, never innerHTML.
// For tests and bug reports the page keeps its last events in window.lobbyDebug and mirrors them
// to console.debug, and puts machine-readable state in data-* attributes (#status, #messages li,
// #members li).
(function () {
  "use strict";

  var params = new URLSearchParams(window.location.search);
  var ENDPOINT = params.get("server") || "/connection";
  var HEARTBEAT_OFFER = heartbeatOffer(params.get("heartbeat")); // CONNECT's heart-beat: [cx, cy] in ms
  var SUBSCRIPTIONS = [
    { id: "chat", destination: "/topic/chat" },
    { id: "presence", destination: "/topic/presence" },
    { id: "reply", destination: "/user/queue/reply" },
    { id: "direct", destination: "/user/queue/direct" },
  ];
  var HISTORY_PAGE = 100; // messages per /app/history request
  var SEARCH_LIMIT = 50;
  var REASONS = { // leave reasons (docs/protocol.md) in words
    quit: "quit",
    closed: "connection closed",
    timeout: "timed out",
    slow: "too slow",
    kicked: "kicked",
    shutdown: "server shutdown",
    restart: "server restart",
    "node-lost": "server node lost",
    renamed: "changed name",
  };

  function heartbeatOffer(value) {
    var ms = value === null ? 10000 : parseInt(value, 10); // 10000: the server's default offer, mirrored
    return isFinite(ms) && ms >= 0 ? [ms, ms] : [10000, 10000];
  }

  var $ = function (id) { return document.getElementById(id); };
  var statusLine = $("status"), messageList = $("messages"), memberList = $("members");
  var memberCount = $("member-count"), nameForm = $("name-form"), nameInput = $("name-input");
  var tokenInput = $("token-input");
  var inputForm = $("input-form"), input = $("input"), sendButton = $("send");

  var sock = null;
  var parser = new LobbyStomp.Parser();
  var sessionId = null;   // ours, from the transport URL (or CONNECTED's session header)
  var me = null;          // the name the server welcomed
  var wantedName = (params.get("name") || "").trim();
  var members = new Map(); // user → number of live sessions
  var away = new Map(); // user → away message (kept across their leaves: presence.js)
  var view = LobbyMessages.view(messageList, function () { return me; }, HISTORY_PAGE); // messages.js
  var pager = view.pager; // paging back through the room's history
  var lastSent = 0, lastReceived = 0;
  var timers = [];
  var ended = false;      // for good: the user quit, an operator removed us, or a protocol failure
  var quitting = false;
  var quitBy = Infinity;  // after /quit: the goodbye goes out when the queue is empty, or by then
  var membersKnown = false; // the list is the room as it stands (a welcome, no connection lost since)
  var continuity = new LobbyContinuity.Continuity();
  var queue = new LobbySendQueue.SendQueue(Date.now());
  var queueTimer = null;
  var failures = 0;       // connection attempts since the last welcome
  var joinFilter = "all"; // /filter: "smart" hides joins and leaves of users quiet for 10 minutes
  var lastSpoke = new Map(); // user → when they last said something (ms), for the smart filter
  var SMART_FILTER_MS = 10 * 60000;
  var reconnectTimer = null;

  // -- debugging aid ---------------------------------------------------------------------------

  var debugLog = (window.lobbyDebug = []);
  function debug() {
    var line = Array.prototype.map.call(arguments, function (part) {
      return typeof part === "string" ? part : JSON.stringify(part);
    }).join(" ");
    debugLog.push(new Date().toISOString() + " " + line);
    if (debugLog.length > 300) debugLog.shift();
    console.debug("[lobby] " + line);
  }

  // -- rendering -------------------------------------------------------------------------------

  function setStatus(state, text) {
    statusLine.dataset.state = state;
    statusLine.textContent = text;
  }

  // Asks for the page before the oldest loaded message, unless one is pending or all is loaded.
  function loadOlder() {
    if (!me) return;
    var request = pager.next();
    if (!request) return;
    debug("history request", request);
    sendJSON("/app/history", request);
  }

  // Scrolled to the top, or nothing to scroll yet: the user wants (or cannot reach) older lines.
  function maybeLoadOlder() {
    if (messageList.scrollTop <= 5 || messageList.scrollHeight <= messageList.clientHeight) loadOlder();
  }

  function renderMembers() {
    var names = Array.from(members.keys()).sort(function (a, b) {
      var x = a.toLowerCase(), y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
    memberList.replaceChildren();
    memberList.classList.toggle("unknown", !membersKnown);
    memberList.dataset.known = String(membersKnown);
    names.forEach(function (name) {
      var item = document.createElement("li");
      item.dataset.user = name;
      item.dataset.sessions = String(members.get(name));
      item.textContent = name;
      if (name === me) {
        item.classList.add("me");
        item.appendChild(LobbyMessages.span("you", " (you)"));
      } else {
        item.tabIndex = 0;
        item.title = "send " + name + " a private message";
      }
      if (away.has(name)) {
        item.classList.add("away");
        item.dataset.away = away.get(name);
        item.title = name + " is away: " + away.get(name);
        item.appendChild(LobbyMessages.span("away-text", " (away: " + away.get(name) + ")"));
      }
      memberList.appendChild(item);
    });
    memberCount.textContent = membersKnown ? String(names.length) : "(disconnected)";
    memberCount.dataset.count = String(names.length);
  }

  function setInputEnabled(enabled) {
    input.disabled = !enabled;
    sendButton.disabled = !enabled;
    if (enabled) input.focus();
  }

  function askForName() {
    nameForm.hidden = false;
    if (!nameInput.value) nameInput.value = wantedName;
    nameInput.focus();
  }

  // -- STOMP over SockJS -----------------------------------------------------------------------

  function sendFrame(command, headers, body) {
    if (!sock || sock.readyState !== SockJS.OPEN) return;
    sock.send(LobbyStomp.encode(command, headers, body));
    lastSent = Date.now();
  }

  function sendJSON(destination, payload) {
    sendFrame("SEND", { destination: destination, "content-type": "application/json" }, JSON.stringify(payload));
  }

  // The secret of each name this browser claimed on this server, kept across reloads
  // (docs/protocol.md, "Name claims"). localStorage is per origin, so per server.
  function tokenKey(name) { return "lobby.nameToken." + name.trim(); }

  function storedToken(name) {
    try { return window.localStorage.getItem(tokenKey(name)); } catch (e) { return null; }
  }

  // What `lobby --show-token` prints and the server hands out: 43 base64url characters.
  function isWellFormedToken(token) { return /^[A-Za-z0-9_-]{43}$/.test(token); }

  function storeToken(name, token) {
    try { window.localStorage.setItem(tokenKey(name), token); } catch (e) { debug("token not stored", e); }
  }

  function identify(name) {
    wantedName = name;
    debug("identify", name);
    var identity = { sessionId: sessionId, clientData: name };
    var token = storedToken(name);
    if (token) identity.token = token;
    sendJSON("/app/identity", identity);
  }

  function transports() {
    var wanted = params.get("transport");
    if (!wanted) return undefined;
    return wanted.split(",").map(function (name) { return name.trim().replace(/_/g, "-"); })
      .filter(function (name) { return name !== ""; });
  }

  function endpointPath() {
    return new URL(ENDPOINT, window.location.href).pathname.replace(/\/$/, "");
  }

  function connect() {
    reconnectTimer = null;
    parser = new LobbyStomp.Parser();
    sessionId = null;
    var only = transports();
    setStatus("connecting", "connecting…" + (only ? " (" + only.join(", ") + ")" : ""));
    debug("connecting to", ENDPOINT, "transports", only || "all");
    sock = new SockJS(ENDPOINT, null, only ? { transports: only } : {});
    sock.onopen = function () {
      debug("sockjs open, transport", sock.transport, "url", transportUrl());
      statusLine.dataset.transport = sock.transport || "";
      lastReceived = Date.now();
      sendFrame("CONNECT", {
        "accept-version": "1.2,1.1",
        host: window.location.hostname || "localhost",
        "heart-beat": HEARTBEAT_OFFER.join(","),
      });
    };
    sock.onmessage = function (event) { onData(event.data); };
    sock.onclose = function (event) { onClose(event.code, event.reason); };
  }

  // sockjs-client keeps the transport's URL on the transport object: `url` for websocket and the
  // HTTP transports, `transUrl` for the iframe-* ones. Both are internals, hence the fallback.
  function transportUrl() {
    var transport = sock && sock._transport;
    if (!transport) return null;
    return transport.url || transport.transUrl || null;
  }

  function onData(data) {
    lastReceived = Date.now();
    var items;
    try {
      items = parser.feed(data);
    } catch (error) {
      debug("STOMP parse error", String(error), "data", data);
      fail("protocol error from the server: " + error.message);
      return;
    }
    items.forEach(function (item) {
      if (item === LobbyStomp.HEARTBEAT) return;
      try {
        onFrame(item);
      } catch (error) {
        debug("error handling frame", item.command, String(error && error.stack || error));
      }
    });
  }

  function onFrame(frame) {
    switch (frame.command) {
      case "CONNECTED":
        return onConnected(frame);
      case "MESSAGE":
        return onMessage(frame);
      case "RECEIPT":
        if (frame.headers["receipt-id"] === "bye") sock.close(1000, "quit");
        return;
      case "ERROR":
        debug("STOMP ERROR", frame.headers, frame.body);
        view.notice("error", "server error: " + (frame.headers.message || "") + (frame.body ? " — " + frame.body : ""),
          { code: "stomp-error" });
        return;
      default:
        debug("ignored frame", frame.command);
    }
  }

  function onConnected(frame) {
    var url = transportUrl();
    var fromUrl = url ? LobbySessionId.sessionIdFromTransportUrl(url, endpointPath()) : null;
    var fromHeader = frame.headers.session || null;
    debug("CONNECTED", frame.headers, "transport url", url, "session from url", fromUrl);
    if (url && fromUrl === null) {
      return fail("cannot read the session id from the transport URL " + url);
    }
    if (fromUrl && fromHeader && fromUrl !== fromHeader) {
      return fail("session id mismatch: transport URL says " + fromUrl + ", server says " + fromHeader);
    }
    sessionId = fromUrl || fromHeader;
    if (!sessionId) return fail("no session id: no transport URL and no session header");
    statusLine.dataset.session = sessionId;
    startHeartbeats(LobbyStomp.heartbeatIntervals(HEARTBEAT_OFFER, frame.headers["heart-beat"]));
    SUBSCRIPTIONS.forEach(function (sub) {
      sendFrame("SUBSCRIBE", { id: sub.id, destination: sub.destination, ack: "auto" });
    });
    setStatus("identifying", "connected (session " + sessionId + "), choosing a name…");
    if (wantedName) identify(wantedName);
    else askForName();
  }

  function startHeartbeats(intervals) {
    debug("heart-beats", intervals);
    if (intervals.send > 0) {
      // Check twice per interval and send "\n" when we have been quiet for half of it: sends at most
      // every `send` ms, and the server (which waits 2 × interval) never sees us late.
      timers.push(setInterval(function () {
        if (Date.now() - lastSent >= intervals.send / 2) {
          sock.send("\n");
          lastSent = Date.now();
        }
      }, intervals.send / 2));
    }
    if (intervals.receive > 0) {
      // The server promised something every `receive` ms; silence for twice that is a dead link.
      timers.push(setInterval(function () {
        if (Date.now() - lastReceived > 2 * intervals.receive) lose("the server went silent (heart-beat timeout)");
      }, intervals.receive));
    }
  }

  function onMessage(frame) {
    var payload;
    try {
      payload = JSON.parse(frame.body);
    } catch (error) {
      debug("non-JSON MESSAGE", frame.headers, frame.body);
      return;
    }
    switch (frame.headers.subscription) {
      case "chat":
        if (payload.type !== "message") return;
        if (payload.user === me) queue.confirmed("/app/chat", payload);
        lastSpoke.set(payload.user, Math.max(lastSpoke.get(payload.user) || 0, Date.parse(payload.at) || 0));
        view.chat(payload);
        return;
      case "presence":
        return onPresence(payload);
      case "reply":
        return onReply(payload);
      case "direct":
        if (payload.type !== "direct") return;
        if (payload.from === me) queue.confirmed("/app/direct", payload);
        view.direct(payload);
        return;
      default:
        debug("MESSAGE for unknown subscription", frame.headers);
    }
  }

  // One event or a batch of them (presence.js): each applied and shown in turn, the list drawn once.
  function onPresence(payload) {
    // Before this connection's welcome a change is already in the welcome's list (docs/protocol.md):
    // the welcome's comparison with the list before the outage announces it.
    if (!membersKnown) return;
    var changed = false;
    LobbyPresence.eventsOf(payload).forEach(function (event) {
      if (!LobbyPresence.applyEvent(members, event, away)) {
        if (event.type !== "status") debug("unknown presence event", event);
        return;
      }
      changed = true;
      if (event.type === "status") {
        view.notice("status", awayText(event.user), { user: event.user }, event.at);
      } else if (!isShownByFilter(event.user, event.at)) {
        if (event.type === "join") continuity.joinLine(event);
        else continuity.left(event);
      } else if (event.type === "join") {
        var returned = continuity.joinLine(event) === "returned";
        view.notice(returned ? "rejoin" : "join", event.user + (returned ? " is back" : " joined"), { user: event.user },
          event.at);
      } else {
        continuity.left(event);
        var reason = REASONS[event.reason] || event.reason || "left";
        var data = { user: event.user, reason: event.reason };
        view.notice("leave", event.user + " left (" + reason + ")", data, event.at);
      }
    });
    if (changed) {
      renderMembers();
      // Your own away state is on the status line (not over "leaving…" after /quit).
      if (me && statusLine.dataset.state === "connected") showConnected();
    }
  }

  function showConnected() {
    var own = !away.has(me) ? "" : away.get(me) === LobbyCommands.DEFAULT_AWAY ? " [away]" : " [away: " + away.get(me) + "]";
    setStatus("connected", "connected as " + me + own + " (session " + sessionId + ")");
    statusLine.dataset.away = away.has(me) ? away.get(me) : "";
  }

  // One wording in every client: a bare /away reads "bob is away", not "is away: away".
  function awayText(user) {
    if (!away.has(user)) return user + " is back";
    var text = away.get(user);
    return user + (text === LobbyCommands.DEFAULT_AWAY ? " is away" : " is away: " + text);
  }

  function isShownByFilter(user, at) {
    if (joinFilter !== "smart" || user === me) return true;
    var spoke = lastSpoke.get(user);
    return spoke !== undefined && (Date.parse(at) || Date.now()) - spoke <= SMART_FILTER_MS;
  }

  function whoLine() {
    if (!membersKnown) return "who is here is unknown while disconnected; the list is refreshed on reconnect";
    var names = Array.from(members.keys()).sort(function (a, b) { return a.toLowerCase() < b.toLowerCase() ? -1 : 1; });
    var parts = names.map(function (name) {
      var text = name === me ? name + " (you)" : name;
      if (away.has(name)) text += away.get(name) === LobbyCommands.DEFAULT_AWAY ? " (away)" : " (away: " + away.get(name) + ")";
      return text;
    });
    return names.length + (names.length === 1 ? " member: " : " members: ") + parts.join(", ");
  }

  function onReply(reply) {
    if (reply.type === "welcome") {
      var isNewSession = !membersKnown;
      me = reply.user;
      wantedName = reply.user; // a reconnect identifies as the name last welcomed
      if (reply.token) storeToken(reply.user, reply.token);
      nameForm.hidden = true;
      members = LobbyPresence.membersOf(reply); // authoritative: replaces what earlier events built
      membersKnown = true;
      failures = 0;
      var changes = continuity.welcomed(reply, Date.now());
      if (changes) {
        if (changes.serverRestarted) view.notice("notice", "server restarted", { code: "server-restarted" });
        changes.arrived.forEach(function (user) { view.notice("join", user + " joined", { user: user }); });
      }
      // A /nick's welcome keeps the session, and with it the server's bucket.
      if (isNewSession) queue.sessionStarted(reply.chatRate || null, Date.now());
      // The welcome says who of its members is away; what we know of absent users stays.
      members.forEach(function (sessions, user) { away.delete(user); });
      LobbyPresence.awayOf(reply).forEach(function (text, user) { away.set(user, text); });
      (reply.history || []).forEach(view.chat);
      (reply.directs || []).forEach(view.direct);
      renderMembers();
      showConnected();
      statusLine.dataset.user = me;
      setInputEnabled(true);
      maybeLoadOlder();
      sendQueued();
    } else if (reply.type === "history") {
      var page = pager.answered(reply);
      if (page === null) return debug("unasked-for history reply", reply.before);
      view.prepend(page);
      maybeLoadOlder(); // still not tall enough to scroll: the next page
    } else if (reply.type === "search") {
      view.search(reply);
    } else if (reply.type === "error") {
      debug("private error", reply);
      // A chat or private message refused as too fast goes out again (send-queue.js); the rename
      // and status buckets say "changing your …", and those refusals are the user's to read.
      if (reply.code === "rate-limited" && String(reply.message).indexOf("changing your") < 0
          && queue.refused(Date.now())) return sendQueued();
      // Errors do not say which request they answer; this one may be the history page's.
      if (reply.code === "store-unavailable") pager.failed();
      if (reply.code === "not-here") {
        view.notice("error", reply.message, { code: reply.code });
      } else if (reply.code === "name-taken") {
        view.notice("error", wantedName + " is taken on this server; choose another name", { code: reply.code });
      } else {
        view.notice("error", "error: " + reply.message + " (" + reply.code + ")", { code: reply.code });
      }
      if ((reply.code === "invalid-name" || reply.code === "name-taken") && !me) askForName();
    }
  }

  function fail(why) {
    debug("fail", why);
    ended = true;
    setStatus("error", "error: " + why);
    view.notice("error", why, { code: "client" });
    stopTimers();
    setInputEnabled(false);
    if (sock) sock.close(1000, "client error");
  }

  function stopTimers() {
    timers.forEach(clearInterval);
    timers = [];
  }

  // The connection is dead but the session may come back: close, and onClose reconnects.
  function lose(why) {
    debug("lost", why);
    view.notice("error", why, { code: "client" });
    if (sock) sock.close(1000, "connection lost");
  }

  function onClose(code, reason) {
    debug("sockjs close", code, reason);
    stopTimers();
    setInputEnabled(false);
    clearTimeout(queueTimer);
    queueTimer = null;
    queue.connectionEnded();
    if (membersKnown) {
      continuity.connectionLost(Array.from(members.keys()));
      membersKnown = false;
    }
    statusLine.dataset.closeCode = String(code);
    if (code === 4002) {
      // An operator removed us: coming back on our own would undo that. Nobody is listed.
      ended = true;
      members = new Map();
      renderMembers();
      setStatus("disconnected", "removed by an operator" + (reason ? " (" + reason + ")" : "") + " — reload to come back");
      return;
    }
    renderMembers();
    if (ended && statusLine.dataset.state === "error") return; // keep the error on screen
    if (ended || quitting) {
      ended = true;
      setStatus("disconnected", "disconnected (" + code + (reason ? " " + reason : "") + ")");
      return;
    }
    failures += 1;
    var delay = LobbyContinuity.reconnectDelay(failures, Math.random);
    var until = Date.now() + delay;
    var countdown = function () {
      var seconds = Math.max(Math.ceil((until - Date.now()) / 1000), 0);
      setStatus("reconnecting", "disconnected (" + code + (reason ? " " + reason : "") + "), reconnecting in "
        + seconds + " s");
    };
    countdown();
    var ticker = setInterval(countdown, 1000);
    reconnectTimer = setTimeout(function () { clearInterval(ticker); connect(); }, delay);
  }

  // Sends what the queue lets through now, and wakes up for the rest.
  function sendQueued() {
    clearTimeout(queueTimer);
    queueTimer = null;
    if (!membersKnown || !sock || sock.readyState !== SockJS.OPEN) return;
    queue.take(Date.now()).forEach(function (request) { sendJSON(request.destination, request.payload); });
    if (quitting && (queue.waiting.length === 0 || Date.now() >= quitBy)) return sendFrame("DISCONNECT", { receipt: "bye" });
    var next = queue.nextDeadline();
    if (next !== null) queueTimer = setTimeout(sendQueued, Math.max(Math.min(next, quitBy) - Date.now(), 0));
  }

  function sendPaced(destination, payload) {
    queue.enqueue({ destination: destination, payload: payload });
    sendQueued();
  }

  // -- user input ------------------------------------------------------------------------------

  nameForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = nameInput.value.trim();
    if (!name || !sessionId || ended) return;
    var token = tokenInput ? tokenInput.value.trim() : "";
    if (token) {
      if (!isWellFormedToken(token)) {
        view.notice("error", "a token is the 43 characters `lobby --show-token` prints", { code: "token" });
        return;
      }
      storeToken(name, token); // kept like one the server handed out, and sent with the identity
      tokenInput.value = "";
    }
    identify(name);
  });

  inputForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var command = LobbyCommands.parse(input.value);
    if (!command || !me) return;
    input.value = "";
    switch (command.kind) {
      case "chat":
        return sendPaced("/app/chat", { text: command.text });
      case "direct":
        sendPaced("/app/direct", { to: command.to, text: command.text });
        // irssi and WeeChat show the recipient's away message: the reply may take a while.
        if (membersKnown && members.has(command.to) && away.has(command.to)) {
          view.notice("status", awayText(command.to), { user: command.to });
        }
        return;
      case "away":
        return sendJSON("/app/status", { away: command.text });
      case "back":
        return sendJSON("/app/status", { away: null });
      case "search":
        return sendJSON("/app/search", { query: command.query, limit: SEARCH_LIMIT });
      case "nick":
        return identify(command.name);
      case "quit":
        // What still waits in the queue goes out first (for up to 8 s), then the goodbye.
        quitting = true;
        quitBy = Date.now() + 8000;
        setStatus("disconnecting", "leaving…");
        return sendQueued();
      case "help":
        return LobbyCommands.HELP.forEach(function (line) { view.notice("help", line); });
      case "who":
        return view.notice("who", whoLine());
      case "clear":
        return messageList.replaceChildren();
      case "filter":
        if (command.filter === null) return view.notice("help", "usage: /filter smart|all (now: " + joinFilter + ")");
        joinFilter = command.filter;
        return view.notice("help", joinFilter === "smart"
          ? "filter smart: joins and leaves of users quiet for 10 minutes are hidden"
          : "filter all: every join and leave is shown");
      default:
        view.notice("error", command.message, { code: "command" });
    }
  });

  // Enter sends; Shift+Enter starts a new line of the same message.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      inputForm.requestSubmit();
    }
  });

  // Clicking a member (or Enter on one) starts a private message to them.
  function startDirect(event) {
    var item = event.target.closest && event.target.closest("#members li");
    if (!item || !item.dataset.user || item.dataset.user === me || input.disabled) return;
    if (event.type === "keydown" && event.key !== "Enter") return;
    event.preventDefault();
    input.value = "/msg " + item.dataset.user + " ";
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }
  memberList.addEventListener("click", startDirect);
  memberList.addEventListener("keydown", startDirect);

  messageList.addEventListener("scroll", maybeLoadOlder);
  messageList.addEventListener("wheel", function (event) { if (event.deltaY < 0) maybeLoadOlder(); });

  connect();
})();
