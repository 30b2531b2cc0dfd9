"""Many real-client sessions from one thread: a small non-blocking WebSocket + SockJS + STOMP client
driven by `selectors`, for the scale tests (tests/test_scale.py).

Each `SwarmClient` does what the terminal client does: opens the SockJS WebSocket transport
`{prefix}/000/{session}/websocket` with its own random session id, sends CONNECT after `o`,
and on CONNECTED sends, in one SockJS message, SUBSCRIBEs to /topic/chat, /topic/presence and
/user/queue/reply and the identity (`{"sessionId": <the id from its URL>, "clientData": <name>}`).
It keeps its member list the way a client must: the welcome's list replaces whatever it had
(events that came before are superseded), and every later presence event, single or in a batch,
applies on top in order.

Hundreds of clients cost one thread and a few sockets' worth of buffers each, so the test measures
the server, not Python threads. WebSocket pings are answered; STOMP heart-beats are off.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import selectors
import socket
import time
from typing import Callable

import websocket  # websocket-client: only its frame encoder (masking) is used

import lobbytest
from lobbytest import HOST, PREFIX, FrameParser, HEARTBEAT, presence_events, is_presence_batch

_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SwarmError(AssertionError):
    pass


class SwarmClient:
    """One session of the swarm. Everything it saw is kept for the test to check."""

    def __init__(self, swarm: "Swarm", name: str, session_id: str | None = None):
        self.swarm = swarm
        self.name = name
        self.session_id = session_id or lobbytest.random_session_id()
        self.sock: socket.socket | None = None
        self.state = "new"  # new → handshake → open → connected → identified → closing → closed
        self.inbound = bytearray()
        self.outbound = bytearray()
        self.fragments: list[bytes] = []
        self.parser = FrameParser()
        # What it learnt.
        self.welcome: dict | None = None
        self.members: dict[str, int] = {}  # user → sessions; replaced by the welcome
        self.presence_bodies: list[dict] = []  # every presence MESSAGE body as it arrived
        self.events_before_welcome: list[dict] = []
        self.events_after_welcome: list[dict] = []
        self.receipts: list[str] = []
        self.problems: list[str] = []  # STOMP ERRORs, private errors, protocol surprises
        self.closed_how: str | None = None
        self.connected_at: float | None = None
        self.welcomed_at: float | None = None

    # -- the wire --

    def start(self, port: int) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        result = sock.connect_ex((HOST, port))
        if result not in (0, errno.EINPROGRESS):
            sock.close()
            raise SwarmError(f"{self.name}: connect failed: {os.strerror(result)}")
        self.sock = sock
        self._key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {PREFIX}/000/{self.session_id}/websocket HTTP/1.1\r\n"
            f"Host: {HOST}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {self._key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.state = "handshake"
        self.outbound += request.encode()
        self.swarm._register(self, write=True)

    def _send_ws(self, payload: bytes | str, opcode: int = websocket.ABNF.OPCODE_TEXT) -> None:
        if self.sock is None or self.state in ("closed",):
            return
        self.outbound += websocket.ABNF.create_frame(payload, opcode).format()
        self.flush()

    def send_stomp(self, *frames: str) -> None:
        """STOMP frames in one SockJS message."""
        self._send_ws(json.dumps(list(frames), ensure_ascii=False))

    def flush(self) -> None:
        if self.sock is None or not self.outbound:
            return
        try:
            sent = self.sock.send(self.outbound)
            del self.outbound[:sent]
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as error:
            self._closed(f"send failed: {error}")
            return
        self.swarm._register(self, write=bool(self.outbound))

    def readable(self) -> None:
        try:
            data = self.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            self._closed(f"recv failed: {error}")
            return
        if not data:
            self._closed("eof")
            return
        self.inbound += data
        if self.state == "handshake":
            end = self.inbound.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.inbound[:end]).decode("latin-1")
            del self.inbound[: end + 4]
            accept = base64.b64encode(hashlib.sha1((self._key + _WS_GUID).encode()).digest()).decode()
            if " 101 " not in head.split("\r\n", 1)[0] or accept not in head:
                self.problems.append(f"handshake refused: {head.splitlines()[:1]}")
                self._closed("handshake refused")
                return
            self.state = "open"
        self._parse_websocket()

    def _parse_websocket(self) -> None:
        buffer = self.inbound
        while len(buffer) >= 2 and self.sock is not None:
            first, second = buffer[0], buffer[1]
            fin, opcode = first & 0x80, first & 0x0F
            length, position = second & 0x7F, 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, position = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, position = int.from_bytes(buffer[2:10], "big"), 10
            mask = None
            if second & 0x80:
                mask, position = bytes(buffer[position: position + 4]), position + 4
            if len(buffer) < position + length:
                return
            payload = bytes(buffer[position: position + length])
            del buffer[: position + length]
            if mask:
                payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
            if opcode == websocket.ABNF.OPCODE_PING:
                self._send_ws(payload, websocket.ABNF.OPCODE_PONG)
            elif opcode == websocket.ABNF.OPCODE_CLOSE:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
                self._closed(f"close frame {code}")
                return
            elif opcode in (websocket.ABNF.OPCODE_TEXT, websocket.ABNF.OPCODE_CONT):
                self.fragments.append(payload)
                if fin:
                    message = b"".join(self.fragments).decode("utf-8")
                    self.fragments = []
                    self._on_sockjs(message)

    def _on_sockjs(self, text: str) -> None:
        kind = text[:1]
        if kind == "o":
            self.send_stomp(lobbytest.encode_frame(
                "CONNECT", {"accept-version": "1.2", "host": HOST, "heart-beat": "0,0"}))
        elif kind == "a":
            for message in json.loads(text[1:]):
                for item in self.parser.feed(message):
                    if item is not HEARTBEAT:
                        self._on_frame(item)
        elif kind == "c":
            if self.state != "closing":
                self.problems.append(f"SockJS close {text[1:]}")
            self._closed(f"sockjs close {text[1:]}")

    def _on_frame(self, frame: lobbytest.Frame) -> None:
        if frame.command == "CONNECTED":
            self.state = "connected"
            self.connected_at = time.monotonic()
            subscribe = [
                lobbytest.encode_frame("SUBSCRIBE", {"id": f"sub-{index}", "destination": destination})
                for index, destination in enumerate(lobbytest.ALL_DESTINATIONS)]
            identity = json.dumps({"sessionId": self.session_id, "clientData": self.name}, ensure_ascii=False)
            send = lobbytest.encode_frame(
                "SEND", {"destination": "/app/identity", "content-type": "application/json"}, identity)
            self.send_stomp(*subscribe, send)
        elif frame.command == "MESSAGE":
            body = frame.json()
            destination = frame.headers.get("destination")
            if destination == lobbytest.PRESENCE:
                self._on_presence(body)
            elif destination == lobbytest.REPLY:
                if body.get("type") == "welcome":
                    self.welcome = body
                    self.welcomed_at = time.monotonic()
                    self.state = "identified"
                    # Authoritative: whatever earlier events built is superseded.
                    self.members = {member["user"]: member.get("sessions", 1) for member in body["members"]}
                else:
                    self.problems.append(f"private reply {body}")
        elif frame.command == "RECEIPT":
            self.receipts.append(frame.headers.get("receipt-id", ""))
        elif frame.command == "ERROR":
            self.problems.append(f"STOMP ERROR {frame}")

    def _on_presence(self, body: dict) -> None:
        self.presence_bodies.append(body)
        self.swarm.presence_messages += 1
        if is_presence_batch(body):
            self.swarm.presence_batches += 1
        for event in presence_events(body):
            (self.events_after_welcome if self.welcome else self.events_before_welcome).append(event)
            if event.get("type") == "join" or (event.get("type") == "leave" and event.get("sessions")):
                self.members[event["user"]] = event.get("sessions") or 1
            elif event.get("type") == "leave":
                self.members.pop(event["user"], None)

    def _closed(self, how: str) -> None:
        if self.closed_how is None:
            self.closed_how = how
        self.state = "closed"
        self.swarm._unregister(self)
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    # -- ways to leave --

    def disconnect(self) -> None:
        """STOMP DISCONNECT with a receipt; the server then closes (reason `quit`)."""
        self.state = "closing"
        self.send_stomp(lobbytest.encode_frame("DISCONNECT", {"receipt": "bye"}))

    def close_frame(self) -> None:
        """A WebSocket close frame, then the socket is closed (reason `closed`)."""
        self.state = "closing"
        self._send_ws(b"\x03\xe8", websocket.ABNF.OPCODE_CLOSE)
        self._closed("closed by the client (close frame)")

    def drop(self) -> None:
        """The TCP connection just goes away (reason `closed`)."""
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._closed("dropped by the client")

    @property
    def is_closed(self) -> bool:
        return self.state == "closed"


class Swarm:
    """The clients and the one selector loop that drives them."""

    def __init__(self, server: lobbytest.LobbyServer, names: list[str]):
        self.server = server
        self.selector = selectors.DefaultSelector()
        self.clients = [SwarmClient(self, name) for name in names]
        self.presence_messages = 0
        self.presence_batches = 0
        self._registered: dict[int, int] = {}

    def _register(self, client: SwarmClient, write: bool) -> None:
        if client.sock is None:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if write else 0)
        descriptor = client.sock.fileno()
        current = self._registered.get(descriptor)
        if current == events:
            return
        if current is None:
            self.selector.register(client.sock, events, client)
        else:
            self.selector.modify(client.sock, events, client)
        self._registered[descriptor] = events

    def _unregister(self, client: SwarmClient) -> None:
        if client.sock is None:
            return
        descriptor = client.sock.fileno()
        if self._registered.pop(descriptor, None) is not None:
            self.selector.unregister(client.sock)

    def start(self) -> None:
        """Every client opens its connection now: they all connect at once."""
        for client in self.clients:
            client.start(self.server.port)

    def run_until(self, condition: Callable[[], bool], timeout: float, what: str) -> float:
        """Drives every socket until `condition()` holds; returns the seconds it took."""
        started = time.monotonic()
        deadline = started + timeout
        next_check = 0.0
        while True:
            now = time.monotonic()
            if now >= next_check:
                if condition():
                    return now - started
                next_check = now + 0.05
            if now >= deadline:
                raise TimeoutError(f"swarm: {what} not reached within {timeout}s")
            if not self._registered:
                time.sleep(0.01)
                continue
            for key, mask in self.selector.select(timeout=0.05):
                client: SwarmClient = key.data
                if mask & selectors.EVENT_WRITE:
                    client.flush()
                if mask & selectors.EVENT_READ and client.sock is not None:
                    client.readable()

    def close(self) -> None:
        for client in self.clients:
            if not client.is_closed:
                client.drop()
        self.selector.close()
