"""Helpers for the SockJS HTTP transport tests (tests/test_sockjs_http.py).

Everything talks raw HTTP/1.x over sockets to 127.0.0.1, so the tests see exactly the bytes the
server sends (chunk boundaries aside):

- `request(...)`: one complete request/response (http.client; the response must end).
- `Stream`: a receiving response read incrementally (xhr_streaming, eventsource, htmlfile, and
  polls we want to watch while they are pending); de-chunks `Transfer-Encoding: chunked` and
  tells when the response has ended.
- `HTTPStompClient`: the harness's STOMP client API (`connect`, `subscribe_all`, `identify`, `chat`,
  `disconnect`, `wait_for`, ...) over one SockJS HTTP receive transport plus `xhr_send` /
  `jsonp_send`, the way sockjs-client drives them.

Every wait is bounded; the reader thread stops by itself.
"""

from __future__ import annotations

import http.client
import json
import queue
import re
import select
import socket
import threading
import time
import urllib.parse
from typing import Callable

import lobbytest
from lobbytest import HOST, WAIT, CloseInfo, FrameParser, HTTPResponse

# ---------------------------------------------------------------------------------------------
# Complete requests
# ---------------------------------------------------------------------------------------------


def request(port: int, method: str, path: str, body: bytes | str | None = None,
            headers: dict[str, str] | None = None, timeout: float = WAIT) -> HTTPResponse:
    """One request on a fresh connection; reads the whole response (which must end in `timeout`)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        # Keep repeated headers (Set-Cookie) visible: join them like http.client's getheader does.
        merged: dict[str, str] = {}
        for name, value in response.getheaders():
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return HTTPResponse(response.status, merged, data)
    finally:
        connection.close()


def post(port: int, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None,
         timeout: float = WAIT) -> HTTPResponse:
    return request(port, "POST", path, body if body is not None else b"", headers, timeout)


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = WAIT) -> HTTPResponse:
    return request(port, "GET", path, None, headers, timeout)


# ---------------------------------------------------------------------------------------------
# Streaming responses
# ---------------------------------------------------------------------------------------------


class StreamError(AssertionError):
    pass


class Stream:
    """A request whose response body is read incrementally from a raw socket.

    `status` and `headers` (lower-cased names) are available once constructed. `read_exact`,
    `read_until` and `read_available` return body bytes (de-chunked); `wait_end` waits for the
    end of the response: the zero-length chunk, or EOF for an unframed (HTTP/1.0) body.
    """

    def __init__(self, port: int, method: str, path: str, body: bytes | str = b"",
                 headers: dict[str, str] | None = None, version: str = "HTTP/1.1", timeout: float = WAIT):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        all_headers = {"Host": f"{HOST}:{port}"}
        if method in ("POST", "PUT") or body:
            all_headers["Content-Length"] = str(len(body))
        all_headers.update(headers or {})
        head = f"{method} {path} {version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items()) + "\r\n"
        self.sock.sendall(head.encode("latin-1") + body)
        self._raw = bytearray()  # bytes from the socket not yet parsed
        self._body = bytearray()  # de-chunked body bytes not yet consumed
        self.eof = False  # the server closed the connection
        self.ended = False  # the response is complete
        self.chunked = False
        self._chunk_left = 0  # bytes left in the current chunk (chunked)
        self._content_left: int | None = None  # Content-Length framing
        self._parse_head(timeout)

    # -- socket --

    def _recv(self, deadline: float) -> bool:
        """Reads once from the socket (bounded). Returns False on timeout."""
        if self.eof:
            return False
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([self.sock], [], [], remaining)
        if not ready:
            return False
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, OSError):
            data = b""
        if not data:
            self.eof = True
            return True
        self._raw += data
        return True

    def _parse_head(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._raw:
            if not self._recv(deadline):
                raise StreamError(f"no response head within {timeout}s (eof={self.eof}): {bytes(self._raw)!r}")
            if self.eof and b"\r\n\r\n" not in self._raw:
                raise StreamError(f"connection closed before the response head: {bytes(self._raw)!r}")
        head, _, rest = bytes(self._raw).partition(b"\r\n\r\n")
        self._raw = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        parts = lines[0].split(" ", 2)
        self.version = parts[0]
        self.status = int(parts[1])
        self.headers: dict[str, str] = {}
        self.header_list: list[tuple[str, str]] = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            self.header_list.append((name.strip().lower(), value.strip()))
            key = name.strip().lower()
            self.headers[key] = f"{self.headers[key]}, {value.strip()}" if key in self.headers else value.strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        if not self.chunked and "content-length" in self.headers:
            self._content_left = int(self.headers["content-length"])
        if self.status in (204, 304) or (not self.chunked and self._content_left == 0):
            self.ended = True
        self._decode()

    def _decode(self) -> None:
        """Moves what can be de-framed from _raw to _body."""
        if self.ended:
            return
        if self.chunked:
            while True:
                if self._chunk_left > 0:
                    take = min(self._chunk_left, len(self._raw))
                    if take == 0:
                        return
                    self._body += self._raw[:take]
                    del self._raw[:take]
                    self._chunk_left -= take
                    if self._chunk_left > 0:
                        return
                    self._chunk_left = -2  # expect the CRLF after the data
                if self._chunk_left == -2:
                    if len(self._raw) < 2:
                        return
                    if self._raw[:2] != b"\r\n":
                        raise StreamError(f"bad chunk terminator: {bytes(self._raw[:20])!r}")
                    del self._raw[:2]
                    self._chunk_left = 0
                line_end = self._raw.find(b"\r\n")
                if line_end < 0:
                    return
                size = int(bytes(self._raw[:line_end]).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Last chunk; trailers end with an empty line.
                    trailer_end = self._raw.find(b"\r\n\r\n", line_end)
                    if line_end + 2 <= len(self._raw) and self._raw[line_end + 2: line_end + 4] == b"\r\n":
                        del self._raw[: line_end + 4]
                        self.ended = True
                        return
                    if trailer_end >= 0:
                        del self._raw[: trailer_end + 4]
                        self.ended = True
                    return
                del self._raw[: line_end + 2]
                self._chunk_left = size
        elif self._content_left is not None:
            take = min(self._content_left, len(self._raw))
            self._body += self._raw[:take]
            del self._raw[:take]
            self._content_left -= take
            if self._content_left == 0:
                self.ended = True
        else:
            self._body += self._raw
            self._raw.clear()
            if self.eof:
                self.ended = True

    def _pump(self, deadline: float) -> bool:
        got = self._recv(deadline)
        self._decode()
        if self.eof and not self.ended and not self.chunked and self._content_left is None:
            self.ended = True
        return got

    # -- body --

    def read_exact(self, count: int, timeout: float = WAIT) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self._body) < count:
            if self.ended or self.eof:
                break
            if not self._pump(deadline) and time.monotonic() >= deadline:
                break
        if len(self._body) < count:
            raise StreamError(
                f"wanted {count} body bytes within {timeout}s, have {len(self._body)} "
                f"(ended={self.ended}, eof={self.eof}): {bytes(self._body[:300])!r}")
        data = bytes(self._body[:count])
        del self._body[:count]
        return data

    def expect(self, expected: bytes, timeout: float = WAIT) -> None:
        """Reads len(expected) body bytes and checks they are `expected`."""
        data = self.read_exact(len(expected), timeout)
        if data != expected:
            raise StreamError(f"expected {expected[:300]!r}, got {data[:300]!r}")

    def read_until(self, delimiter: bytes, timeout: float = WAIT) -> bytes:
        """Body bytes up to and including `delimiter`."""
        deadline = time.monotonic() + timeout
        while True:
            index = self._body.find(delimiter)
            if index >= 0:
                data = bytes(self._body[: index + len(delimiter)])
                del self._body[: index + len(delimiter)]
                return data
            if self.ended or self.eof or (not self._pump(deadline) and time.monotonic() >= deadline):
                raise StreamError(
                    f"no {delimiter!r} within {timeout}s (ended={self.ended}, eof={self.eof}); "
                    f"have {bytes(self._body[:300])!r}")

    def read_available(self, wait: float = 0.3) -> bytes:
        """Whatever body arrives within `wait` seconds (consumed)."""
        deadline = time.monotonic() + wait
        while not self.ended and time.monotonic() < deadline:
            self._pump(deadline)
        data = bytes(self._body)
        self._body.clear()
        return data

    def wait_end(self, timeout: float = WAIT) -> bool:
        """Whether the response ended within `timeout` (all body bytes are then buffered)."""
        deadline = time.monotonic() + timeout
        while not self.ended:
            if self.eof:
                self._decode()
                return self.ended
            if not self._pump(deadline) and time.monotonic() >= deadline:
                return False
        return True

    def rest(self) -> bytes:
        """The remaining buffered body (consumed)."""
        data = bytes(self._body)
        self._body.clear()
        return data

    def connection_closed(self, timeout: float = 1.0) -> bool:
        """Whether the server closes the TCP connection within `timeout` (no more data expected)."""
        deadline = time.monotonic() + timeout
        while not self.eof and time.monotonic() < deadline:
            self._recv(deadline)
        return self.eof

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# SockJS frames in each transport's body
# ---------------------------------------------------------------------------------------------

RECEIVE_TRANSPORTS = ("xhr", "xhr_streaming", "eventsource", "htmlfile", "jsonp")
STREAMING = ("xhr_streaming", "eventsource", "htmlfile")
CALLBACK = "cb"

_SCRIPT_FRAME = re.compile(rb'<script>\np\("((?:[^"\\]|\\.)*)"\);\n</script>\r\n', re.S)
_JSONP_FRAME = re.compile(rb'^/\*\*/([A-Za-z0-9_.]+)\("((?:[^"\\]|\\.)*)"\);\r\n', re.S)


def receive_path(prefix: str, session: str, transport: str, server: str = "000") -> str:
    path = f"{prefix}/{server}/{session}/{transport}"
    if transport in ("htmlfile", "jsonp"):
        path += f"?c={CALLBACK}"
    return path


def receive_method(transport: str) -> str:
    return "POST" if transport in ("xhr", "xhr_streaming") else "GET"


def skip_prelude(stream: Stream, transport: str) -> bytes:
    if transport == "xhr_streaming":
        return stream.read_until(b"\n")
    if transport == "eventsource":
        return stream.read_exact(2)
    if transport == "htmlfile":
        return stream.read_until(b"</script>") + stream.read_until(b"\r\n\r\n")
    return b""


def next_frame(stream: Stream, transport: str, timeout: float = WAIT) -> str:
    """One SockJS frame (`o`, `h`, `a[...]`, `c[...]`) from a receiving response body."""
    if transport in ("xhr", "xhr_streaming"):
        return stream.read_until(b"\n", timeout)[:-1].decode("utf-8")
    if transport == "eventsource":
        data = stream.read_until(b"\r\n\r\n", timeout)
        assert data.startswith(b"data: "), data
        return data[len(b"data: "):-4].decode("utf-8")
    if transport == "htmlfile":
        data = stream.read_until(b"</script>\r\n", timeout)
        match = _SCRIPT_FRAME.fullmatch(data)
        assert match, data
        return json.loads(b'"' + match.group(1) + b'"')
    if transport == "jsonp":
        data = stream.read_until(b");\r\n", timeout)
        match = _JSONP_FRAME.fullmatch(data)
        assert match, data
        return json.loads(b'"' + match.group(2) + b'"')
    raise ValueError(transport)


def decode_frame(frame: str) -> tuple[str, object]:
    """('o'|'h'|'a'|'c', payload): payload is the message list for `a`, [code, reason] for `c`."""
    kind = frame[:1]
    if kind in ("a", "c"):
        return kind, json.loads(frame[1:])
    assert frame in ("o", "h"), frame
    return kind, None


def send(port: int, prefix: str, session: str, messages: list[str], transport: str = "xhr_send",
         server: str = "000") -> HTTPResponse:
    """Posts messages with xhr_send (JSON body) or jsonp_send (form `d=`), as sockjs-client does."""
    payload = json.dumps(messages, ensure_ascii=False)
    if transport == "jsonp_send":
        body = "d=" + urllib.parse.quote_plus(payload)
        return post(port, f"{prefix}/{server}/{session}/jsonp_send", body,
                    {"Content-Type": "application/x-www-form-urlencoded"})
    return post(port, f"{prefix}/{server}/{session}/xhr_send", payload, {"Content-Type": "text/plain"})


# ---------------------------------------------------------------------------------------------
# STOMP over the HTTP transports
# ---------------------------------------------------------------------------------------------


class HTTPStompClient(lobbytest._StompClient):
    """STOMP over one SockJS HTTP receive transport (+ xhr_send, or jsonp_send for jsonp).

    A reader thread keeps one receiving request open at a time (a new one after each poll or
    after a streaming response hit its limit), like sockjs-client, and feeds `a[...]` messages to
    the harness's STOMP parser. The test thread uses the harness API. The session id is the URL's.
    """

    transport_name = "sockjs-http"

    def __init__(self, server: lobbytest.LobbyServer, transport: str, session_id: str | None = None,
                 prefix: str = lobbytest.PREFIX, timeout: float = WAIT):
        # The harness's attributes, without its WebSocket.
        self.url = f"{prefix} {transport}"
        self.ws = None
        self.port = server.port
        self.prefix = prefix
        self.transport = transport
        self.sender = "jsonp_send" if transport == "jsonp" else "xhr_send"
        self.url_session_id = session_id or lobbytest.random_session_id()
        self._init_session_state()
        self.session_id = self.url_session_id
        self.sockjs_close: tuple[int, str] | None = None
        self.opened = threading.Event()
        self.requests = 0  # receiving requests made
        self.errors: list[str] = []
        self._stream: Stream | None = None
        self._last_request = threading.Event()  # set: make no new receiving request
        self._reader = threading.Thread(target=self._receive_loop, name=f"http reader {transport}", daemon=True)
        self._reader.start()
        if not self.opened.wait(timeout):
            self._stop.set()
            raise TimeoutError(f"no SockJS 'o' over {transport} within {timeout}s; got {self.raw_messages} {self.errors}")

    # -- receiving --

    def _receive_loop(self) -> None:
        try:
            while not self._stop.is_set() and not self._last_request.is_set() and self.sockjs_close is None:
                self._one_request()
        except Exception as error:  # noqa: BLE001 - reported through close_info
            if not self._stop.is_set():
                self.errors.append(repr(error))
                self._transport_closed(f"error: {error!r}")
                return
        if not self.transport_done.is_set():
            self._transport_closed("sockjs-close" if self.sockjs_close else "local")

    def _one_request(self) -> None:
        path = receive_path(self.prefix, self.url_session_id, self.transport)
        stream = Stream(self.port, receive_method(self.transport), path, timeout=WAIT)
        self._stream = stream
        self.requests += 1
        try:
            if stream.status != 200:
                raise StreamError(f"{self.transport} answered {stream.status_line}: {stream.read_available()!r}")
            skip_prelude(stream, self.transport)
            while not self._stop.is_set():
                try:
                    frame = next_frame(stream, self.transport, timeout=0.2)
                except StreamError:
                    if stream.ended or stream.eof:
                        if stream.rest():
                            raise
                        return  # the response ended: poll again
                    continue
                self._on_frame(frame)
                if self.sockjs_close is not None:
                    return
        finally:
            stream.close()

    def _on_frame(self, frame: str) -> None:
        self.raw_messages.append(frame)
        kind, payload = decode_frame(frame)
        if kind == "o":
            self.opened.set()
        elif kind == "a":
            for message in payload:
                self._feed_stomp(message)
        elif kind == "c":
            self.sockjs_close = (payload[0], payload[1])
            self._ended(how="sockjs-close", sockjs=self.sockjs_close)

    # -- sending --

    def _send_stomp_text(self, text: str) -> None:
        self.send_messages([text])

    def send_messages(self, messages: list[str]) -> HTTPResponse:
        self._last_sent = time.monotonic()
        response = send(self.port, self.prefix, self.url_session_id, messages, self.sender)
        expected = 200 if self.sender == "jsonp_send" else 204
        if response.status != expected:
            raise AssertionError(f"{self.sender} answered {response.status} {response.body!r}")
        return response

    # -- ending --

    def close(self, timeout: float = 2.0) -> None:
        self.close_abruptly()

    def stop_polling(self) -> None:
        """Lets the current receiving request end as the server ends it, then makes no new one:
        a client that went quiet without cutting a request off."""
        self._last_request.set()

    def close_abruptly(self) -> None:
        """Stops receiving and drops the current receiving request (like a closed browser tab)."""
        self._stop.set()
        stream = self._stream
        if stream is not None:
            try:
                stream.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._reader is not threading.current_thread():
            self._reader.join(timeout=5)
        if not self.transport_done.is_set():
            self._transport_closed("local")


def wait_for_value(condition: Callable[[], object], timeout: float = WAIT, what: str = "condition"):
    return lobbytest.wait_until(condition, timeout=timeout, what=what)
