"""SockJS HTTP fallback transports over real HTTP on 127.0.0.1 (issue 6, "Transports").

Written from the SockJS protocol (the rules its reference test suite checks) and the issue:
status codes, Content-Type per transport, CORS, caching, the iframe page, xhr polling and
xhr_send, xhr_streaming (prelude, response limit), eventsource, htmlfile, jsonp + jsonp_send,
callbacks, the second-receiver rule, /close, JSESSIONID, JSON escaping, HTTP/1.0 and 1.1
framing, and a full STOMP lobby session on every receive transport, including the 5 s
disconnect delay ending a session with reason `closed`.

The test services (`--sockjs-test-services`) give `/echo` (response limit 4096), `/close`,
`/cookie_needed_echo`. Helpers live in sockjshttp.py.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time

import pytest

from lobbytest import PRESENCE, is_chat, is_join, is_leave, is_welcome, random_session_id, wait_until
from sockjshttp import (
    CALLBACK,
    RECEIVE_TRANSPORTS,
    HTTPStompClient,
    Stream,
    get,
    next_frame,
    post,
    receive_method,
    receive_path,
    request,
    skip_prelude,
)

ECHO = "/echo"
CLOSE = "/close"
COOKIE = "/cookie_needed_echo"
NO_STORE = "no-store, no-cache, no-transform, must-revalidate, max-age=0"
ONE_YEAR = 31536000
GO_AWAY = 'c[3000,"Go away!"]'
ANOTHER = 'c[2010,"Another connection still open"]'

CONTENT_TYPES = {
    "xhr": "application/javascript; charset=UTF-8",
    "xhr_streaming": "application/javascript; charset=UTF-8",
    "jsonp": "application/javascript; charset=UTF-8",
    "eventsource": "text/event-stream",
    "htmlfile": "text/html; charset=UTF-8",
}
# The SockJS protocol's reference iframe page; only the script URL may differ.
REFERENCE_IFRAME_PAGE = """<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
  <script src="SOCKJS_URL"></script>
  <script>
    document.domain = document.domain;
    SockJS.bootstrap_iframe();
  </script>
</head>
<body>
  <h2>Don't panic!</h2>
  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
</body>
</html>"""
# What a method mismatch must list in Allow, per transport.
TRANSPORT_METHODS = {
    "xhr": "POST", "xhr_send": "POST", "xhr_streaming": "POST", "jsonp_send": "POST",
    "jsonp": "GET", "eventsource": "GET", "htmlfile": "GET",
}
ALL_TRANSPORTS = tuple(TRANSPORT_METHODS)


@pytest.fixture
def services(make_server):
    # The SockJS protocol's own CORS rules (any Origin echoed, `null` included) are what these
    # tests check: `--allowed-origins '*'` keeps them. Refused origins: tests/test_limits.py.
    return make_server("--sockjs-test-services", "--allowed-origins", "*")


def sid() -> str:
    return random_session_id(16)


def url(session: str, transport: str, prefix: str = ECHO, server: str = "000") -> str:
    return f"{prefix}/{server}/{session}/{transport}"


def xhr(port: int, session: str, prefix: str = ECHO, **kw):
    return post(port, url(session, "xhr", prefix), **kw)


def xhr_send(port: int, session: str, body, prefix: str = ECHO, headers=None):
    return post(port, url(session, "xhr_send", prefix), body, headers)


def jsonp(port: int, session: str, callback: str = "x", prefix: str = ECHO, headers=None):
    return get(port, url(session, "jsonp", prefix) + f"?c={callback}", headers)


def jsonp_send(port: int, session: str, body, content_type="application/x-www-form-urlencoded", prefix=ECHO,
               headers=None):
    all_headers = {"Content-Type": content_type} if content_type is not None else {}
    all_headers.update(headers or {})
    return post(port, url(session, "jsonp_send", prefix), body, all_headers)


def open_receiver(port: int, session: str, transport: str, prefix: str = ECHO, headers=None,
                  callback: str = CALLBACK) -> Stream:
    path = receive_path(prefix, session, transport)
    if callback != CALLBACK:
        path = path.replace(f"c={CALLBACK}", f"c={callback}")
    return Stream(port, receive_method(transport), path, headers=headers)


def assert_not_cached(response, what=""):
    assert response.headers.get("cache-control") == NO_STORE, (what, response.headers)
    assert "expires" not in response.headers, (what, response.headers)
    assert "last-modified" not in response.headers, (what, response.headers)


def assert_cors(response, origin: str | None, what=""):
    assert response.headers.get("access-control-allow-origin") == (origin or "*"), (what, origin, response.headers)
    assert response.headers.get("access-control-allow-credentials") == "true", (what, response.headers)


def assert_no_cookie(response, what=""):
    assert "set-cookie" not in response.headers, (what, response.headers)


def assert_cached_for_a_year(response, what=""):
    cache_control = response.headers.get("cache-control", "")
    assert "public" in cache_control, (what, response.headers)
    assert f"max-age={ONE_YEAR}" in cache_control, (what, response.headers)
    expires = email.utils.parsedate_to_datetime(response.headers["expires"]).timestamp()
    assert abs(expires - (time.time() + ONE_YEAR)) < 120, (what, response.headers["expires"])


def sent_frames(stream: Stream, transport: str, count: int, timeout: float = 5.0) -> list[str]:
    return [next_frame(stream, transport, timeout) for _ in range(count)]


# ---------------------------------------------------------------------------------------------
# URLs, methods, status codes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ids", ["/a/a", "/_/_", "/1/1", "/abcdefgh_i-j%20/abcdefg_i-j%20"])
def test_any_server_and_session_segment_is_accepted(services, ids):
    response = post(services.port, f"{ECHO}{ids}/xhr")
    assert (response.status, response.body) == (200, b"o\n")


@pytest.mark.parametrize("ids", ["//", "/a./a", "/a/a.", "/./.", "/", "///"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_invalid_session_paths_are_404(services, ids, method):
    response = request(services.port, method, f"{ECHO}{ids}/xhr", b"" if method == "POST" else None)
    assert response.status == 404, response
    assert_no_cookie(response)


@pytest.mark.parametrize("path", ["/a/a/xhr_foo", "/a/a/XHR", "/a/a/a/xhr", "/a/xhr"])
def test_unknown_transport_paths_are_404(services, path):
    assert post(services.port, ECHO + path).status == 404
    assert get(services.port, ECHO + path).status == 404


def test_server_id_is_ignored(services):
    session = sid()
    assert xhr(services.port, session, ).body == b"o\n"
    sent = xhr_send(services.port, session, '["a"]')
    assert (sent.status, sent.body) == (204, b"")
    again = post(services.port, url(session, "xhr", server="999"))
    assert (again.status, again.body) == (200, b'a["a"]\n')


@pytest.mark.parametrize("transport", ALL_TRANSPORTS)
def test_wrong_method_is_405_with_allow(services, transport):
    wrong = "GET" if TRANSPORT_METHODS[transport] == "POST" else "POST"
    for method in (wrong, "PUT", "DELETE"):
        path = url(sid(), transport) + "?c=x"
        response = request(services.port, method, path, b"" if method != "GET" else None)
        assert response.status == 405, (method, transport, response)
        allow = [m.strip() for m in response.headers.get("allow", "").split(",")]
        assert TRANSPORT_METHODS[transport] in allow, (method, transport, response.headers)
        assert method not in allow
        assert "content-type" not in response.headers, response.headers
        assert response.body == b""


@pytest.mark.parametrize("transport", ALL_TRANSPORTS)
def test_every_method_in_allow_is_served(services, transport):
    """What a 405's Allow header advertises must not itself be answered 405."""
    response = request(services.port, "DELETE", url(sid(), transport), b"")
    assert response.status == 405
    for method in [m.strip() for m in response.headers["allow"].split(",")]:
        session = sid()
        if transport in ("xhr_send", "jsonp_send"):
            xhr(services.port, session)  # the session must exist
        path = url(session, transport) + "?c=x"
        if method != "OPTIONS" and transport in ("xhr_streaming", "eventsource", "htmlfile"):
            with Stream(services.port, method, path) as stream:
                status = stream.status
        else:
            status = request(services.port, method, path, b'["x"]' if method == "POST" else None).status
        assert status != 405, f"{method} {path}: Allow says {response.headers['allow']!r} but {method} got 405"


