// The Lobby browser page: sockjs-client underneath, our STOMP codec (stomp.js) on top, and the
// same flow as the terminal client (DESIGN.md): CONNECT → learn our session id from the transport
// URL (session-id.js) → SUBSCRIBE chat, presence, private replies → SEND /app/identity → chat.
// The member list comes from the welcome and /topic/presence, single events or batches (presence.js).
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
  ];
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
  var inputForm = $("input-form"), input = $("input"), sendButton = $("send");

  var sock = null;
  var parser = new LobbyStomp.Parser();
  var sessionId = null;   // ours, from the transport URL (or CONNECTED's session header)
  var me = null;          // the name the server welcomed
  var wantedName = (params.get("name") || "").trim();
  var members = new Map(); // user → number of live sessions
  var seenMessages = new Set(); // chat ids already shown (a rename's fresh welcome repeats history)
  var lastSent = 0, lastReceived = 0;
  var timers = [];
  var ended = false;

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

  function clock(at) {
    var date = at ? new Date(at) : new Date();
    if (isNaN(date.getTime())) return "--:--";
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  function span(className, text) {
    var element = document.createElement("span");
    element.className = className;
    element.textContent = text;
    return element;
  }

  // Appends one line to the message list; `parts` are [className, text] pairs; `data` becomes data-*.
  function addLine(kind, at, parts, data) {
    var stick = messageList.scrollHeight - messageList.scrollTop - messageList.clientHeight < 40;
    var item = document.createElement("li");
    item.dataset.kind = kind;
    Object.keys(data || {}).forEach(function (key) { item.dataset[key] = String(data[key]); });
    item.appendChild(span("time", clock(at)));
    parts.forEach(function (part) {
      item.appendChild(document.createTextNode(" "));
      item.appendChild(span(part[0], part[1]));
    });
    messageList.appendChild(item);
    if (stick) messageList.scrollTop = messageList.scrollHeight;
    return item;
  }

  function showChat(message) {
    if (seenMessages.has(message.id)) return;
    seenMessages.add(message.id);
    var text = String(message.text);
    var data = { user: message.user, id: message.id };
    var item;
    if (text.indexOf("/me ") === 0) {
      item = addLine("action", message.at, [["text", "* " + message.user + " " + text.slice(4)]], data);
    } else {
      item = addLine("message", message.at, [["user", "<" + message.user + ">"], ["text", text]], data);
    }
    if (message.user === me) item.classList.add("mine");
  }

  function showNotice(kind, text, data, at) {
    addLine(kind, at, [["notice", text]], data);
  }

  function renderMembers() {
    var names = Array.from(members.keys()).sort(function (a, b) {
      var x = a.toLowerCase(), y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
    memberList.replaceChildren();
    names.forEach(function (name) {
      var item = document.createElement("li");
      item.dataset.user = name;
      item.dataset.sessions = String(members.get(name));
      item.textContent = name;
      if (name === me) {
        item.classList.add("me");
        item.appendChild(span("you", " (you)"));
      }
      memberList.appendChild(item);
    });
    memberCount.textContent = String(names.length);
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
        showNotice("error", "server error: " + (frame.headers.message || "") + (frame.body ? " — " + frame.body : ""),
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
        if (Date.now() - lastReceived > 2 * intervals.receive) fail("the server went silent (heart-beat timeout)");
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
        if (payload.type === "message") showChat(payload);
        return;
      case "presence":
        return onPresence(payload);
      case "reply":
        return onReply(payload);
      default:
        debug("MESSAGE for unknown subscription", frame.headers);
    }
  }

  // One event or a batch of them (presence.js): each applied and shown in turn, the list drawn once.
  function onPresence(payload) {
    var changed = false;
    LobbyPresence.eventsOf(payload).forEach(function (event) {
      if (!LobbyPresence.applyEvent(members, event)) {
        debug("unknown presence event", event);
        return;
      }
      changed = true;
      if (event.type === "join") {
        showNotice("join", event.user + " joined", { user: event.user }, event.at);
      } else {
        var reason = REASONS[event.reason] || event.reason || "left";
        var data = { user: event.user, reason: event.reason };
        showNotice("leave", event.user + " left (" + reason + ")", data, event.at);
      }
    });
    if (changed) renderMembers();
  }

  function onReply(reply) {
    if (reply.type === "welcome") {
      me = reply.user;
      if (reply.token) storeToken(reply.user, reply.token);
      nameForm.hidden = true;
      members = LobbyPresence.membersOf(reply); // authoritative: replaces what earlier events built
      (reply.history || []).forEach(showChat);
      renderMembers();
      setStatus("connected", "connected as " + me + " (session " + sessionId + ")");
      statusLine.dataset.user = me;
      setInputEnabled(true);
    } else if (reply.type === "error") {
      debug("private error", reply);
      if (reply.code === "name-taken") {
        showNotice("error", wantedName + " is taken on this server; choose another name", { code: reply.code });
      } else {
        showNotice("error", "error: " + reply.message + " (" + reply.code + ")", { code: reply.code });
      }
      if ((reply.code === "invalid-name" || reply.code === "name-taken") && !me) askForName();
    }
  }

  function fail(why) {
    debug("fail", why);
    ended = true;
    setStatus("error", "error: " + why);
    showNotice("error", why, { code: "client" });
    stopTimers();
    setInputEnabled(false);
    if (sock) sock.close(1000, "client error");
  }

  function stopTimers() {
    timers.forEach(clearInterval);
    timers = [];
  }

  function onClose(code, reason) {
    debug("sockjs close", code, reason);
    stopTimers();
    setInputEnabled(false);
    if (ended && statusLine.dataset.state === "error") return; // keep the error on screen
    ended = true;
    setStatus("disconnected", "disconnected (" + code + (reason ? " " + reason : "") + ") — reload to reconnect");
    statusLine.dataset.closeCode = String(code);
  }

  // -- user input ------------------------------------------------------------------------------

  nameForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = nameInput.value.trim();
    if (!name || !sessionId || ended) return;
    identify(name);
  });

  inputForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text || !me) return;
    input.value = "";
    if (text === "/quit") {
      setStatus("disconnecting", "leaving…");
      sendFrame("DISCONNECT", { receipt: "bye" });
    } else if (text.indexOf("/nick ") === 0) {
      identify(text.slice(6).trim());
    } else {
      sendJSON("/app/chat", { text: text });
    }
  });

  connect();
})();
