"""Plain HTTP on the SockJS prefix: greeting, info, 404s, websocket URLs without an Upgrade."""

import pytest

from lobbytest import http_request, tcp_exchange


def test_greeting(server):
    response = http_request(server.port, "GET", "/connection")
    assert response.status == 200
    assert response.text == "Welcome to SockJS!\n"
    assert response.headers["content-type"].startswith("text/plain")
    assert "utf-8" in response.headers["content-type"].lower()


def test_greeting_with_trailing_slash(server):
    response = http_request(server.port, "GET", "/connection/")
    assert response.status == 200
    assert response.text == "Welcome to SockJS!\n"


def test_info_json(server):
    response = http_request(server.port, "GET", "/connection/info")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    info = response.json()
    assert info["websocket"] is True
    assert isinstance(info["cookie_needed"], bool)
    assert info["origins"] == ["*:*"]
    assert isinstance(info["entropy"], int)
    assert "no-store" in response.headers.get("cache-control", "")


def test_info_cors_echoes_origin(server):
    # An origin the default --allowed-origins accepts (a local development page).
    response = http_request(server.port, "GET", "/connection/info", {"Origin": "http://localhost:3000"})
    assert response.status == 200
    assert response.headers.get("access-control-allow-origin") == "http://localhost:3000"
    assert response.headers.get("access-control-allow-credentials") == "true"


def test_info_options_preflight(server):
    response = http_request(server.port, "OPTIONS", "/connection/info", {"Origin": "http://localhost:3000"})
    assert response.status == 204
    assert "GET" in response.headers.get("access-control-allow-methods", "")


def test_root_serves_the_browser_client(server):
    response = http_request(server.port, "GET", "/")
    assert response.status == 200
    assert response.headers.get("content-type", "").startswith("text/html")
    assert "<html" in response.text.lower() or "<!doctype html" in response.text.lower()


@pytest.mark.parametrize("path", [
    "/static/nope.js",
    "/static/../Package.swift",
    "/nope",
    "/connectionx",
    "/connection/nope",
    "/connection/000/abcdefgh/nope",
    "/connection/000/abcdefgh/websocket/extra",
    "/connection/000/abc.defgh/websocket",  # '.' is not allowed in a session id
    "/connection/0.0/abcdefgh/websocket",  # nor in a server id
])
def test_unknown_paths_are_404(server, path):
    response = http_request(server.port, "GET", path)
    assert response.status == 404, f"{path}: {response.status} {response.body!r}"


@pytest.mark.parametrize("path", ["/connection/000/abcdefgh/websocket", "/connection/websocket"])
def test_websocket_url_without_upgrade_is_400(server, path):
    response = http_request(server.port, "GET", path)
    assert response.status == 400, f"{path}: {response.status} {response.body!r}"
    assert "Upgrade" in response.text


@pytest.mark.parametrize("garbage", [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",  # a TLS ClientHello-ish start
    b"hello world\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
], ids=["tls-hello", "text", "bad-version"])
def test_garbage_on_the_http_port_gets_400_and_close(server, garbage):
    received, closed = tcp_exchange(server.port, garbage, timeout=3)
    assert received == b"" or received.startswith(b"HTTP/1.1 400"), received[:200]
    assert closed, f"the server answered {received!r} but kept the TCP connection open for 3 s"
    assert http_request(server.port, "GET", "/connection").status == 200