# ---------------------------------------------------------------------------------------------
# OPTIONS, CORS, caching, content types
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["xhr", "xhr_send", "xhr_streaming"])
@pytest.mark.parametrize("origin", [None, "https://example.test", "null"])
def test_options_preflight(services, transport, origin):
    headers = {"Access-Control-Request-Headers": "x-requested-with, content-type"}
    if origin:
        headers["Origin"] = origin
    response = request(services.port, "OPTIONS", url("abc", transport), None, headers)
    assert response.status == 204, response
    assert response.body == b""
    assert response.headers.get("access-control-allow-methods") == "OPTIONS, POST"
    assert int(response.headers["access-control-max-age"]) >= 1_000_000
    assert response.headers.get("access-control-allow-headers") == "x-requested-with, content-type"
    assert_cached_for_a_year(response, transport)
    assert_cors(response, origin, transport)
    assert_no_cookie(response)


@pytest.mark.parametrize("origin", [None, "https://example.test", "null"])
def test_info_options_preflight(services, origin):
    headers = {"Origin": origin} if origin else {}
    response = request(services.port, "OPTIONS", f"{ECHO}/info", None, headers)
    assert response.status == 204 and response.body == b""
    assert response.headers.get("access-control-allow-methods") == "OPTIONS, GET"
    assert int(response.headers["access-control-max-age"]) >= 1_000_000
    assert_cached_for_a_year(response, "info")
    assert_cors(response, origin, "info")


@pytest.mark.parametrize("transport", RECEIVE_TRANSPORTS)
def test_receive_transport_headers(services, transport):
    with open_receiver(services.port, sid(), transport) as stream:
        assert stream.status == 200
        assert stream.headers.get("content-type") == CONTENT_TYPES[transport]
        assert_not_cached(stream, transport)
        assert_cors(stream, None, transport)
        assert_no_cookie(stream, transport)


@pytest.mark.parametrize("transport", RECEIVE_TRANSPORTS + ("xhr_send", "jsonp_send"))
@pytest.mark.parametrize("origin", [None, "https://example.test", "null"])
def test_cors_on_every_transport(services, transport, origin):
    session = sid()
    headers = {"Access-Control-Request-Headers": "a, b, c"}
    if origin:
        headers["Origin"] = origin
    if transport in ("xhr_send", "jsonp_send"):
        xhr(services.port, session)
        response = (xhr_send(services.port, session, '["x"]', headers=headers) if transport == "xhr_send"
                    else jsonp_send(services.port, session, "d=%5B%22x%22%5D", headers=headers))
        assert response.status in (200, 204)
        assert_not_cached(response, transport)
        assert response.headers.get("content-type") == "text/plain; charset=UTF-8"
    else:
        response = open_receiver(services.port, session, transport, headers=headers)
        response.close()
        assert response.status == 200
    assert_cors(response, origin, transport)
    assert response.headers.get("access-control-allow-headers") == "a, b, c"


@pytest.mark.parametrize("request_headers", [None, ""])
def test_no_allow_headers_unless_requested(services, request_headers):
    headers = {} if request_headers is None else {"Access-Control-Request-Headers": request_headers}
    response = xhr(services.port, sid(), headers=headers)
    assert response.status == 200
    assert_cors(response, None)
    assert not response.headers.get("access-control-allow-headers")


# ---------------------------------------------------------------------------------------------
# iframe
# ---------------------------------------------------------------------------------------------

IFRAME_NAMES = ["iframe.html", "iframe-a.html", "iframe-.html", "iframe-0.1.2.html",
                "iframe-0.1.2abc-dirty.2144.html", "iframe-1.6.1.html", "iframe.html?t=1234-5678", "iframe-1.6.1.html?x=1"]


