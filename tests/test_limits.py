"""Connections can't be hoarded, and other sites can't drive a visitor's browser (issue 12):
`--max-connections-per-ip` (429), `--max-connections` (503), idle keep-alive connections closed
after `--request-timeout-ms`, and `--allowed-origins` (403) on WebSocket upgrades and SockJS HTTP
requests. In every test a bystander who connected first keeps chatting.

Every connection here comes from 127.0.0.1, the bystander's included, so limits are sized with it.
"""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest
import websocket

import sockjshttp
from lobbytest import HOST, PREFIX, identified_client, is_chat, wait_until

CONNECT = "CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n\n\x00"


def bystander_still_chats(bystander, label: str) -> None:
    assert not bystander.is_closed, f"bystander was disconnected: {bystander.close_info}"
    bystander.chat(label, receipt=bystander.next_receipt_id())
    assert bystander.wait_for(is_chat(label))["user"] == "bystander"


def try_held_connection(port: int) -> http.client.HTTPConnection | None:
    """A keep-alive connection that completed one request and stays open, or None if refused."""
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    connection.request("GET", f"{PREFIX}/info")
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        connection.close()
        return None
    return connection


def held_connection(port: int) -> http.client.HTTPConnection:
    """As try_held_connection, retrying while the server has yet to count down a just-closed one."""
    return wait_until(lambda: try_held_connection(port), what="a connection under the limit")


def get(port: int, path: str = f"{PREFIX}/info", headers: dict[str, str] | None = None):
    return sockjshttp.get(port, path, headers)


