"""End-to-end harness for lobby-server.

Runs the real `lobby-server` binary on 127.0.0.1 (port 0, SQLite file in a temp dir) and talks to
it over real sockets:

- `LobbyServer`: start / SIGTERM / kill -9 the binary, parse the port from its log, read
  `lobby-server sessions --all --json`.
- `encode_frame` / `FrameParser`: our own STOMP 1.2 frame codec (independent of the server's).
- `SockJSClient` (SockJS WebSocket transport, `o`/`h`/`a`/`c` framing) and `RawStompClient` (the raw
  `/connection/websocket` endpoint): the same STOMP client API on top of websocket-client.
- `SessionHolder`: a child Python process holding one identified session, to be killed or frozen.

Presence batches (`{"type":"batch","events":[…]}` on /topic/presence) are split into one MESSAGE
frame per event as they arrive, so every predicate and wait works for both forms; the frames as
they arrived are kept in `presence_frames` (see `split_presence_batch`).

Every wait is bounded; every loop and thread stops by itself.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import queue
import random
import re
import select
import signal
import socket
import string
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import websocket  # websocket-client

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PREFIX = "/connection"
WAIT = 5.0  # default bound for one expected event

CHAT = "/topic/chat"
PRESENCE = "/topic/presence"
REPLY = "/user/queue/reply"
ALL_DESTINATIONS = (CHAT, PRESENCE, REPLY)

# The secret of each name's claim, from the welcome that claimed it, as a client keeps it. By name
# only: a server with a fresh database ignores a stale token (the name is free, a new claim is made).
NAME_TOKENS: dict[str, str] = {}
KNOWN_TOKEN = object()  # identify(): send the token NAME_TOKENS has for the name, if any

# Latencies and other numbers worth reporting; conftest prints them at the end of the run.
MEASUREMENTS: list[str] = []


def measure(line: str) -> None:
    MEASUREMENTS.append(line)
    print(line)


# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------


def server_binary() -> Path:
    bin_dir = Path(os.environ.get("LOBBY_BIN", ".build/debug"))
    if not bin_dir.is_absolute():
        bin_dir = REPO_ROOT / bin_dir
    return bin_dir / "lobby-server"


class ServerError(RuntimeError):
    pass


class LobbyServer:
    """One `lobby-server` process. Use as a context manager or call start()/stop()."""

    _counter = 0
    LISTENING = re.compile(r"listening on (https?)://127\.0\.0\.1:(\d+)(/\S*)?")
    ADMIN = re.compile(r"admin on http://127\.0\.0\.1:(\d+)")

    def __init__(self, workdir: Path, args: Iterable[str] = (), database: Path | str | None = None):
        self.workdir = Path(workdir)
        # A PostgreSQL URL stays a string (a Path would fold its "//").
        if isinstance(database, str) and database.startswith(("postgres://", "postgresql://")):
            self.database: Path | str = database
        else:
            self.database = Path(database) if database else self.workdir / "lobby.sqlite"
        self.args = [str(a) for a in args]
        LobbyServer._counter += 1
        self.log_path = self.workdir / f"lobby-server-{LobbyServer._counter}.log"
        self.process: subprocess.Popen | None = None
        self.port: int | None = None
        self.admin_port: int | None = None  # the admin listener (/metrics, /admin/kick)
        self.scheme = "http"  # "https" when started with --tls-cert/--tls-key (from its listening line)
        # With TLS: the PEM of the CA that signed the server's certificate, for the test clients.
        self.ca_file: Path | None = None
        self._log_file = None

    # -- lifecycle --

    def start(self, ready_timeout: float = 20.0) -> "LobbyServer":
        binary = server_binary()
        if not binary.exists():
            raise ServerError(f"{binary} does not exist (build it, or set LOBBY_BIN)")
        # Every test client comes from 127.0.0.1: the per-address limit on new name claims
        # (10 an hour) is off unless a test sets it (test_hardening does).
        claims = [] if "--claims-per-hour" in self.args else ["--claims-per-hour", "0"]
        command = [
            str(binary), "--host", HOST, "--port", "0", "--database", str(self.database), *claims, *self.args,
        ]
        self._log_file = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command, stdout=self._log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.workdir,
        )
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            log = self.log()
            match = self.LISTENING.search(log)
            admin = self.ADMIN.search(log)
            if match and (admin or "--admin-listen" in self.args):
                self.scheme, self.port = match.group(1), int(match.group(2))
                self.admin_port = int(admin.group(1)) if admin else None
                return self
            if self.process.poll() is not None:
                raise ServerError(
                    f"lobby-server exited with {self.process.returncode} before listening:\n{self.log()}")
            time.sleep(0.02)
        self.kill9()
        raise ServerError(f"no 'listening on' line within {ready_timeout}s:\n{self.log()}")

    def __enter__(self) -> "LobbyServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop_quietly()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self, timeout: float = 10.0) -> int:
        """SIGTERM and wait (bounded); returns the exit status. Raises if it does not exit."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise ServerError(f"lobby-server did not exit within {timeout}s of SIGTERM:\n{self.log_tail()}")
        finally:
            self._close_log()

    def kill9(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._close_log()

    def stop_quietly(self) -> None:
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self.terminate(timeout=10)
        except ServerError:
            pass
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # -- observation --

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def sessions(self, all: bool = True) -> list[dict]:
        """`lobby-server sessions --database DB [--all] --json`, parsed."""
        command = [str(server_binary()), "sessions", "--database", str(self.database), "--json"]
        if all:
            command.append("--all")
        result = subprocess.run(command, capture_output=True, text=True, timeout=20, cwd=self.workdir)
        if result.returncode != 0:
            raise ServerError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}{result.stdout}")
        return json.loads(result.stdout)

    # -- addresses --

    @property
    def ws_scheme(self) -> str:
        return "wss" if self.scheme == "https" else "ws"

    def websocket_sslopt(self) -> dict | None:
        """websocket-client's TLS options for this server: verify against `ca_file`."""
        return {"ca_certs": str(self.ca_file)} if self.scheme == "https" and self.ca_file else None

    def http_url(self, path: str = PREFIX) -> str:
        return f"{self.scheme}://{HOST}:{self.port}{path}"

    def sockjs_url(self, session_id: str, server_id: str = "000", prefix: str = PREFIX) -> str:
        return f"{self.ws_scheme}://{HOST}:{self.port}{prefix}/{server_id}/{session_id}/websocket"

    def raw_url(self, prefix: str = PREFIX) -> str:
        return f"{self.ws_scheme}://{HOST}:{self.port}{prefix}/websocket"