def test_iframe_pages(services):
    bodies, etags = set(), set()
    for name in IFRAME_NAMES:
        response = get(services.port, f"{ECHO}/{name}")
        assert response.status == 200, name
        assert response.headers.get("content-type") == "text/html; charset=UTF-8"
        assert_cached_for_a_year(response, name)
        assert response.headers.get("etag"), name
        assert_no_cookie(response, name)
        assert response.text == REFERENCE_IFRAME_PAGE.replace("SOCKJS_URL", "/static/sockjs.min.js"), name
        bodies.add(response.body)
        etags.add(response.headers["etag"])
    assert len(bodies) == 1 and len(etags) == 1, "every iframe-*.html is the same page"


@pytest.mark.parametrize("name", ["iframe.htm", "iframe", "IFRAME.HTML", "IFRAME", "iframe.HTML", "iframe.xml",
                                  "iframe-/.html"])
def test_invalid_iframe_names_are_404(services, name):
    assert get(services.port, f"{ECHO}/{name}").status == 404


def test_iframe_etag_and_if_none_match(services):
    first = get(services.port, f"{ECHO}/iframe.html")
    second = get(services.port, f"{ECHO}/iframe-0.1.2.html")
    etag = first.headers["etag"]
    assert etag and etag == second.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"'), "an ETag is a quoted string"
    not_modified = get(services.port, f"{ECHO}/iframe.html", {"If-None-Match": etag})
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert "content-type" not in not_modified.headers
    assert not_modified.headers.get("etag") == etag
    changed = get(services.port, f"{ECHO}/iframe.html", {"If-None-Match": '"something-else"'})
    assert changed.status == 200 and changed.body == first.body


def test_iframe_if_none_match_with_a_list_of_etags(services):
    """RFC 9110: If-None-Match is a list; any match means 304 (caches may send several)."""
    etag = get(services.port, f"{ECHO}/iframe.html").headers["etag"]
    response = get(services.port, f"{ECHO}/iframe.html", {"If-None-Match": f'"old", {etag}'})
    assert response.status == 304, (response.status, f'If-None-Match: "old", {etag}')


def test_iframe_sockjs_client_is_served_and_overridable(make_server):
    server = make_server("--sockjs-test-services")
    script = get(server.port, "/static/sockjs.min.js")
    assert script.status == 200
    assert script.headers["content-type"].startswith("application/javascript")
    assert b"SockJS" in script.body and len(script.body) > 10_000
    default_etag = get(server.port, "/connection/iframe.html").headers["etag"]
    other = make_server("--sockjs-client-url", "https://cdn.example.test/sockjs.js")
    page = get(other.port, "/connection/iframe.html")
    assert '<script src="https://cdn.example.test/sockjs.js"></script>' in page.text
    assert page.headers["etag"] != default_etag, "the ETag follows the page's bytes"


# ---------------------------------------------------------------------------------------------
# xhr polling and xhr_send
# ---------------------------------------------------------------------------------------------


def test_xhr_polling_session(services):
    session = sid()
    opened = xhr(services.port, session)
    assert (opened.status, opened.body) == (200, b"o\n")
    assert opened.headers["content-type"] == "application/javascript; charset=UTF-8"
    assert_not_cached(opened)
    assert_cors(opened, None)
    assert_no_cookie(opened)

    sent = xhr_send(services.port, session, '["x"]')
    assert (sent.status, sent.body) == (204, b"")
    assert sent.headers.get("content-type") == "text/plain; charset=UTF-8"
    assert_not_cached(sent)
    assert_cors(sent, None)
    assert_no_cookie(sent)

    polled = xhr(services.port, session)
    assert (polled.status, polled.body) == (200, b'a["x"]\n')

    # Several sends while no receiver is attached arrive together, in order, in one `a` frame.
    assert xhr_send(services.port, session, '["a","b"]').status == 204
    assert xhr_send(services.port, session, '"c"').status == 204  # a single JSON string is one message
    assert xhr(services.port, session).body == b'a["a","b","c"]\n'


def test_xhr_poll_waits_for_a_message(services):
    """With nothing queued a poll is held open (no empty answer, no `h` before 25 s) and gets the
    next message as soon as it is sent."""
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    with Stream(services.port, "POST", url(session, "xhr")) as poll:
        assert poll.status == 200
        assert poll.read_available(1.0) == b"" and not poll.ended, "a poll with nothing to say must wait"
        started = time.monotonic()
        assert xhr_send(services.port, session, '["late"]').status == 204
        assert poll.read_until(b"\n", 2.0) == b'a["late"]\n'
        assert poll.wait_end(2.0), "a poll ends after one frame"
        assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("sender", ["xhr_send", "jsonp_send"])
def test_send_to_an_unknown_session_is_404(services, sender):
    session = sid()
    response = (xhr_send(services.port, session, '["x"]') if sender == "xhr_send"
                else jsonp_send(services.port, session, "d=%5B%22x%22%5D"))
    assert response.status == 404
    assert_no_cookie(response)
    # ... and does not create the session.
    assert xhr(services.port, session).body == b"o\n"


def test_xhr_send_bad_payloads_are_500_and_the_session_survives(services):
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    for body in ['["x', "[1]", "{}", '["a"] x', "x", '["\\x"]']:
        response = xhr_send(services.port, session, body)
        assert response.status == 500, body
        assert "Broken JSON encoding." in response.text, (body, response.text)
    for body in ["", "  \n"]:
        response = xhr_send(services.port, session, body)
        assert response.status == 500, repr(body)
        assert "Payload expected." in response.text, (body, response.text)
    # The session is not disturbed: the next good send is delivered.
    assert xhr_send(services.port, session, '["a"]').status == 204
    assert xhr(services.port, session).body == b'a["a"]\n'


def test_xhr_send_accepts_any_content_type(services):
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    types = ["text/plain", "T", "application/json", "application/xml", "",
             "application/json; charset=utf-8", "text/xml; charset=utf-8", "text/xml",
             "application/x-www-form-urlencoded"]
    for content_type in types:
        response = xhr_send(services.port, session, '["a"]', headers={"Content-Type": content_type})
        assert (response.status, response.body) == (204, b""), content_type
    assert xhr(services.port, session).body == ("a[" + ",".join(['"a"'] * len(types)) + "]\n").encode()