def closed_by_server_within(sock: socket.socket, limit: float) -> bool:
    """Whether the server closes `sock` (EOF or reset) within `limit` seconds; data is discarded."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            if not sock.recv(4096):
                return True
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True
    return False


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """One HTTP/1.1 response with a Content-Length body from a raw socket: (status, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed mid-response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, "connection closed mid-body"
        body += chunk
    return int(lines[0].split()[1]), body[:length]


# ---------------------------------------------------------------------------------------------
# Per-address and total connection limits
# ---------------------------------------------------------------------------------------------


def test_connections_beyond_the_per_ip_limit_get_429_and_slots_free_up(make_server):
    limit = 5
    server = make_server("--max-connections-per-ip", str(limit), "--request-timeout-ms", "60000")
    bystander = identified_client(server, "bystander")
    held = [held_connection(server.port) for _ in range(limit - 1)]  # the bystander is the fifth
    try:
        refused = get(server.port)
        assert refused.status == 429, refused
        assert refused.headers.get("connection") == "close"
        assert b"Too many connections" in refused.body
        # A WebSocket upgrade from the same address is refused the same way.
        with pytest.raises(websocket.WebSocketBadStatusException) as upgrade:
            websocket.create_connection(server.raw_url(), timeout=5)
        assert upgrade.value.status_code == 429
        bystander_still_chats(bystander, "while the address is full")
        # The held connections still work.
        held[0].request("GET", f"{PREFIX}/info")
        response = held[0].getresponse()
        response.read()
        assert response.status == 200
        # Closing two frees two slots (the server counts them down once it sees the close).
        for connection in held[:2]:
            connection.close()
        del held[:2]
        wait_until(lambda: get(server.port).status == 200, what="a free slot")
        held.append(held_connection(server.port))
        held.append(held_connection(server.port))
        assert get(server.port).status == 429
        bystander_still_chats(bystander, "after slots came back")
    finally:
        for connection in held:
            connection.close()
        bystander.close_abruptly()


def test_connections_beyond_the_total_limit_get_503_and_the_server_stays_responsive(make_server):
    limit = 8
    server = make_server("--max-connections", str(limit), "--max-connections-per-ip", "100",
                         "--request-timeout-ms", "60000")
    bystander = identified_client(server, "bystander")
    held = [held_connection(server.port) for _ in range(limit - 1)]
    silent: list[socket.socket] = []
    try:
        refused = get(server.port)
        assert refused.status == 503, refused
        assert refused.headers.get("connection") == "close"
        assert refused.headers.get("retry-after")
        with pytest.raises(websocket.WebSocketBadStatusException) as upgrade:
            websocket.create_connection(server.raw_url(), timeout=5)
        assert upgrade.value.status_code == 503
        # A connection over the limit that says nothing is dropped within about a second.
        silent.append(socket.create_connection((HOST, server.port)))
        assert closed_by_server_within(silent[0], 5.0)
        bystander_still_chats(bystander, "while the server is full")
        for connection in held[:3]:
            connection.close()
        del held[:3]
        wait_until(lambda: get(server.port).status == 200, what="room under the limit")
        newcomer = identified_client(server, "newcomer")
        try:
            newcomer.chat("I got in", receipt="r1")
            assert bystander.wait_for(is_chat("I got in"))["user"] == "newcomer"
        finally:
            newcomer.close_abruptly()
        bystander_still_chats(bystander, "after the server had room again")
        assert server.alive()
    finally:
        for connection in held:
            connection.close()
        for sock in silent:
            sock.close()
        bystander.close_abruptly()


# ---------------------------------------------------------------------------------------------
# Idle keep-alive connections
# ---------------------------------------------------------------------------------------------

TIMEOUT_MS = 500


def test_an_idle_keep_alive_connection_closes_and_a_busy_one_does_not(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    bystander = identified_client(server, "bystander")
    request = f"GET {PREFIX}/info HTTP/1.1\r\nHost: {HOST}:{server.port}\r\n\r\n".encode()
    idle = socket.create_connection((HOST, server.port))
    busy = socket.create_connection((HOST, server.port))
    try:
        idle.sendall(request)
        assert read_response(idle)[0] == 200
        answered_at = time.monotonic()
        # The busy one asks again every 200 ms, well past the timeout, all on one connection.
        for _ in range(10):
            busy.sendall(request)
            assert read_response(busy)[0] == 200
            time.sleep(0.2)
        assert time.monotonic() - answered_at > TIMEOUT_MS / 1000 * 2
        assert closed_by_server_within(idle, 0.1), "the idle connection was not closed"
        assert not closed_by_server_within(busy, 0.1)
        # Once quiet itself, the busy one goes too.
        assert closed_by_server_within(busy, TIMEOUT_MS / 1000 + 5)
        bystander_still_chats(bystander, "keep-alive connections came and went")
    finally:
        idle.close()
        busy.close()
        bystander.close_abruptly()


def test_an_idle_keep_alive_connection_closes_after_the_timeout_not_before(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    connection = socket.create_connection((HOST, server.port))
    try:
        connection.sendall(f"GET {PREFIX}/info HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
        assert read_response(connection)[0] == 200
        answered_at = time.monotonic()
        assert closed_by_server_within(connection, TIMEOUT_MS / 1000 + 5)
        took = time.monotonic() - answered_at
        assert TIMEOUT_MS / 1000 * 0.8 <= took, f"closed after {took:.2f}s"
    finally:
        connection.close()


def test_a_streaming_response_is_not_idle(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    session = "streamer01"
    path = sockjshttp.receive_path(PREFIX, session, "xhr_streaming")
    with sockjshttp.Stream(server.port, "POST", path) as stream:
        sockjshttp.skip_prelude(stream, "xhr_streaming")
        assert sockjshttp.next_frame(stream, "xhr_streaming") == "o"
        assert sockjshttp.send(server.port, PREFIX, session, [CONNECT]).status == 204
        kind, messages = sockjshttp.decode_frame(sockjshttp.next_frame(stream, "xhr_streaming"))
        assert kind == "a" and messages[0].startswith("CONNECTED"), messages
        # Three timeouts of silence on the streaming response: it stays open.
        assert not stream.connection_closed(timeout=TIMEOUT_MS / 1000 * 3)
        assert not stream.ended


# ---------------------------------------------------------------------------------------------
# Origins
# ---------------------------------------------------------------------------------------------

EVIL = "https://evil.example"


def session_ids(server) -> set[str]:
    return {row.get("id") for row in server.sessions(all=True)}


def test_origins_on_websocket_upgrades(make_server):
    server = make_server()
    bystander = identified_client(server, "bystander")
    own = f"http://{HOST}:{server.port}"
    try:
        for index, origin in enumerate((own, "http://localhost:3000")):
            ws = websocket.create_connection(server.sockjs_url(f"allowed0{index}"), origin=origin, timeout=5)
            assert ws.getstatus() == 101
            assert ws.recv() == "o"
            ws.close()
        ws = websocket.create_connection(server.raw_url(), suppress_origin=True, timeout=5)
        assert ws.getstatus() == 101
        ws.close()
        for origin in (EVIL, "null", f"http://{HOST}.evil.example:{server.port}"):
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                websocket.create_connection(server.sockjs_url("refused01"), origin=origin, timeout=5)
            assert refused.value.status_code == 403, origin
        bystander_still_chats(bystander, "after a refused upgrade")
        assert "refused01" not in session_ids(server)
    finally:
        bystander.close_abruptly()


def test_origins_on_http_transports_and_cors(make_server):
    # chat.example.com is one of the server's own names (issue 21: `self` follows only those,
    # never any Host a request carries).
    server = make_server("--allowed-hosts", "chat.example.com")
    bystander = identified_client(server, "bystander")
    allowed = "http://localhost:8000"
    try:
        info = get(server.port, headers={"Origin": allowed})
        assert info.status == 200
        assert info.headers.get("access-control-allow-origin") == allowed
        assert get(server.port).status == 200  # no Origin: terminal clients, stomp.py
        # The server's own origin, by any of its own names.
        for origin, host in (("https://chat.example.com", "chat.example.com"),
                             ("http://chat.example.com:8080", "chat.example.com:8080")):
            response = get(server.port, headers={"Origin": origin, "Host": host})
            assert response.status == 200, (origin, host)
            assert response.headers.get("access-control-allow-origin") == origin
        for origin in (EVIL, "null", "https://chat.example.com:8443"):
            refused = get(server.port, headers={"Origin": origin, "Host": "chat.example.com"})
            assert refused.status == 403, origin
            assert "access-control-allow-origin" not in refused.headers
            assert b"Origin not allowed" in refused.body
        # xhr: a foreign page opens no session; an allowed one does and gets the CORS echo.
        refused = sockjshttp.post(server.port, f"{PREFIX}/000/evilxhr01/xhr", headers={"Origin": EVIL})
        assert refused.status == 403
        assert sockjshttp.send(server.port, PREFIX, "evilxhr01", [CONNECT]).status == 404
        opened = sockjshttp.post(server.port, f"{PREFIX}/000/goodxhr01/xhr", headers={"Origin": allowed})
        assert opened.status == 200 and opened.body == b"o\n"
        assert opened.headers.get("access-control-allow-origin") == allowed
        # Sending into an existing session from a foreign page is refused too.
        refused_send = sockjshttp.post(server.port, f"{PREFIX}/000/goodxhr01/xhr_send", json.dumps([CONNECT]),
                                       headers={"Origin": EVIL, "Content-Type": "text/plain"})
        assert refused_send.status == 403
        preflight = sockjshttp.request(server.port, "OPTIONS", f"{PREFIX}/000/x/xhr", headers={"Origin": EVIL})
        assert preflight.status == 403
        bystander_still_chats(bystander, "after refused origins")
        assert "evilxhr01" not in session_ids(server)
    finally:
        bystander.close_abruptly()


def test_any_origin_with_star_and_an_explicit_list(make_server):
    anything = make_server("--allowed-origins", "*")
    for origin in (EVIL, "null"):
        response = get(anything.port, headers={"Origin": origin})
        assert response.status == 200
        assert response.headers.get("access-control-allow-origin") == origin
    ws = websocket.create_connection(anything.raw_url(), origin=EVIL, timeout=5)
    assert ws.getstatus() == 101
    ws.close()

    listed = make_server("--allowed-origins", "https://chat.example.com")
    assert get(listed.port, headers={"Origin": "https://chat.example.com"}).status == 200
    # An explicit list replaces the default: local pages are refused unless listed (or `self`).
    assert get(listed.port, headers={"Origin": f"http://{HOST}:{listed.port}"}).status == 403
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(listed.raw_url(), timeout=5)  # websocket-client sends its own origin
    assert refused.value.status_code == 403