def wait_until(condition: Callable[[], Any], timeout: float = WAIT, interval: float = 0.05, what: str = "condition"):
    """Polls `condition` until it returns something truthy (returned), or raises TimeoutError."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# ---------------------------------------------------------------------------------------------
# Plain HTTP and TCP
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class HTTPResponse:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def http_request(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=WAIT)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return HTTPResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        connection.close()


def tcp_exchange(port: int, data: bytes, timeout: float = WAIT) -> tuple[bytes, bool]:
    """Sends raw bytes on a fresh TCP connection and reads until EOF or `timeout`.
    Returns (bytes read, whether the server closed the connection)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
        return received, False


# ---------------------------------------------------------------------------------------------
# STOMP frames
# ---------------------------------------------------------------------------------------------


def _escape_header(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace(":", "\\c")


def _unescape_header(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append({"\\": "\\", "r": "\r", "n": "\n", "c": ":"}.get(value[i + 1], "\\" + value[i + 1]))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def encode_frame(command: str, headers: dict[str, str] | None = None, body: str | bytes = "",
                 content_length: bool = True) -> str:
    """One STOMP frame as text (both transports carry text). Headers are escaped as STOMP 1.2 wants,
    except in CONNECT/CONNECTED; `content-length` (UTF-8 bytes of the body) is added when asked."""
    body_text = body.decode("utf-8") if isinstance(body, bytes) else body
    lines = [command]
    escape = command not in ("CONNECT", "CONNECTED", "STOMP")
    headers = dict(headers or {})
    if content_length and body_text and "content-length" not in headers:
        headers["content-length"] = str(len(body_text.encode("utf-8")))
    for name, value in headers.items():
        lines.append(f"{_escape_header(name)}:{_escape_header(str(value))}" if escape else f"{name}:{value}")
    return "\n".join(lines) + "\n\n" + body_text + "\x00"


@dataclasses.dataclass
class Frame:
    command: str
    headers: dict[str, str]
    body: bytes
    # Set on the frames split out of a presence batch (see split_presence_batch): this event's
    # position in the batch and the batch's size, and the MESSAGE frame as it arrived.
    batch: tuple[int, int] | None = dataclasses.field(default=None, compare=False)
    batch_frame: "Frame | None" = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        body = self.body if len(self.body) < 300 else self.body[:300] + b"..."
        part = f" [batch {self.batch[0] + 1}/{self.batch[1]}]" if self.batch else ""
        return f"Frame({self.command} {self.headers} {body!r}{part})"


class StompParseError(ValueError):
    pass


HEARTBEAT = object()  # what FrameParser.feed yields for a bare EOL between frames


class FrameParser:
    """Incremental STOMP frame parser (bytes or str in; Frame or HEARTBEAT out).
    Honours content-length; frames may be split across feeds or several to one feed."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes | str) -> list:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.buffer += data
        out: list = []
        while self.buffer:
            if self.buffer[:1] == b"\n":
                del self.buffer[:1]
                out.append(HEARTBEAT)
                continue
            if self.buffer[:2] == b"\r\n":
                del self.buffer[:2]
                out.append(HEARTBEAT)
                continue
            end_of_head = re.search(rb"\n\r?\n", self.buffer)
            if end_of_head is None:
                break
            head = bytes(self.buffer[: end_of_head.start()]).decode("utf-8")
            lines = [line.rstrip("\r") for line in head.split("\n")]
            command, headers = lines[0], {}
            escaped = command != "CONNECTED"
            for line in lines[1:]:
                if ":" not in line:
                    raise StompParseError(f"bad header line {line!r}")
                name, value = line.split(":", 1)
                if escaped:
                    name, value = _unescape_header(name), _unescape_header(value)
                headers.setdefault(name, value)  # first occurrence wins
            body_start = end_of_head.end()
            if "content-length" in headers:
                length = int(headers["content-length"])
                if len(self.buffer) < body_start + length + 1:
                    break
                body = bytes(self.buffer[body_start: body_start + length])
                if self.buffer[body_start + length] != 0:
                    raise StompParseError("frame body not followed by NUL")
                del self.buffer[: body_start + length + 1]
            else:
                nul = self.buffer.find(b"\x00", body_start)
                if nul < 0:
                    break
                body = bytes(self.buffer[body_start:nul])
                del self.buffer[: nul + 1]
            out.append(Frame(command, headers, body))
        return out


# ---------------------------------------------------------------------------------------------
# Predicates on message payloads (each carries a description for timeout messages)
# ---------------------------------------------------------------------------------------------


def _described(description: str, function: Callable[[dict], bool]) -> Callable[[dict], bool]:
    function.description = description  # type: ignore[attr-defined]
    return function


def is_join(user: str | None = None):
    return _described(f"join of {user!r}", lambda m: m.get("type") == "join" and user in (None, m.get("user")))


def is_leave(user: str | None = None, reason: str | None = None):
    return _described(
        f"leave of {user!r} (reason {reason!r})",
        lambda m: m.get("type") == "leave" and user in (None, m.get("user")) and reason in (None, m.get("reason")))


def is_presence(user: str | None = None):
    return _described(
        f"presence of {user!r}", lambda m: m.get("type") in ("join", "leave") and user in (None, m.get("user")))


def is_chat(text: str | None = None, user: str | None = None):
    return _described(
        f"chat {text!r} from {user!r}",
        lambda m: m.get("type") == "message" and text in (None, m.get("text")) and user in (None, m.get("user")))


def is_welcome():
    return _described("welcome", lambda m: m.get("type") == "welcome")


def is_error(code: str | None = None):
    return _described(f"error {code!r}", lambda m: m.get("type") == "error" and code in (None, m.get("code")))


def is_reply():
    return _described("welcome or error", lambda m: m.get("type") in ("welcome", "error"))


# ---------------------------------------------------------------------------------------------
# Presence batches
# ---------------------------------------------------------------------------------------------
#
# A MESSAGE on /topic/presence carries one event ({"type":"join",…}, {"type":"leave",…}) or, when
# several changes were pending together, {"type":"batch","events":[<event>, …]} in the order the
# state changed (docs/protocol.md). The clients below split a batch into one MESSAGE frame per
# event as it arrives, so `received`, `messages`, `wait_for` and the predicates above see single
# events whichever form the server chose; the frames as they arrived stay in `presence_frames`.


def is_presence_batch(body: Any) -> bool:
    return isinstance(body, dict) and body.get("type") == "batch"


def presence_events(body: dict) -> list[dict]:
    """The events of one presence MESSAGE body, oldest first, whichever form it has."""
    if is_presence_batch(body):
        return list(body.get("events") or [])
    return [body]


def _encode_event(event: dict) -> bytes:
    # As the server writes JSON: sorted keys, no spaces, UTF-8.
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def split_presence_batch(frame: Frame) -> list[Frame]:
    """A presence batch MESSAGE as one MESSAGE frame per event (same headers, `batch` set);
    any other frame (a single event included) as itself."""
    if frame.command != "MESSAGE" or frame.headers.get("destination") != PRESENCE:
        return [frame]
    try:
        body = json.loads(frame.body)
    except ValueError:
        return [frame]
    if not is_presence_batch(body) or not isinstance(body.get("events"), list):
        return [frame]
    events = body["events"]
    parts = []
    for index, event in enumerate(events):
        data = _encode_event(event)
        headers = dict(frame.headers)
        headers["content-length"] = str(len(data))
        parts.append(Frame("MESSAGE", headers, data, batch=(index, len(events)), batch_frame=frame))
    return parts


def random_session_id(length: int = 12) -> str:
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(length))


# ---------------------------------------------------------------------------------------------
# WebSocket STOMP clients
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class CloseInfo:
    """How a connection ended, as the client saw it."""
    sockjs: tuple[int, str] | None = None  # from a SockJS `c[code,"reason"]` frame
    ws_code: int | None = None  # from a WebSocket close frame
    ws_reason: str = ""
    how: str = ""  # "sockjs-close", "close-frame", "eof", "error: ...", "local"
    at: float = 0.0  # time.monotonic() when first noticed


class ConnectionClosed(Exception):
    def __init__(self, info: CloseInfo):
        super().__init__(f"connection closed: {info}")
        self.info = info


class StompError(Exception):
    def __init__(self, frame: Frame):
        super().__init__(f"STOMP ERROR: {frame}")
        self.frame = frame


_CLOSED = object()


class _StompClient:
    """STOMP over one WebSocket. A reader thread answers pings, sends negotiated heart-beats and
    queues every frame; the test thread consumes them with next_frame / wait_frame / wait_for."""

    transport_name = "?"

    def __init__(self, url: str, sockopt: Iterable[tuple] = (), timeout: float = WAIT, read: bool = True,
                 sslopt: dict | None = None):
        self.url = url
        self.ws = websocket.create_connection(
            url, timeout=timeout, sockopt=tuple(sockopt), sslopt=sslopt, enable_multithread=True)
        self.ws.settimeout(10)
        self._init_session_state()
        self._reader: threading.Thread | None = None
        if read:
            self.resume_reading()

    def _init_session_state(self) -> None:
        """What every client tracks about its STOMP session, whatever carries it (transports that
        are not a WebSocket, like tests/sockjshttp.py's, call this instead of __init__)."""
        self.session_id: str | None = None
        self.connected_frame: Frame | None = None
        self.welcome: dict | None = None
        self.user: str | None = None
        self.raw_messages: list[str] = []  # every text WebSocket message, as received
        self.received: list[Frame] = []  # every STOMP frame pulled by the test thread, in order
        # Every MESSAGE on /topic/presence as it arrived (a batch is one frame here, but several
        # in `received`: see split_presence_batch).
        self.presence_frames: list[Frame] = []
        self._consumed: set[int] = set()
        self._queue: queue.Queue = queue.Queue()
        self._closed_seen = False
        self.close_info: CloseInfo | None = None
        self.transport_done = threading.Event()
        self.stomp_heartbeats_received = 0
        self.pings_received = 0
        self.pongs_received: list[bytes] = []
        self._parser = FrameParser()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._heartbeat_every = 0.0
        self._last_sent = time.monotonic()
        self._receipts = 0

    # -- the reader thread --

    def resume_reading(self) -> None:
        self._stop.clear()
        self._reader = threading.Thread(target=self._read_loop, name=f"reader {self.url}", daemon=True)
        self._reader.start()

    def pause_reading(self) -> None:
        """Stops reading the socket altogether (no pongs either): a consumer that stalls."""
        self._stop.set()
        if self._reader is not None:
            self._reader.join(timeout=5)

    def _read_loop(self) -> None:
        sock = self.ws.sock
        try:
            while not self._stop.is_set():
                self._send_heartbeat_if_due()
                # Over TLS, bytes already decrypted wait in the SSL object, where select cannot see them.
                pending = getattr(sock, "pending", None)
                if not (pending and pending()):
                    ready, _, _ = select.select([sock], [], [], 0.02)
                    if not ready:
                        continue
                opcode, data = self.ws.recv_data(control_frame=True)  # pings are answered inside
                if opcode == websocket.ABNF.OPCODE_PONG:
                    self.pongs_received.append(data)
                elif opcode == websocket.ABNF.OPCODE_PING:
                    self.pings_received += 1
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    reason = data[2:].decode("utf-8", "replace")
                    self._transport_closed("close-frame", code, reason)
                    return
                elif opcode == websocket.ABNF.OPCODE_TEXT:
                    text = data.decode("utf-8")
                    self.raw_messages.append(text)
                    self._on_text(text)
                elif opcode == websocket.ABNF.OPCODE_BINARY:
                    self._feed_stomp(data)
        except (websocket.WebSocketConnectionClosedException, ConnectionError, ValueError, OSError) as error:
            self._transport_closed("eof" if isinstance(
                error, (websocket.WebSocketConnectionClosedException, ConnectionError)) else f"error: {error!r}")
        except websocket.WebSocketException as error:
            self._transport_closed(f"error: {error!r}")

    def _on_text(self, text: str) -> None:
        self._feed_stomp(text)

    def _feed_stomp(self, data: str | bytes) -> None:
        try:
            items = self._parser.feed(data)
        except (StompParseError, UnicodeDecodeError, ValueError) as error:
            self._queue.put(Frame("CLIENT-PARSE-ERROR", {"error": str(error)}, bytes(self._parser.buffer)))
            self._parser = FrameParser()
            return
        for item in items:
            if item is HEARTBEAT:
                self.stomp_heartbeats_received += 1
                continue
            if item.command == "MESSAGE" and item.headers.get("destination") == PRESENCE:
                self.presence_frames.append(item)
            for frame in split_presence_batch(item):
                self._queue.put(frame)

    def _ended(self, **fields) -> None:
        """Records the first sign of the end (later signs only fill in missing fields)."""
        with self._lock:
            if self.close_info is None:
                self.close_info = CloseInfo(at=time.monotonic(), **fields)
                self._queue.put(_CLOSED)
            else:
                for name, value in fields.items():
                    if name == "how":
                        continue
                    if getattr(self.close_info, name) in (None, ""):
                        setattr(self.close_info, name, value)

    def _transport_closed(self, how: str, code: int | None = None, reason: str = "") -> None:
        self._ended(how=how, ws_code=code, ws_reason=reason)
        self.transport_done.set()

    def _send_heartbeat_if_due(self) -> None:
        if self._heartbeat_every and time.monotonic() - self._last_sent >= self._heartbeat_every:
            try:
                self._send_stomp_text("\n")
            except (websocket.WebSocketException, OSError):
                pass

    # -- sending --

    def _send_stomp_text(self, text: str) -> None:
        raise NotImplementedError

    def send_stomp(self, text: str) -> None:
        """STOMP bytes as given (one or several frames, or a fragment), in one transport message."""
        self._send_stomp_text(text)

    def send_text(self, text: str) -> None:
        """One WebSocket text message, exactly as given (no SockJS framing added)."""
        self._last_sent = time.monotonic()
        self.ws.send(text)

    def send_bytes(self, data: bytes, opcode: int = websocket.ABNF.OPCODE_TEXT) -> None:
        """One WebSocket message of arbitrary bytes (e.g. invalid UTF-8 in a text frame)."""
        self._last_sent = time.monotonic()
        self.ws.send(data, opcode=opcode)

    def send_fragmented(self, text: str, pieces: int = 3) -> None:
        """One WebSocket text message sent as `pieces` frames (first + continuations)."""
        data = text.encode("utf-8")
        size = max(1, -(-len(data) // pieces))
        chunks = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
        self._last_sent = time.monotonic()
        for index, chunk in enumerate(chunks):
            opcode = websocket.ABNF.OPCODE_TEXT if index == 0 else websocket.ABNF.OPCODE_CONT
            frame = websocket.ABNF.create_frame(chunk, opcode, fin=int(index == len(chunks) - 1))
            self.ws.send_frame(frame)

    def ping(self, payload: bytes = b"are you there") -> None:
        self.ws.ping(payload)

    def send_frame(self, command: str, headers: dict[str, str] | None = None, body: str = "",
                   content_length: bool = True) -> None:
        self._send_stomp_text(encode_frame(command, headers, body, content_length))

    def send_json(self, destination: str, payload: Any, receipt: str | None = None) -> None:
        body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        headers = {"destination": destination, "content-type": "application/json"}
        if receipt:
            headers["receipt"] = receipt
        self.send_frame("SEND", headers, body)

    def next_receipt_id(self) -> str:
        self._receipts += 1
        return f"r-{self._receipts}"

    # -- receiving --

    def _pull(self, deadline: float) -> Frame:
        if self._closed_seen:
            raise ConnectionClosed(self.close_info)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise queue.Empty
        item = self._queue.get(timeout=remaining)
        if item is _CLOSED:
            self._closed_seen = True
            raise ConnectionClosed(self.close_info)
        self.received.append(item)
        return item

    def wait_frame(self, predicate: Callable[[Frame], bool], timeout: float = WAIT, what: str = "") -> Frame:
        """The first not-yet-consumed frame matching `predicate` (earlier or new), consumed."""
        for index, frame in enumerate(self.received):
            if index not in self._consumed and predicate(frame):
                self._consumed.add(index)
                return frame
        deadline = time.monotonic() + timeout
        while True:
            try:
                frame = self._pull(deadline)
            except queue.Empty:
                raise TimeoutError(
                    f"{self.transport_name} {self.user or self.session_id}: no {what or 'matching frame'} "
                    f"within {timeout}s; frames so far: {self.received[-12:]}") from None
            if predicate(frame):
                self._consumed.add(len(self.received) - 1)
                return frame

    def next_frame(self, timeout: float = WAIT) -> Frame:
        """The next not-yet-consumed frame, in arrival order."""
        return self.wait_frame(lambda f: True, timeout, "frame")

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = WAIT, destination: str | None = None) -> dict:
        """The parsed JSON body of the first unconsumed MESSAGE (optionally on `destination`)
        that `predicate` accepts."""
        def matches(frame: Frame) -> bool:
            if frame.command != "MESSAGE":
                return False
            if destination is not None and frame.headers.get("destination") != destination:
                return False
            try:
                return bool(predicate(frame.json()))
            except (ValueError, AttributeError):
                return False
        what = getattr(predicate, "description", "message") + (f" on {destination}" if destination else "")
        return self.wait_frame(matches, timeout, what).json()

    def wait_receipt(self, receipt: str, timeout: float = WAIT) -> Frame:
        return self.wait_frame(
            lambda f: f.command == "RECEIPT" and f.headers.get("receipt-id") == receipt, timeout,
            f"RECEIPT {receipt}")

    def wait_error_frame(self, timeout: float = WAIT) -> Frame:
        return self.wait_frame(lambda f: f.command == "ERROR", timeout, "ERROR frame")

    def drain(self, duration: float) -> None:
        """Pulls everything that arrives during `duration` seconds (or until the connection closes)."""
        deadline = time.monotonic() + duration
        while True:
            try:
                self._pull(deadline)
            except (queue.Empty, ConnectionClosed):
                return

    def messages(self, predicate: Callable[[dict], bool] | None = None, destination: str | None = None) -> list[dict]:
        """Every MESSAGE body pulled so far (consumed or not) matching `predicate`."""
        out = []
        for frame in self.received:
            if frame.command != "MESSAGE":
                continue
            if destination is not None and frame.headers.get("destination") != destination:
                continue
            try:
                body = frame.json()
            except ValueError:
                continue
            if predicate is None or predicate(body):
                out.append(body)
        return out

    def presence_bodies(self) -> list[dict]:
        """Every presence MESSAGE body as it arrived (single events and whole batches), in order;
        unlike `messages`, it includes frames not yet pulled by the test thread."""
        bodies = []
        for frame in list(self.presence_frames):
            try:
                bodies.append(frame.json())
            except ValueError:
                continue
        return bodies

    def presence_batches(self) -> list[dict]:
        """The presence MESSAGEs that arrived as a batch, as they arrived."""
        return [body for body in self.presence_bodies() if is_presence_batch(body)]

    def wait_closed(self, timeout: float = WAIT) -> CloseInfo:
        """Waits until the transport is gone (close frame or EOF); returns how it ended."""
        if not self.transport_done.wait(timeout):
            raise TimeoutError(
                f"{self.transport_name} {self.user or self.session_id}: still open after {timeout}s "
                f"(close so far: {self.close_info}); frames: {self.received[-8:]}")
        return self.close_info

    @property
    def is_closed(self) -> bool:
        return self.transport_done.is_set()

    # -- STOMP conversation --

    def connect(self, heartbeat: tuple[int, int] = (0, 0), accept_version: str | None = "1.2",
                command: str = "CONNECT", headers: dict[str, str] | None = None, timeout: float = WAIT) -> Frame:
        connect_headers = {"host": HOST}
        if accept_version is not None:
            connect_headers["accept-version"] = accept_version
        if heartbeat is not None:
            connect_headers["heart-beat"] = f"{heartbeat[0]},{heartbeat[1]}"
        connect_headers.update(headers or {})
        self.send_frame(command, connect_headers)
        frame = self.wait_frame(lambda f: f.command in ("CONNECTED", "ERROR"), timeout, "CONNECTED")
        if frame.command == "ERROR":
            raise StompError(frame)
        self.connected_frame = frame
        if self.session_id is None:
            self.session_id = frame.headers.get("session")
        if heartbeat and frame.headers.get("heart-beat"):
            server_sends, server_wants = (int(x) for x in frame.headers["heart-beat"].split(","))
            client_sends = heartbeat[0]
            if client_sends and server_wants:
                # Send at least twice per negotiated interval so we are never late.
                self._heartbeat_every = max(client_sends, server_wants) / 2000.0
        return frame

    def subscribe(self, destination: str, id: str, receipt: str | None = None) -> None:
        headers = {"id": id, "destination": destination, "ack": "auto"}
        if receipt:
            headers["receipt"] = receipt
        self.send_frame("SUBSCRIBE", headers)
        if receipt:
            self.wait_receipt(receipt)

    def subscribe_all(self) -> None:
        """Subscribes to /topic/chat, /topic/presence and /user/queue/reply; returns once the
        server has acknowledged all three (a RECEIPT on the last)."""
        for index, destination in enumerate(ALL_DESTINATIONS):
            last = index == len(ALL_DESTINATIONS) - 1
            self.subscribe(destination, f"sub-{index}", receipt=self.next_receipt_id() if last else None)

    def identify(self, name: str, session_id: str | None = None, wait: bool = True, timeout: float = WAIT,
                 token: str | None | object = KNOWN_TOKEN):
        """SEND /app/identity; with `wait`, returns the private reply (welcome or error).

        Like a real client, it sends the name's claim secret it was given before (`NAME_TOKENS`),
        unless `token` says which one to send (None: none)."""
        if token is KNOWN_TOKEN:
            token = NAME_TOKENS.get(name.strip())
        identity = {"sessionId": session_id or self.session_id, "clientData": name}
        if token is not None:
            identity["token"] = token
        self.send_json("/app/identity", identity)
        if not wait:
            return None
        reply = self.wait_for(is_reply(), timeout, destination=REPLY)
        if reply.get("type") == "welcome":
            self.welcome = reply
            self.user = reply.get("user")
            if reply.get("token"):
                NAME_TOKENS[reply["user"]] = reply["token"]
        return reply

    def chat(self, text: str, receipt: str | None = None, timeout: float = WAIT) -> Frame | None:
        """SEND /app/chat; with `receipt`, waits for its RECEIPT (sent after the message is stored)."""
        self.send_json("/app/chat", {"text": text}, receipt=receipt)
        if receipt:
            return self.wait_receipt(receipt, timeout)
        return None

    def disconnect(self, receipt: str | None = "bye", timeout: float = WAIT) -> Frame | None:
        headers = {"receipt": receipt} if receipt else {}
        self.send_frame("DISCONNECT", headers)
        return self.wait_receipt(receipt, timeout) if receipt else None

    # -- ending the connection --

    def close(self, timeout: float = 2.0) -> None:
        """Closes politely: a WebSocket close frame, then waits (bounded) for the server's."""
        if not self.transport_done.is_set():
            try:
                self.ws.send_close(websocket.STATUS_NORMAL, b"")
            except (websocket.WebSocketException, OSError):
                pass
            self.transport_done.wait(timeout)
        self._teardown()

    def close_abruptly(self) -> None:
        """Shuts the TCP connection down with no WebSocket close frame (FIN)."""
        try:
            self.ws.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self._teardown()

    def _teardown(self) -> None:
        self._stop.set()
        if self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout=5)
        try:
            self.ws.shutdown()
        except (OSError, AttributeError, websocket.WebSocketException):
            pass
        if not self.transport_done.is_set():
            self._ended(how="local")


class SockJSClient(_StompClient):
    """STOMP over the SockJS WebSocket transport `{prefix}/{server}/{session}/websocket`."""

    transport_name = "sockjs"

    def __init__(self, server: LobbyServer, session_id: str | None = None, server_id: str = "000",
                 prefix: str = PREFIX, expect_open: bool = True, ascii_json: bool = False,
                 sockopt: Iterable[tuple] = (), timeout: float = WAIT):
        self.url_session_id = session_id or random_session_id()
        self.opened = threading.Event()
        self.sockjs_close: tuple[int, str] | None = None
        self.sockjs_heartbeats = 0
        self.ascii_json = ascii_json
        super().__init__(server.sockjs_url(self.url_session_id, server_id, prefix), sockopt, timeout,
                         sslopt=server.websocket_sslopt())
        # The client knows its own id from the URL (DESIGN.md, connect step 2).
        self.session_id = self.url_session_id
        if expect_open and not self.opened.wait(timeout):
            raise TimeoutError(f"no SockJS 'o' frame within {timeout}s; got {self.raw_messages}")

    def _on_text(self, text: str) -> None:
        kind = text[:1]
        if self.sockjs_close is not None:
            return  # nothing is valid after `c`
        if kind == "o":
            self.opened.set()
        elif kind == "h":
            self.sockjs_heartbeats += 1
        elif kind == "a":
            for message in json.loads(text[1:]):
                self._feed_stomp(message)
        elif kind == "m":
            self._feed_stomp(json.loads(text[1:]))
        elif kind == "c":
            code, reason = json.loads(text[1:])
            self.sockjs_close = (code, reason)
            self._ended(how="sockjs-close", sockjs=(code, reason))
        else:
            self._queue.put(Frame("CLIENT-PARSE-ERROR", {"error": "unknown SockJS frame"}, text.encode()))

    def _send_stomp_text(self, text: str) -> None:
        self.send_text(json.dumps([text], ensure_ascii=self.ascii_json))

    def send_sockjs(self, *messages: str) -> None:
        """One SockJS message carrying several strings (each a STOMP fragment)."""
        self.send_text(json.dumps(list(messages), ensure_ascii=self.ascii_json))


class RawStompClient(_StompClient):
    """STOMP directly over the raw WebSocket endpoint `{prefix}/websocket` (the server picks the id)."""

    transport_name = "raw"

    def __init__(self, server: LobbyServer, prefix: str = PREFIX, sockopt: Iterable[tuple] = (), timeout: float = WAIT):
        super().__init__(server.raw_url(prefix), sockopt, timeout, sslopt=server.websocket_sslopt())

    def _send_stomp_text(self, text: str) -> None:
        self.send_text(text)


CLIENT_KINDS = {"sockjs": SockJSClient, "raw": RawStompClient}


def open_client(server: LobbyServer, kind: str = "sockjs", **options) -> _StompClient:
    return CLIENT_KINDS[kind](server, **options)


def identified_client(server: LobbyServer, name: str, kind: str = "sockjs", heartbeat=(0, 0), **options) -> _StompClient:
    """Connected, subscribed to everything, identified as `name`; raises unless welcomed."""
    client = open_client(server, kind, **options)
    try:
        client.connect(heartbeat=heartbeat)
        client.subscribe_all()
        reply = client.identify(name)
        if reply.get("type") != "welcome":
            raise AssertionError(f"identify({name!r}) was answered {reply}")
    except BaseException:
        client.close_abruptly()
        raise
    return client


# ---------------------------------------------------------------------------------------------
# A session held by a child process
# ---------------------------------------------------------------------------------------------


class SessionHolder:
    """Runs tests/session_holder.py: a separate process that connects, identifies and then just
    keeps its session alive (answering pings, sending negotiated heart-beats) until it is
    killed, frozen or its lifetime ends."""

    SCRIPT = Path(__file__).resolve().parent / "session_holder.py"

    def __init__(self, server: LobbyServer, name: str, kind: str = "sockjs", heartbeat=(0, 0), lifetime: float = 60):
        environment = dict(os.environ, PYTHONPATH=str(self.SCRIPT.parent), PYTHONUNBUFFERED="1")
        self.name = name
        if name.strip() in NAME_TOKENS:
            environment["LOBBY_TEST_NAME_TOKEN"] = NAME_TOKENS[name.strip()]
        self.process = subprocess.Popen(
            [sys.executable, str(self.SCRIPT), str(server.port), name, kind, f"{heartbeat[0]},{heartbeat[1]}",
             str(lifetime)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=environment)
        self.session_id = self._read_ready(timeout=15)

    def _read_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.1)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    break
                line += chunk
                if b"\n" in line:
                    first = line.split(b"\n", 1)[0].decode()
                    if first.startswith("READY "):
                        fields = first.split()
                        if len(fields) > 2:  # the holder's welcome claimed the name
                            NAME_TOKENS[self.name.strip()] = fields[2]
                        return fields[1]
                    break
        self.kill()
        stderr = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
        raise RuntimeError(f"session holder did not get ready: {line!r} {stderr}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGSTOP: the process freezes, its socket stays open and the kernel still ACKs."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def __enter__(self) -> "SessionHolder":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
        for stream in (self.process.stdout, self.process.stderr):
            if stream:
                stream.close()


# ---------------------------------------------------------------------------------------------
# Clients that never read (issue 21): shared by tests/test_hardening.py and make bench
# (scripts/bench_slow_readers.py)

LARGEST_TEXT = "\U0001F600" * 3_990  # 3 990 characters, 15 960 bytes: the largest chat text there is


def store_largest_messages(server: "LobbyServer", count: int = 200, timeout: float = 60) -> None:
    """`count` chat messages of the largest text, stored (the last one's receipt came back)."""
    writer = identified_client(server, "writer", "raw")
    try:
        for index in range(count):
            writer.send_json("/app/chat", {"text": f"{index} {LARGEST_TEXT}"})
        writer.send_json("/app/chat", {"text": "written"}, receipt="written")
        writer.wait_receipt("written", timeout=timeout)
    finally:
        writer.close()


def non_reading_client(server: "LobbyServer", name: str) -> "_StompClient":
    """An identified raw client with a 4 KiB receive buffer that has stopped reading."""
    client = identified_client(server, name, "raw", sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    client.pause_reading()
    return client


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")