def test_close_service_over_xhr(services):
    session = sid()
    first = xhr(services.port, session, prefix=CLOSE)
    assert (first.status, first.body) == (200, b"o\n")
    for _ in range(2):  # served again and again until the session expires
        response = xhr(services.port, session, prefix=CLOSE)
        assert (response.status, response.body) == (200, GO_AWAY.encode() + b"\n")


def test_close_service_over_jsonp(services):
    session = sid()
    assert jsonp(services.port, session, prefix=CLOSE).body == b'/**/x("o");\r\n'
    for _ in range(2):
        assert jsonp(services.port, session, prefix=CLOSE).body == b'/**/x("c[3000,\\"Go away!\\"]");\r\n'


@pytest.mark.parametrize("transport", ["xhr_streaming", "eventsource", "htmlfile"])
def test_close_service_over_streaming(services, transport):
    with open_receiver(services.port, sid(), transport, prefix=CLOSE) as stream:
        skip_prelude(stream, transport)
        assert sent_frames(stream, transport, 2) == ["o", GO_AWAY]
        assert stream.wait_end(3.0), "the response ends after the close frame"
        assert stream.rest() == b""


# ---------------------------------------------------------------------------------------------
# Second receiver
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("first_transport", ["xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp"])
@pytest.mark.parametrize("second_transport", ["xhr", "jsonp"])
def test_second_receiver_gets_2010_and_the_first_keeps_working(services, first_transport, second_transport):
    session = sid()
    if first_transport in ("xhr", "jsonp"):
        assert xhr(services.port, session).body == b"o\n"
    first = open_receiver(services.port, session, first_transport)
    with first:
        skip_prelude(first, first_transport)
        if first_transport not in ("xhr", "jsonp"):
            assert next_frame(first, first_transport) == "o"
        else:
            assert first.read_available(0.3) == b"", "the pending poll must be waiting"
        if second_transport == "xhr":
            second = xhr(services.port, session)
            assert (second.status, second.body) == (200, ANOTHER.encode() + b"\n")
        else:
            second = jsonp(services.port, session)
            assert (second.status, second.body) == (200, b'/**/x("c[2010,\\"Another connection still open\\"]");\r\n')
        # The first receiver is undisturbed and still gets the session's messages.
        assert not first.ended
        assert xhr_send(services.port, session, '["still here"]').status == 204
        assert next_frame(first, first_transport) == 'a["still here"]'


INTERRUPTED = 'c[1002,"Connection interrupted"]'


def abort(stream: Stream) -> None:
    """The client gives up on a receiving request: its TCP connection closes mid-response."""
    stream.sock.shutdown(socket.SHUT_RDWR)
    stream.close()


@pytest.mark.parametrize("transport", ["xhr_streaming", "eventsource", "htmlfile"])
def test_aborted_streaming_request_interrupts_the_session(services, transport):
    """The reference behaviour: after an aborted receiving request the next one is answered at
    once, with `o` (a forgotten session) or c[1002,"Connection interrupted"]; it must not hang."""
    session = sid()
    first = open_receiver(services.port, session, transport)
    skip_prelude(first, transport)
    assert next_frame(first, transport) == "o"
    with open_receiver(services.port, session, transport) as second:
        skip_prelude(second, transport)
        assert next_frame(second, transport) == ANOTHER
    abort(first)
    started = time.monotonic()
    with open_receiver(services.port, session, transport) as third:
        skip_prelude(third, transport)
        assert next_frame(third, transport, timeout=2.0) in ("o", INTERRUPTED)
    assert time.monotonic() - started < 2.0


def test_aborted_poll_interrupts_the_session(services):
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    waiting = open_receiver(services.port, session, "xhr")
    skip_prelude(waiting, "xhr")
    assert waiting.read_available(0.3) == b"", "the poll must be held"
    assert xhr(services.port, session).body == ANOTHER.encode() + b"\n"
    abort(waiting)
    started = time.monotonic()
    answer = xhr(services.port, session, timeout=2.0)
    assert answer.body in (b"o\n", INTERRUPTED.encode() + b"\n"), answer.body
    assert time.monotonic() - started < 2.0
    # The interrupted session takes no more messages.
    assert xhr_send(services.port, session, '["late"]').status in (204, 404)
    assert xhr(services.port, session, timeout=2.0).body in (b"o\n", INTERRUPTED.encode() + b"\n")


# ---------------------------------------------------------------------------------------------
# xhr_streaming
# ---------------------------------------------------------------------------------------------


def test_xhr_streaming(services):
    session = sid()
    with Stream(services.port, "POST", url(session, "xhr_streaming")) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"] == "application/javascript; charset=UTF-8"
        stream.expect(b"h" * 2048 + b"\n")  # the prelude, for browsers that buffer 2 KiB
        stream.expect(b"o\n")
        assert stream.read_available(0.3) == b""
        sent = xhr_send(services.port, session, '["x"]')
        assert (sent.status, sent.body) == (204, b"")
        stream.expect(b'a["x"]\n')
        assert xhr_send(services.port, session, '["y","z"]').status == 204
        stream.expect(b'a["y","z"]\n')
        assert not stream.ended


def test_xhr_streaming_response_limit_then_reconnect(services):
    session = sid()
    message = '"' + "x" * 128 + '"'
    with Stream(services.port, "POST", url(session, "xhr_streaming")) as stream:
        skip_prelude(stream, "xhr_streaming")
        stream.expect(b"o\n")
        # 4096 bytes of frames (the test service's limit): 31 of these 133-byte frames pass it.
        for index in range(31):
            assert not stream.ended, f"ended early, after {index} messages"
            assert xhr_send(services.port, session, f"[{message}]").status == 204
            stream.expect(f"a[{message}]\n".encode())
        assert stream.wait_end(3.0), "the streaming response must end once 4096 bytes were sent"
        assert stream.rest() == b""
    # The client reconnects: the session is still there, messages sent meanwhile wait for it.
    assert xhr_send(services.port, session, '["while away"]').status == 204
    with Stream(services.port, "POST", url(session, "xhr_streaming")) as again:
        skip_prelude(again, "xhr_streaming")
        again.expect(b'a["while away"]\n')  # no second `o`
        assert xhr_send(services.port, session, '["after"]').status == 204
        again.expect(b'a["after"]\n')


