"""WebSocket-level behaviour: fragmented messages, ping/pong, server pings, close handshake."""

import json
import time

import pytest
import websocket

from lobbytest import encode_frame, is_chat, is_leave, is_welcome, wait_until

KINDS = ["sockjs", "raw"]


@pytest.mark.parametrize("kind", KINDS)
def test_fragmented_messages_are_reassembled(server, clients, kind):
    observer = clients.identified(server, "observer")
    client = clients.open(server, kind)
    client.connect()
    client.subscribe_all()
    identity = encode_frame(
        "SEND", {"destination": "/app/identity"},
        json.dumps({"sessionId": client.session_id, "clientData": "fragmenté_한국"}, ensure_ascii=False))
    message = json.dumps([identity], ensure_ascii=False) if kind == "sockjs" else identity
    client.send_fragmented(message, pieces=7)  # splits inside multi-byte characters too
    assert client.wait_for(is_welcome())["user"] == "fragmenté_한국"
    chat = encode_frame("SEND", {"destination": "/app/chat"}, json.dumps({"text": "in pieces"}))
    client.send_fragmented(json.dumps([chat]) if kind == "sockjs" else chat, pieces=3)
    observer.wait_for(is_chat("in pieces", "fragmenté_한국"))


@pytest.mark.parametrize("kind", KINDS)
def test_oversized_fragmented_message_is_refused(server, clients, kind):
    observer = clients.identified(server, "observer")
    client = clients.identified(server, "hoarder", kind)
    chat = encode_frame("SEND", {"destination": "/app/chat"}, json.dumps({"text": "z" * (200 * 1024)}))
    try:
        client.send_fragmented(json.dumps([chat]) if kind == "sockjs" else chat, pieces=50)
    except (OSError, websocket.WebSocketConnectionClosedException):
        pass  # the server may close while we are still sending (the reader thread saw it first)
    info = client.wait_closed()
    assert observer.wait_for(is_leave("hoarder"))["reason"] == "closed", info
    observer.drain(0.2)
    assert observer.messages(is_chat(user="hoarder")) == []
    assert server.alive()


@pytest.mark.parametrize("kind", KINDS)
def test_client_ping_is_answered_with_pong(server, clients, kind):
    client = clients.open(server, kind)
    client.ping(b"ping-42")
    wait_until(lambda: b"ping-42" in client.pongs_received, what="pong")


def test_server_pings_every_heartbeat_interval(make_server, clients):
    server = make_server("--heartbeat-ms", "200")
    client = clients.raw(server)
    client.connect(heartbeat=(0, 0))
    time.sleep(1.0)
    assert client.pings_received >= 3, client.pings_received
    assert not client.is_closed


@pytest.mark.parametrize("kind", KINDS)
def test_close_handshake_is_answered(server, clients, kind):
    client = clients.identified(server, "closer", kind)
    client.ws.send_close(1000, b"bye")
    info = client.wait_closed()
    assert info.how in ("close-frame", "sockjs-close") and info.ws_code is not None, info
