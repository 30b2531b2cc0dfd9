"""SockJS transport rules: duplicate session ids, and the SockJS protocol test services."""

import json
import time

import pytest
import websocket

from lobbytest import http_request, is_chat, is_leave, random_session_id


def test_duplicate_session_id_is_refused_and_the_first_is_unaffected(server, clients):
    observer = clients.identified(server, "observer", "raw")
    first = clients.identified(server, "alice")
    second = clients.sockjs(server, session_id=first.session_id, expect_open=False)
    info = second.wait_closed()
    assert info.sockjs == (2010, "Another connection still open"), (info, second.raw_messages)
    # The first session is untouched: still connected, still identified, still receives chat.
    assert not first.is_closed
    first.chat("still here", receipt="f1")
    assert observer.wait_for(is_chat("still here"))["user"] == "alice"
    observer.chat("to alice", receipt="o1")
    first.wait_for(is_chat("to alice"))
    observer.drain(0.3)
    assert observer.messages(is_leave("alice")) == []


def test_session_id_is_free_again_after_the_session_ended(server, clients):
    session_id = random_session_id()
    first = clients.identified(server, "alice", session_id=session_id)
    first.disconnect()
    first.wait_closed()
    again = clients.identified(server, "alice", session_id=session_id)
    assert again.welcome["sessionId"] == session_id


@pytest.fixture
def test_services(make_server):
    return make_server("--sockjs-test-services")


def test_echo_service_echoes(test_services, clients):
    echo = clients.sockjs(test_services, prefix="/echo")
    echo.send_text(json.dumps(["hello", "한국어 👩‍👩‍👧"], ensure_ascii=False))
    echo.send_text(json.dumps(["\u2028 escaped"], ensure_ascii=True))

    def echoed():
        texts = []
        for message in echo.raw_messages:
            if message.startswith("a"):
                texts.extend(json.loads(message[1:]))
        return texts

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(echoed()) < 3:
        time.sleep(0.02)
    assert echoed() == ["hello", "한국어 👩‍👩‍👧", "\u2028 escaped"]
    assert not any("\u2028" in m for m in echo.raw_messages), "U+2028 must be escaped by the server"


def test_echo_service_greeting_and_info(test_services):
    assert http_request(test_services.port, "GET", "/echo").text == "Welcome to SockJS!\n"
    assert http_request(test_services.port, "GET", "/echo/info").json()["websocket"] is True


def test_close_service_sends_open_then_go_away(test_services, clients):
    closing = clients.sockjs(test_services, prefix="/close", expect_open=False)
    info = closing.wait_closed()
    assert closing.raw_messages[:2] == ["o", 'c[3000,"Go away!"]'], closing.raw_messages
    assert info.sockjs == (3000, "Go away!")


def test_disabled_websocket_echo(test_services):
    info = http_request(test_services.port, "GET", "/disabled_websocket_echo/info").json()
    assert info["websocket"] is False
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(
            test_services.sockjs_url(random_session_id(), prefix="/disabled_websocket_echo"), timeout=5)
    assert refused.value.status_code == 404


def test_cookie_needed_echo_info(test_services):
    info = http_request(test_services.port, "GET", "/cookie_needed_echo/info").json()
    assert info["cookie_needed"] is True


def test_test_services_are_off_by_default(server):
    assert http_request(server.port, "GET", "/echo").status == 404
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.sockjs_url(random_session_id(), prefix="/echo"), timeout=5)
    assert refused.value.status_code == 404


def test_custom_prefix(make_server, clients):
    server = make_server("--prefix", "/chat/ws")
    assert http_request(server.port, "GET", "/chat/ws").text == "Welcome to SockJS!\n"
    assert http_request(server.port, "GET", "/connection").status == 404
    client = clients.sockjs(server, prefix="/chat/ws")
    assert client.connect().command == "CONNECTED"