# ---------------------------------------------------------------------------------------------
# eventsource
# ---------------------------------------------------------------------------------------------


def test_eventsource(services):
    session = sid()
    with Stream(services.port, "GET", url(session, "eventsource")) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream"
        assert_not_cached(stream)
        stream.expect(b"\r\n")  # prelude
        stream.expect(b"data: o\r\n\r\n")
        sent = xhr_send(services.port, session, '["x"]')
        assert (sent.status, sent.body) == (204, b"")
        stream.expect(b'data: a["x"]\r\n\r\n')
        # Control characters never reach the event stream raw: they stay JSON-escaped.
        assert xhr_send(services.port, session, r'["  \u0000\n\r "]').status == 204
        stream.expect(b'data: a["  \\u0000\\n\\r "]\r\n\r\n')


def test_eventsource_response_limit(services):
    session = sid()
    message = "x" * 4096
    with Stream(services.port, "GET", url(session, "eventsource")) as stream:
        stream.expect(b"\r\n")
        stream.expect(b"data: o\r\n\r\n")
        assert xhr_send(services.port, session, f'["{message}"]').status == 204
        stream.expect(f'data: a["{message}"]\r\n\r\n'.encode())
        assert stream.wait_end(3.0), "the eventsource response must end after 4096 bytes"
        assert stream.rest() == b""


# ---------------------------------------------------------------------------------------------
# htmlfile
# ---------------------------------------------------------------------------------------------

HTMLFILE_HEAD = """<!doctype html>
<html><head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
</head><body><h2>Don't panic!</h2>
  <script>
    document.domain = document.domain;
    var c = parent.%s;
    c.start();
    function p(d) {c.message(d);};
    window.onload = function() {c.stop();};
  </script>"""


def test_htmlfile(services):
    session = sid()
    with Stream(services.port, "GET", url(session, "htmlfile") + "?c=%63allback") as stream:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/html; charset=UTF-8"
        assert_not_cached(stream)
        prelude = stream.read_until(b"</script>") + stream.read_until(b"\r\n\r\n")
        assert prelude.decode().strip() == HTMLFILE_HEAD % "callback", prelude
        assert len(prelude) > 1024, "padding: old browsers render nothing before 1 KiB"
        stream.expect(b'<script>\np("o");\n</script>\r\n')
        assert xhr_send(services.port, session, '["x"]').status == 204
        stream.expect(b'<script>\np("a[\\"x\\"]");\n</script>\r\n')
        # A message can never close the script element.
        assert xhr_send(services.port, session, '["</script><b>&"]').status == 204
        frame = stream.read_until(b"</script>\r\n")
        assert frame.count(b"</script>") == 1 and b"<b>" not in frame, frame
        assert json.loads(b'"' + frame[len(b'<script>\np("'):-len(b'");\n</script>\r\n')] + b'"') \
            == 'a["</script><b>&"]'


def test_htmlfile_response_limit(services):
    session = sid()
    message = "x" * 4096
    with Stream(services.port, "GET", url(session, "htmlfile") + "?c=cb") as stream:
        skip_prelude(stream, "htmlfile")
        stream.expect(b'<script>\np("o");\n</script>\r\n')
        assert xhr_send(services.port, session, f'["{message}"]').status == 204
        stream.expect(f'<script>\np("a[\\"{message}\\"]");\n</script>\r\n'.encode())
        assert stream.wait_end(3.0), "the htmlfile response must end after 4096 bytes"


# ---------------------------------------------------------------------------------------------
# Callbacks (htmlfile, jsonp)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["htmlfile", "jsonp"])
def test_callback_is_required(services, transport):
    for query in ("", "?", "?d=1", "?c="):
        response = get(services.port, url("a", transport) + query)
        assert response.status == 500, (transport, query)
        if query != "?c=":
            assert '"callback" parameter required' in response.text, (query, response.text)
        else:
            assert "callback" in response.text, response.text


@pytest.mark.parametrize("transport", ["htmlfile", "jsonp"])
@pytest.mark.parametrize("callback", ["%20", "*", "abc(", "abc%28", "a%3Cb", "a%22b", "x;alert(1)", "%E2%80%A8"])
def test_invalid_callback_is_rejected(services, transport, callback):
    response = get(services.port, url(sid(), transport) + "?c=" + callback)
    assert response.status == 500, (transport, callback)
    assert 'invalid "callback" parameter' in response.text


@pytest.mark.parametrize("transport", ["htmlfile", "jsonp"])
def test_callback_with_a_hyphen_is_rejected(services, transport):
    """Issue 6: the callback may use only [a-zA-Z0-9_.] (Spring's rule)."""
    with Stream(services.port, "GET", url(sid(), transport) + "?c=a-b") as response:
        assert response.status == 500, (
            f"GET {url('…', transport)}?c=a-b answered {response.status}, expected 500 (only [a-zA-Z0-9_.])")
        assert response.wait_end(2.0)
        assert 'invalid "callback" parameter' in response.rest().decode()


@pytest.mark.parametrize("callback", ["a", "cb_1.x", "_jp.a3ml4op", "ABC.def_9"])
def test_valid_callbacks(services, callback):
    response = jsonp(services.port, sid(), callback=callback)
    assert (response.status, response.body) == (200, f'/**/{callback}("o");\r\n'.encode())


# ---------------------------------------------------------------------------------------------
# jsonp + jsonp_send
# ---------------------------------------------------------------------------------------------


