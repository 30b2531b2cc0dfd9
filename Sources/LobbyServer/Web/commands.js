// What a line typed into the page's input means (the same commands as the terminal client).
//
// parse(text) → one of
//   null                                   nothing to do (empty or blank input)
//   {kind: "chat", text}                   a room message (also "/me waves"; "//x" sends "/x")
//   {kind: "direct", to, text}             /msg NAME TEXT
//   {kind: "away", text}                   /away [TEXT]  (no text: "away")
//   {kind: "back"}                         /back
//   {kind: "search", query}                /search TEXT
//   {kind: "nick", name}                   /nick NAME
//   {kind: "quit"} | {kind: "help"}        /quit, /help
//   {kind: "who"} | {kind: "clear"}        /who (the member list as a line), /clear (empty the messages)
//   {kind: "filter", filter}               /filter smart|all (filter: null asks which is on)
//   {kind: "error", message}               a command used wrongly, or an unknown one
// TEXT keeps its inner line breaks and spaces; only the ends of the whole input are trimmed.
// HELP is the text /help shows, one command a line.
(function (root) {
  "use strict";

  var DEFAULT_AWAY = "away";
  var HELP = [
    "/msg NAME TEXT   private message (or click a member)",
    "/away [TEXT]     mark yourself away; /back to return",
    "/search TEXT     find room messages, with their dates",
    "/me TEXT         an action",
    "/nick NAME       change your name",
    "/who             who is here (and who is away)",
    "/clear           empty the message list",
    "/filter smart|all  smart: hide joins and leaves of users quiet for 10 minutes",
    "/quit            leave",
    "scroll to the top of the messages for older history",
  ];

  // "/cmd rest" → ["cmd", "rest"]: the command word (lowercased) and what follows it.
  function split(text) {
    var match = /^\/(\S*)([\s\S]*)$/.exec(text);
    return [match[1].toLowerCase(), match[2]];
  }

  function parse(raw) {
    var text = String(raw == null ? "" : raw).trim();
    if (text === "") return null;
    if (text.charAt(0) !== "/") return { kind: "chat", text: text };
    if (text.charAt(1) === "/") return { kind: "chat", text: text.slice(1) };
    var parts = split(text), command = parts[0], rest = parts[1].trim();
    switch (command) {
      case "me":
        return rest ? { kind: "chat", text: "/me " + rest } : usage("/me TEXT");
      case "msg": {
        var target = /^(\S+)\s+([\s\S]+)$/.exec(rest);
        if (!target || !target[2].trim()) return usage("/msg NAME TEXT");
        return { kind: "direct", to: target[1], text: target[2].trim() };
      }
      case "away":
        return { kind: "away", text: rest || DEFAULT_AWAY };
      case "back":
        return rest ? usage("/back") : { kind: "back" };
      case "search":
        return rest ? { kind: "search", query: rest } : usage("/search TEXT");
      case "nick":
        return rest ? { kind: "nick", name: rest } : usage("/nick NAME");
      case "who":
        return rest ? usage("/who") : { kind: "who" };
      case "clear":
        return rest ? usage("/clear") : { kind: "clear" };
      case "filter":
        if (rest === "") return { kind: "filter", filter: null };
        return rest === "smart" || rest === "all" ? { kind: "filter", filter: rest } : usage("/filter smart|all");
      case "quit":
        return { kind: "quit" };
      case "help":
        return { kind: "help" };
      default:
        return { kind: "error", message: "unknown command /" + command + " (try /help)" };
    }
  }

  function usage(form) {
    return { kind: "error", message: "usage: " + form };
  }

  var api = { parse: parse, HELP: HELP, DEFAULT_AWAY: DEFAULT_AWAY };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbyCommands = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
