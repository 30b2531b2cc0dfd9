// Extracts the SockJS session id from a transport URL, the way the terminal client does it
// (DESIGN.md, connect step 2): sockjs-client builds every transport URL as
//
//     {base}/{server}/{session}[/{transport}]      e.g. http://h:8080/connection/123/abcd1234/xhr_streaming
//
// and the page reads it back from `sock._transport.url` (websocket, xhr*, eventsource, jsonp) or
// `sock._transport.transUrl` (iframe-* transports). Note that for the HTTP transports sockjs-client
// keeps the URL *without* the transport suffix (`…/123/abcd1234`), so both shapes are accepted.
//
// sessionIdFromTransportUrl(url, prefix?) → the session id, or null when the URL is malformed.
//   - url: absolute ws:, wss:, http: or https: URL; query string, fragment and a trailing slash
//     are ignored.
//   - prefix: the SockJS endpoint path (e.g. "/connection"). With it, the path must be
//     prefix/{server}/{session} or prefix/{server}/{session}/{transport}, with any transport
//     name. Without it, the last segment counts as a transport only if it is one of SockJS's
//     transport names — an all-letter session id ("websocket" is 9 letters of [a-z]) cannot be
//     told from a transport otherwise, which is why the page always passes the prefix.
// Segments are SockJS's: non-empty, without "." (DESIGN.md: ids are any segment without / or .).
(function (root) {
  "use strict";

  var SCHEMES = ["ws:", "wss:", "http:", "https:"];
  var TRANSPORTS = [
    "websocket", "xhr", "xhr_send", "xhr_streaming", "eventsource", "htmlfile", "jsonp", "jsonp_send",
  ];

  function validSegment(segment) {
    return typeof segment === "string" && segment.length > 0 && segment.indexOf(".") === -1;
  }

  function pathSegments(path) {
    // "/a/b/c/" → ["a","b","c"]: one trailing slash is tolerated, an empty segment elsewhere is not.
    if (path.charAt(0) !== "/") return null;
    var rest = path.slice(1);
    if (rest.charAt(rest.length - 1) === "/") rest = rest.slice(0, -1);
    if (rest === "") return [];
    var segments = rest.split("/");
    for (var i = 0; i < segments.length; i++) {
      if (segments[i] === "") return null;
    }
    return segments;
  }

  function sessionIdFromTransportUrl(url, prefix) {
    if (typeof url !== "string" || url === "") return null;
    var parsed;
    try {
      parsed = new URL(url); // throws on relative or garbage URLs
    } catch (error) {
      return null;
    }
    if (SCHEMES.indexOf(parsed.protocol) === -1 || parsed.host === "") return null;
    var segments = pathSegments(parsed.pathname);
    if (segments === null) return null;

    var ids; // [server, session] or [server, session, transport]
    if (prefix !== undefined && prefix !== null) {
      var prefixSegments = pathSegments(prefix === "" ? "/" : prefix);
      if (prefixSegments === null) return null;
      for (var i = 0; i < prefixSegments.length; i++) {
        if (segments[i] !== prefixSegments[i]) return null;
      }
      ids = segments.slice(prefixSegments.length);
      if (ids.length !== 2 && ids.length !== 3) return null;
    } else {
      var last = segments[segments.length - 1];
      var hasTransport = TRANSPORTS.indexOf(last) !== -1;
      ids = segments.slice(hasTransport ? -3 : -2);
      if (ids.length !== (hasTransport ? 3 : 2)) return null;
    }
    for (var j = 0; j < ids.length; j++) {
      if (!validSegment(ids[j])) return null;
    }
    return ids[1];
  }

  var api = { sessionIdFromTransportUrl: sessionIdFromTransportUrl, TRANSPORTS: TRANSPORTS };
  if (typeof module === "object" && module.exports) {
    module.exports = api; // node --test
  } else {
    root.LobbySessionId = api; // the page
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