def test_jsonp_polling(services):
    session = sid()
    opened = jsonp(services.port, session, callback="%63allback")
    assert opened.status == 200
    assert opened.headers["content-type"] == "application/javascript; charset=UTF-8"
    assert_not_cached(opened)
    assert_no_cookie(opened)
    assert opened.body == b'/**/callback("o");\r\n'

    sent = jsonp_send(services.port, session, "d=%5B%22x%22%5D")
    assert (sent.status, sent.body) == (200, b"ok")
    assert sent.headers["content-type"] == "text/plain; charset=UTF-8"
    assert_not_cached(sent)
    assert_no_cookie(sent)

    polled = jsonp(services.port, session, callback="%63allback")
    assert (polled.status, polled.body) == (200, b'/**/callback("a[\\"x\\"]");\r\n')


def test_jsonp_send_bad_payloads(services):
    session = sid()
    assert jsonp(services.port, session).body == b'/**/x("o");\r\n'
    broken = jsonp_send(services.port, session, "d=%5B%22x")
    assert broken.status == 500 and "Broken JSON encoding." in broken.text, broken
    for body in ["", "d=", "p=p"]:
        response = jsonp_send(services.port, session, body)
        assert response.status == 500, body
        assert "Payload expected." in response.text, (body, response.text)
    assert jsonp_send(services.port, session, "d=%5B%22b%22%5D").body == b"ok"
    assert jsonp(services.port, session).body == b'/**/x("a[\\"b\\"]");\r\n'


def test_jsonp_send_form_and_raw_bodies(services):
    session = sid()
    assert jsonp(services.port, session).body == b'/**/x("o");\r\n'
    assert jsonp_send(services.port, session, "d=%5B%22abc%22%5D").body == b"ok"
    # A raw JSON body (not a form) is taken as is: no percent-decoding.
    assert jsonp_send(services.port, session, '["%61bc"]', content_type="text/plain").body == b"ok"
    # A form with other fields, `+` for spaces, and a charset parameter.
    assert jsonp_send(services.port, session, "x=1&d=%5B%22a+b%22%5D&y=2",
                      content_type="application/x-www-form-urlencoded; charset=UTF-8").body == b"ok"
    assert jsonp(services.port, session).body == b'/**/x("a[\\"abc\\",\\"%61bc\\",\\"a b\\"]");\r\n'


# ---------------------------------------------------------------------------------------------
# JSESSIONID
# ---------------------------------------------------------------------------------------------


def assert_cookie(response, value="dummy"):
    cookie = response.headers.get("set-cookie", "")
    parts = [part.strip() for part in cookie.split(";")]
    assert parts[0] == f"JSESSIONID={value}", response.headers
    assert "path=/" in [part.lower() for part in parts[1:]], response.headers


def test_cookie_needed_info_sets_no_cookie(services):
    response = get(services.port, f"{COOKIE}/info")
    assert response.status == 200 and response.json()["cookie_needed"] is True
    assert_no_cookie(response)


@pytest.mark.parametrize("transport", RECEIVE_TRANSPORTS)
def test_jsessionid_cookie(services, transport):
    with open_receiver(services.port, sid(), transport, prefix=COOKIE) as stream:
        assert stream.status == 200
        assert_cookie(stream)
    with open_receiver(services.port, sid(), transport, prefix=COOKIE,
                       headers={"Cookie": "other=1; JSESSIONID=abcdef"}) as stream:
        assert stream.status == 200
        assert_cookie(stream, "abcdef")


def test_jsessionid_cookie_on_sends(services):
    session = sid()
    opened = xhr(services.port, session, prefix=COOKIE)
    assert opened.body == b"o\n"
    assert_cookie(opened)
    assert_cookie(xhr_send(services.port, session, '["a"]', prefix=COOKIE))
    assert_cookie(jsonp_send(services.port, session, "d=%5B%22b%22%5D", prefix=COOKIE,
                             headers={"Cookie": "JSESSIONID=xyz"}), "xyz")
    polled = xhr(services.port, session, prefix=COOKIE)
    assert polled.body == b'a["a","b"]\n'  # it is an echo service too


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------

# What the server must escape (SockJS): U+200C–200F, U+2028–202F, U+2060–206F, U+FFF0–FFFF (the
# control characters U+0000–001F are checked separately: `\n` and `\u000a` are both fine).
SERVER_ESCAPED = ([*range(0x200C, 0x2010), *range(0x2028, 0x2030), *range(0x2060, 0x2070),
                   *range(0xFFF0, 0x10000)])


def echo_round_trip(port: int, payload: bytes) -> bytes:
    session = sid()
    assert xhr(port, session).body == b"o\n"
    response = xhr_send(port, session, payload)
    assert response.status == 204, (response.status, response.body)
    polled = xhr(port, session)
    assert polled.status == 200
    assert polled.body.startswith(b"a[") and polled.body.endswith(b"]\n"), polled.body
    return polled.body


def test_utf8_round_trip(services):
    text = "héllo 한국어 👩‍👩‍👧 ñ € \u00ad \u0600 \ufeff"
    body = echo_round_trip(services.port, json.dumps([text], ensure_ascii=False).encode("utf-8"))
    assert json.loads(body[1:]) == [text]
    # Characters outside the SockJS set travel as raw UTF-8; astral ones as escaped surrogate pairs.
    assert "héllo 한국어".encode("utf-8") in body
    assert b"\\ud83d\\udc69" in body, body


def test_server_escapes_the_sockjs_set(services):
    escaped = "".join(f"\\u{code:04x}" for code in SERVER_ESCAPED)
    payload = f'["{escaped}"]'.encode()
    body = echo_round_trip(services.port, payload)
    # The server's frame carries exactly these escapes, lowercase (SockJS).
    assert body == b"a" + payload + b"\n"


def test_server_escapes_control_characters(services):
    text = "".join(chr(code) for code in range(0x20)) + "\"\\/"
    body = echo_round_trip(services.port, json.dumps([text]).encode())
    assert json.loads(body[1:]) == [text]
    assert not any(byte < 0x20 for byte in body[:-1]), body
    assert b"\\u001F" not in body and b"\\u001f" in body


