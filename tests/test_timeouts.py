"""Connections that never finish speaking are not kept for ever (`--request-timeout-ms`): a TCP
connection with no request head, or half of one, and a WebSocket that never sends STOMP CONNECT,
are closed after the timeout, while a bystander keeps chatting."""

from __future__ import annotations

import socket
import time

import websocket

from lobbytest import HOST, PREFIX, identified_client, is_chat

TIMEOUT_MS = 800


def closed_by_server_after(sock: socket.socket, started: float, limit: float = 10.0) -> float:
    """Seconds from `started` until the server closes `sock` (EOF or reset); fails after `limit`."""
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    return time.monotonic() - started


def test_silent_and_half_sent_requests_are_closed_and_others_go_on(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    bystander = identified_client(server, "bystander")
    opened_at = time.monotonic()
    silent = socket.create_connection((HOST, server.port))
    half = socket.create_connection((HOST, server.port))
    half.sendall(b"GET /connection/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: never ends
    try:
        for sock in (silent, half):
            took = closed_by_server_after(sock, opened_at)
            assert TIMEOUT_MS / 1000 * 0.9 <= took <= TIMEOUT_MS / 1000 + 5, f"closed after {took:.2f}s"
        # A slow but complete request is served, and the bystander was never disturbed.
        bystander.chat("still here", receipt="r")
        assert bystander.wait_for(is_chat("still here"))["user"] == "bystander"
    finally:
        silent.close()
        half.close()
        bystander.close_abruptly()


def test_a_websocket_that_never_sends_connect_is_closed(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    for url in (f"ws://{HOST}:{server.port}{PREFIX}/websocket",
                f"ws://{HOST}:{server.port}{PREFIX}/000/quietsession/websocket"):
        ws = websocket.create_connection(url, timeout=10)
        started = time.monotonic()
        try:
            while True:
                opcode, _ = ws.recv_data(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    break
        except (websocket.WebSocketConnectionClosedException, ConnectionResetError):
            pass
        took = time.monotonic() - started
        ws.close()
        assert took <= TIMEOUT_MS / 1000 + 5, f"{url}: open for {took:.2f}s without CONNECT"
        assert took >= TIMEOUT_MS / 1000 * 0.5, f"{url}: closed after {took:.2f}s, before the timeout"
    # The session row ends as a timeout, unidentified.
    rows = [r for r in server.sessions(all=True) if r.get("id") == "quietsession"]
    assert rows and rows[-1].get("reason") == "timeout", rows


def test_a_client_that_connects_in_time_is_unaffected(make_server):
    server = make_server("--request-timeout-ms", str(TIMEOUT_MS))
    alice = identified_client(server, "alice")
    try:
        time.sleep(TIMEOUT_MS / 1000 * 2)
        alice.chat("after the timeout", receipt="r")
        assert alice.wait_for(is_chat("after the timeout"))["user"] == "alice"
        assert not alice.transport_done.is_set()
    finally:
        alice.close_abruptly()
