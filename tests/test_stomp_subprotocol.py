"""STOMP subprotocol negotiation on the WebSocket handshake of the STOMP endpoints: the 101
selects the highest of `v10.stomp`/`v11.stomp`/`v12.stomp` the client offered (as Spring does),
nothing when nothing known was offered, and the echo test service never selects one."""

from __future__ import annotations

import base64
import os
import socket

import pytest
import websocket

from lobbytest import PREFIX, random_session_id


def handshake(port: int, path: str, offered: str | None) -> tuple[str, dict[str, str]]:
    """A raw upgrade request; returns the status line and the response headers."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
             f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if offered is not None:
        lines.append(f"Sec-WebSocket-Protocol: {offered}")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk, f"closed during the handshake: {data!r}"
            data += chunk
    status, *rest = data.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    return status, {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in rest)}


@pytest.mark.parametrize("offered, selected", [
    ("v10.stomp, v11.stomp, v12.stomp", "v12.stomp"),
    ("v12.stomp", "v12.stomp"),
    ("v10.stomp,v11.stomp", "v11.stomp"),
    ("mqtt, v10.stomp", "v10.stomp"),
    ("mqtt", None),
    ("V12.STOMP", None),  # subprotocol names are case-sensitive
    (None, None),
])
def test_stomp_endpoints_select_the_highest_offered_stomp_subprotocol(server, offered, selected):
    for path in (f"{PREFIX}/websocket", f"{PREFIX}/000/{random_session_id()}/websocket"):
        status, headers = handshake(server.port, path, offered)
        assert status.startswith("HTTP/1.1 101"), (path, status)
        assert headers.get("sec-websocket-protocol") == selected, (path, offered, headers)


def test_echo_service_selects_no_subprotocol(make_server):
    server = make_server("--sockjs-test-services")
    status, headers = handshake(server.port, "/echo/websocket", "v12.stomp")
    assert status.startswith("HTTP/1.1 101") and "sec-websocket-protocol" not in headers, headers


def test_strict_client_offering_stomp_subprotocols_connects_and_speaks_stomp(server):
    """websocket-client refuses a 101 that does not select one of the offered subprotocols."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}{PREFIX}/websocket", timeout=5,
                                     subprotocols=["v10.stomp", "v11.stomp", "v12.stomp"])
    try:
        assert ws.getsubprotocol() == "v12.stomp"
        ws.send("CONNECT\naccept-version:1.0,1.1,1.2\nhost:127.0.0.1\n\n\0")
        reply = ws.recv()
        assert reply.startswith("CONNECTED\n") and "version:1.2" in reply, reply
    finally:
        ws.close()