def test_server_escapes_raw_characters_of_the_set(services):
    """Unescaped (raw UTF-8) characters of the set come back escaped."""
    text = "a\u2028b\u2029c\u200dd\ufff9e\u2060f\U0001F600"
    body = echo_round_trip(services.port, json.dumps([text], ensure_ascii=False).encode("utf-8"))
    assert body == b'a["a\\u2028b\\u2029c\\u200dd\\ufff9e\\u2060f\\ud83d\\ude00"]\n', body


def test_server_decodes_client_escapes(services):
    """What a client escapes (sockjs-client's wider set: U+007F–009F, U+00AD, U+0600–0604, …, and
    surrogate pairs) is decoded back to the same characters."""
    codes = [0x22, 0x5C, *range(0x20), *range(0x7F, 0xA0), 0xAD, *range(0x600, 0x605), 0x70F, 0x17B4, 0x17B5,
             *SERVER_ESCAPED, 0xFEFF]
    text = "".join(chr(code) for code in codes) + "\U0001F600\U0010FFFF"
    payload = json.dumps([text], ensure_ascii=True).encode()
    body = echo_round_trip(services.port, payload)
    assert json.loads(body[1:]) == [text]


@pytest.mark.parametrize("payload", [r'["\ud800"]', r'["\udc00"]', r'["a\ud83dx"]'])
def test_lone_surrogates_are_broken_json(services, payload):
    """Lobby's rule (docs/protocol.md): an escaped lone surrogate cannot be carried and is refused
    rather than altered. (sockjs-node passes it through; JavaScript strings can hold it.)"""
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    response = xhr_send(services.port, session, payload)
    assert response.status == 500 and "Broken JSON encoding." in response.text


def test_invalid_utf8_is_refused(services):
    session = sid()
    assert xhr(services.port, session).body == b"o\n"
    response = xhr_send(services.port, session, b'["\xff\xfe"]')
    assert response.status == 500 and "Broken JSON encoding" in response.text


# ---------------------------------------------------------------------------------------------
# HTTP/1.0 and HTTP/1.1 framing
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["xhr_streaming", "xhr"])
def test_http10_response_ends_with_the_connection(services, transport):
    """HTTP/1.0 has no chunking: the body of a response without Content-Length ends when the
    server closes the connection, even if the client asked for keep-alive."""
    session = sid()
    with Stream(services.port, "POST", url(session, transport, CLOSE), version="HTTP/1.0",
                headers={"Connection": "Keep-Alive"}) as stream:
        assert stream.status == 200
        assert "transfer-encoding" not in stream.headers, stream.headers
        if transport == "xhr_streaming":
            stream.expect(b"h" * 2048 + b"\n")
            stream.expect(b"o\n")
            stream.expect(GO_AWAY.encode() + b"\n")
        else:
            stream.expect(b"o\n")
        assert stream.connection_closed(3.0), (
            f"HTTP/1.0 POST {url(session, transport, CLOSE)} with Connection: Keep-Alive: the response has no "
            f"Content-Length, so the server must close the connection after it; it stayed open")


def read_http_response(sock, timeout: float = 3.0) -> tuple[bytes, dict[str, str], bytes]:
    """One response with a Content-Length body: (status line, headers, body)."""
    data, deadline = b"", time.monotonic() + timeout
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a whole response head: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in lines)}
    length = int(headers["content-length"])
    while len(body) < length and time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return status.encode(), headers, body


def test_http10_keep_alive_greeting_says_keep_alive_and_keeps_serving(services):
    """HTTP/1.0 with Connection: Keep-Alive: the answer has Content-Length and says keep-alive,
    and the same connection serves the next request."""
    with socket.create_connection(("127.0.0.1", services.port), timeout=3) as sock:
        for path in (ECHO, f"{ECHO}/info"):
            sock.sendall(f"GET {path} HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n".encode())
            status, headers, body = read_http_response(sock)
            assert status.endswith(b"200 OK"), status
            assert int(headers["content-length"]) == len(body) > 0, headers
            assert headers.get("connection", "").lower() == "keep-alive", headers
        assert body.startswith(b"{") and b'"websocket"' in body


def test_http10_without_keep_alive_closes_after_the_body(services):
    with socket.create_connection(("127.0.0.1", services.port), timeout=3) as sock:
        sock.sendall(f"GET {ECHO} HTTP/1.0\r\n\r\n".encode())
        status, headers, body = read_http_response(sock)
        assert status.endswith(b"200 OK") and body == b"Welcome to SockJS!\n", (status, body)
        assert headers.get("connection", "close").lower() == "close", headers
        sock.settimeout(3)
        assert sock.recv(1) == b"", "an HTTP/1.0 connection without keep-alive must close after the response"


