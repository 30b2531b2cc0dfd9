// The message list (#messages) of the page, for lobby.js: room messages, private messages,
// notices, pages of older history put in above what is shown, and search results. Every line is
// built from text nodes (textContent), never HTML; line breaks in a message stay line breaks
// (#messages li has white-space: pre-wrap).
//
// view(list, whoAmI, pageSize) → {chat, direct, notice, prepend, search, pager}:
//   chat(message)     a room message (once per id: welcomes after a rename repeat history)
//   direct(message)   a private message: "-> *bob* text" sent, "*alice* text" received (once per id)
//   notice(kind, text, data, at)   a line of its own kind (join, leave, status, error, help…)
//   prepend(messages) a history page (oldest first) above the rest, the view kept where it was;
//                     after the empty page, a "-- beginning of history --" line on top
//   search(reply)     "-- search: TEXT (N results) --" and the matches, dated, as the server sent them
//   pager             the LobbyHistory.Pager that knows the oldest room message shown
// `whoAmI()` gives the current name (it changes with /nick). Lines carry data-kind and, where it
// applies, data-user, data-id, data-to, data-direction, data-code for tests and bug reports.
(function (root) {
  "use strict";

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

  function view(list, whoAmI, pageSize) {
    var seenMessages = new LobbyHistory.Seen();
    var seenDirects = new LobbyHistory.Seen();
    var pager = new LobbyHistory.Pager(pageSize);

    // One line for the message list; `parts` are [className, text] pairs; `data` becomes data-*.
    function makeLine(kind, time, parts, data) {
      var item = document.createElement("li");
      item.dataset.kind = kind;
      Object.keys(data || {}).forEach(function (key) { item.dataset[key] = String(data[key]); });
      item.appendChild(span("time", time));
      parts.forEach(function (part) {
        item.appendChild(document.createTextNode(" "));
        item.appendChild(span(part[0], part[1]));
      });
      return item;
    }

    // Appends a line, keeping the view at the bottom if it was there.
    function addItem(item) {
      var stick = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      list.appendChild(item);
      if (stick) list.scrollTop = list.scrollHeight;
      return item;
    }

    function addLine(kind, at, parts, data) {
      return addItem(makeLine(kind, clock(at), parts, data));
    }

    // A room message's line; `time` defaults to the clock (search results give a date too).
    function chatLine(message, kind, time) {
      var text = String(message.text);
      var data = { user: message.user, id: message.id };
      time = time || clock(message.at);
      var item = text.indexOf("/me ") === 0
        ? makeLine(kind || "action", time, [["text", "* " + message.user + " " + text.slice(4)]], data)
        : makeLine(kind || "message", time, [["user", "<" + message.user + ">"], ["text", text]], data);
      if (message.user === whoAmI()) item.classList.add("mine");
      return item;
    }

    function chat(message) {
      if (!seenMessages.add(message.id)) return;
      pager.loaded(message.id);
      addItem(chatLine(message));
    }

    function direct(message) {
      if (!seenDirects.add(message.id)) return;
      var line = LobbyHistory.directLine(message, whoAmI());
      addLine("direct", message.at, [["user", line.label], ["text", String(message.text)]],
        { user: message.from, to: message.to, id: message.id, direction: line.sent ? "sent" : "received" });
    }

    // A history page (oldest first) goes above what is shown, the view staying where it was.
    function prepend(messages) {
      var fragment = document.createDocumentFragment();
      messages.forEach(function (message) {
        if (!message || !seenMessages.add(message.id)) return;
        pager.loaded(message.id);
        fragment.appendChild(chatLine(message));
      });
      if (pager.done) fragment.insertBefore(makeLine("history-start", "", [["notice", "-- beginning of history --"]]),
        fragment.firstChild);
      var height = list.scrollHeight, top = list.scrollTop;
      list.insertBefore(fragment, list.firstChild);
      list.scrollTop = top + (list.scrollHeight - height);
    }

    function search(reply) {
      var results = Array.isArray(reply.messages) ? reply.messages : [];
      addLine("search", null, [["notice", "-- search: " + reply.query + " (" + results.length +
        (results.length === 1 ? " result" : " results") + ") --"]], { query: reply.query });
      results.forEach(function (message) {
        addItem(chatLine(message, "search-result", LobbyHistory.dateTime(message.at)));
      });
    }

    function notice(kind, text, data, at) {
      addLine(kind, at, [["notice", text]], data);
    }

    return { chat: chat, direct: direct, notice: notice, prepend: prepend, search: search, pager: pager };
  }

  root.LobbyMessages = { view: view, span: span, clock: clock };
})(typeof globalThis !== "undefined" ? globalThis : this);