def test_http11_streaming_is_chunked_and_keeps_the_connection(services):
    session = sid()
    with Stream(services.port, "POST", url(session, "xhr_streaming", CLOSE),
                headers={"Connection": "Keep-Alive"}) as stream:
        assert stream.status == 200
        assert stream.headers.get("transfer-encoding", "").lower() == "chunked"
        stream.expect(b"h" * 2048 + b"\n")
        stream.expect(b"o\n")
        stream.expect(GO_AWAY.encode() + b"\n")
        assert stream.wait_end(3.0), "no terminating zero-length chunk"
        assert not stream.connection_closed(0.3), "an HTTP/1.1 keep-alive connection stays open"
        # The same connection serves the next request.
        stream.sock.sendall(f"GET {ECHO}/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        reply = b""
        deadline = time.monotonic() + 3
        while b'"websocket"' not in reply and time.monotonic() < deadline:
            stream.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = stream.sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 200"), reply


# ---------------------------------------------------------------------------------------------
# The lobby over the HTTP transports
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", RECEIVE_TRANSPORTS)
def test_lobby_session_over_http(services, clients, transport):
    """CONNECT, subscribe, identity with the URL's session id, chat both ways with a WebSocket
    user, DISCONNECT → leave `quit`; STOMP rides the HTTP transport (+ xhr_send / jsonp_send)."""
    observer = clients.identified(services, "observer")
    client = HTTPStompClient(services, transport)
    clients.opened.append(client)
    connected = client.connect()
    assert connected.headers.get("session") == client.url_session_id
    assert connected.headers.get("version") == "1.2"
    client.subscribe_all()
    welcome = client.identify("webuser", session_id=client.url_session_id)
    assert is_welcome()(welcome), welcome
    assert welcome["sessionId"] == client.url_session_id
    assert {m["user"] for m in welcome["members"]} == {"observer", "webuser"}
    assert observer.wait_for(is_join("webuser"), destination=PRESENCE)["sessions"] == 1

    client.chat("hello from " + transport, receipt=client.next_receipt_id())
    assert observer.wait_for(is_chat("hello from " + transport))["user"] == "webuser"
    observer.chat("hi \u2028 webuser ✓", receipt=observer.next_receipt_id())
    assert client.wait_for(is_chat("hi \u2028 webuser ✓"))["user"] == "observer"

    client.disconnect()
    assert wait_until(lambda: client.sockjs_close, what="SockJS close frame") == (1000, "Normal closure")
    leave = observer.wait_for(is_leave("webuser"), destination=PRESENCE)
    assert leave["reason"] == "quit", leave
    row = wait_until(lambda: [r for r in services.sessions() if r["id"] == client.url_session_id and r.get("reason")],
                     what="the ended session row")[0]
    assert (row["user"], row["reason"], row["transport"]) == ("webuser", "quit", transport), row
    if transport in ("xhr", "jsonp"):
        assert client.requests > 3, "polling: one request per frame"


def test_lobby_identity_must_match_the_http_session_id(services, clients):
    client = HTTPStompClient(services, "xhr_streaming")
    clients.opened.append(client)
    client.connect()
    client.subscribe_all()
    reply = client.identify("mallory", session_id=random_session_id())
    assert reply["type"] == "error" and reply["code"] == "session-mismatch", reply


def test_lobby_http_session_id_already_live_on_websocket(services, clients):
    holder = clients.identified(services, "alice")
    response = xhr(services.port, holder.session_id, prefix="/connection")
    assert response.body in (b"o\n", ANOTHER.encode() + b"\n"), response.body
    if response.body == b"o\n":
        assert xhr(services.port, holder.session_id, prefix="/connection").body == ANOTHER.encode() + b"\n"
    assert not holder.is_closed
    holder.chat("unaffected", receipt=holder.next_receipt_id())
    holder.wait_for(is_chat("unaffected"))


@pytest.mark.parametrize("transport", ["xhr_streaming", "xhr"])
def test_lobby_session_cut_off_mid_request_leaves_at_once_as_closed(services, clients, transport):
    """A closed tab: its receiving request is cut off. The user leaves at once, reason `closed`,
    and a request that comes back for the session is told c[1002,"Connection interrupted"]."""
    observer = clients.identified(services, "observer")
    client = HTTPStompClient(services, transport)
    clients.opened.append(client)
    client.connect()
    client.subscribe_all()
    assert client.identify("tabclosed")["type"] == "welcome"
    observer.wait_for(is_join("tabclosed"), destination=PRESENCE)
    time.sleep(0.3)  # quiet: the client's receiving request is now held by the server

    client.close_abruptly()
    gone_at = time.monotonic()
    leave = observer.wait_for(is_leave("tabclosed"), timeout=5, destination=PRESENCE)
    assert leave["reason"] == "closed", leave
    assert time.monotonic() - gone_at < 3.0, "the cut request alone must end the session"
    answer = xhr(services.port, client.url_session_id, prefix="/connection", timeout=2.0)
    assert answer.body in (b"o\n", b'c[1002,"Connection interrupted"]\n'), answer.body
    observer.chat("still here", receipt=observer.next_receipt_id())
    observer.wait_for(is_chat("still here"))


def test_lobby_disconnect_delay_ends_the_session_as_closed(services, clients):
    """No receiving request for 5 s (the disconnect delay): the session ends, reason `closed`."""
    observer = clients.identified(services, "observer")
    client = HTTPStompClient(services, "xhr")
    clients.opened.append(client)
    client.connect()
    client.subscribe_all()
    assert client.identify("vanishing")["type"] == "welcome"
    observer.wait_for(is_join("vanishing"), destination=PRESENCE)

    client.stop_polling()
    # The held poll is answered by this chat; then no receiving request comes.
    client.chat("last words")
    observer.wait_for(is_chat("last words"))
    wait_until(lambda: not client._reader.is_alive(), timeout=5, what="the last poll to end")
    gone_at = time.monotonic()
    leave = observer.wait_for(is_leave("vanishing"), timeout=10, destination=PRESENCE)
    waited = time.monotonic() - gone_at
    assert leave["reason"] == "closed", leave
    assert 4.0 <= waited <= 8.0, f"leave after {waited:.1f}s; the disconnect delay is 5 s"
    row = [r for r in services.sessions() if r["id"] == client.url_session_id][0]
    assert row["reason"] == "closed", row
    # The session is forgotten: sending to it is 404.
    response = xhr_send(services.port, client.url_session_id, '["SEND\\n\\n\\u0000"]', prefix="/connection")
    assert response.status == 404


def test_lobby_stomp_heartbeats_over_http(make_server, clients):
    """STOMP liveness is the same on HTTP transports: the server's `\\n` heart-beats reach an
    xhr_streaming client, and a client that stops sending is dead after twice the interval
    (reason `timeout`, close frame 4000) even though its receiving request is still attached."""
    server = make_server("--heartbeat-ms", "500")
    observer = clients.identified(server, "observer")
    client = HTTPStompClient(server, "xhr_streaming")
    clients.opened.append(client)
    client.connect(heartbeat=(500, 500))  # promises heart-beats it will never send
    client.subscribe_all()
    assert client.identify("sleepy")["type"] == "welcome"
    leave = observer.wait_for(is_leave("sleepy"), timeout=5, destination=PRESENCE)
    assert leave["reason"] == "timeout", leave
    assert client.stomp_heartbeats_received >= 1, "the server's STOMP heart-beats must reach the client"
    assert wait_until(lambda: client.sockjs_close, what="SockJS close frame") == (4000, "Heart-beat timeout")
