"""TLS (`lobby-server --tls-cert PEM --tls-key PEM`): the port then speaks only HTTPS/WSS.

A throw-away CA and a server certificate for 127.0.0.1 / localhost are made with the `openssl`
command line in the test's temp dir. The server is reached by stomp.py over wss, by an https
xhr round trip, and by the real terminal client in tmux with `--ca-file`; without the CA (or with
another CA, or a certificate for another name) the terminal client shows the verification
failure and never connects; plain http to the TLS port fails without disturbing a TLS session.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import stomp

from lobbytest import HOST, PREFIX, encode_frame, FrameParser, identified_client, is_chat, server_binary
from tmuxtest import TmuxServer, client_binary, status_line, tmux  # noqa: F401 (fixture)

OPENSSL = shutil.which("openssl")


@dataclass
class Certificates:
    ca: Path  # the CA the server's certificate chains to
    cert: Path
    key: Path
    other_ca: Path  # a CA that signed nothing the server has
    wrong_name_cert: Path  # signed by `ca`, but for other.example only
    wrong_name_key: Path


def openssl(directory: Path, *args: str) -> None:
    result = subprocess.run([OPENSSL, *args], cwd=directory, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"openssl {' '.join(args)} failed:\n{result.stderr}"


def make_ca(directory: Path, name: str) -> None:
    openssl(directory, "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=Lobby throw-away test CA {name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")


def make_server_cert(directory: Path, name: str, ca: str, alt_names: str) -> None:
    (directory / f"{name}.ext").write_text(
        f"subjectAltName={alt_names}\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    openssl(directory, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
    openssl(directory, "x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext")


@pytest.fixture
def certs(tmp_path) -> Certificates:
    if OPENSSL is None:
        pytest.fail("openssl is not installed (`make deps` installs it)")
    directory = tmp_path / "pki"
    directory.mkdir()
    make_ca(directory, "ca")
    make_ca(directory, "other-ca")
    make_server_cert(directory, "server", "ca", "IP:127.0.0.1,DNS:localhost")
    make_server_cert(directory, "wrong-name", "ca", "DNS:other.example")
    return Certificates(
        ca=directory / "ca.pem", cert=directory / "server.pem", key=directory / "server.key",
        other_ca=directory / "other-ca.pem", wrong_name_cert=directory / "wrong-name.pem",
        wrong_name_key=directory / "wrong-name.key")


@pytest.fixture
def tls_server(make_server, certs):
    server = make_server("--tls-cert", certs.cert, "--tls-key", certs.key)
    server.ca_file = certs.ca
    return server


def ca_context(certs: Certificates) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certs.ca))


def https(server, certs, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPSConnection(HOST, server.port, timeout=5, context=ca_context(certs))
    try:
        connection.request(method, path, body=body.encode() if body is not None else None)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def log_lines_above_info(server) -> list[str]:
    """StreamLogHandler lines at notice or worse (`… notice lobby: …`, `… warning …`)."""
    levels = (" notice ", " warning ", " error ", " critical ")
    return [line for line in server.log().splitlines() if any(level in line for level in levels)]


# ---------------------------------------------------------------------------------------------
# Starting
# ---------------------------------------------------------------------------------------------


def test_the_listening_line_says_https(tls_server):
    assert tls_server.scheme == "https"
    assert f"listening on https://{HOST}:{tls_server.port}{PREFIX}" in tls_server.log()


def run_server(tmp_path: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(server_binary()), "--host", HOST, "--port", "0", "--database", str(tmp_path / "refused.sqlite"),
         *map(str, args)],
        capture_output=True, text=True, timeout=20, cwd=tmp_path, stdin=subprocess.DEVNULL)


def test_bad_tls_options_stop_the_start_with_their_reason(tmp_path, certs):
    cases = [
        (("--tls-cert", certs.cert), "--tls-cert needs --tls-key"),
        (("--tls-key", certs.key), "--tls-key needs --tls-cert"),
        (("--tls-cert", tmp_path / "nope.pem", "--tls-key", certs.key), f"--tls-cert {tmp_path / 'nope.pem'}: cannot"),
        (("--tls-cert", certs.key, "--tls-key", certs.key), f"--tls-cert {certs.key}"),
        (("--tls-cert", certs.cert, "--tls-key", certs.cert), f"--tls-key {certs.cert}: not a valid PEM private key"),
        (("--tls-cert", certs.cert, "--tls-key", certs.wrong_name_key),
         f"--tls-key {certs.wrong_name_key} is not the private key of the certificate"),
    ]
    for args, expected in cases:
        result = run_server(tmp_path, *args)
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"{args}: started anyway:\n{output}"
        assert expected in output, f"{args}: expected {expected!r} in:\n{output}"
        assert "listening on" not in output


# ---------------------------------------------------------------------------------------------
# Clients that trust the CA
# ---------------------------------------------------------------------------------------------


class Recorder(stomp.ConnectionListener):
    def __init__(self):
        self.connected_headers = None
        self.messages: list[dict] = []

    def on_connected(self, frame):
        self.connected_headers = dict(frame.headers)

    def on_message(self, frame):
        self.messages.append(json.loads(frame.body))

    def wait(self, predicate, what: str, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.messages):
                if predicate(message):
                    return message
            time.sleep(0.02)
        raise TimeoutError(f"stomp.py: no {what} within {timeout}s; got {self.messages}")


def test_stomp_py_over_wss_connects_identifies_and_is_welcomed(tls_server, certs):
    # A SockJS WebSocket client over wss (the harness's own), already in the room.
    observer = identified_client(tls_server, "observer")
    connection = stomp.WSStompConnection(
        [(HOST, tls_server.port)], ws_path=f"{PREFIX}/websocket", timeout=5, reconnect_attempts_max=1)
    connection.set_ssl(for_hosts=[(HOST, tls_server.port)], ca_certs=str(certs.ca))
    recorder = Recorder()
    connection.set_listener("recorder", recorder)
    try:
        connection.connect(wait=True, headers={"heart-beat": "0,0"})
        assert recorder.connected_headers["version"] == "1.2"
        session_id = recorder.connected_headers["session"]
        for index, destination in enumerate(("/topic/chat", "/topic/presence", "/user/queue/reply")):
            connection.subscribe(destination, id=f"py-{index}", ack="auto")
        connection.send("/app/identity", json.dumps({"sessionId": session_id, "clientData": "pyuser"}),
                        content_type="application/json")
        welcome = recorder.wait(lambda m: m.get("type") == "welcome", "welcome")
        assert welcome["user"] == "pyuser" and welcome["sessionId"] == session_id
        assert {"user": "observer", "sessions": 1} in welcome["members"]
        connection.send("/app/chat", json.dumps({"text": "over wss"}), content_type="application/json")
        assert observer.wait_for(is_chat("over wss"))["user"] == "pyuser"
        recorder.wait(lambda m: m.get("type") == "message" and m.get("text") == "over wss", "own chat")
    finally:
        if connection.is_connected():
            connection.disconnect()
        observer.close_abruptly()


def test_https_info_page_and_an_xhr_round_trip(tls_server, certs):
    status, body = https(tls_server, certs, "GET", f"{PREFIX}/info")
    assert status == 200 and json.loads(body)["websocket"] is True
    status, page = https(tls_server, certs, "GET", "/")
    assert status == 200 and b"<html" in page.lower()
    assert b"http://" not in page, "the browser page must not pin plain http"
    status, iframe = https(tls_server, certs, "GET", f"{PREFIX}/iframe.html")
    assert status == 200 and b"http://" not in iframe

    base = f"{PREFIX}/000/xhrsession1/"
    status, opened = https(tls_server, certs, "POST", base + "xhr")
    assert (status, opened) == (200, b"o\n")

    parser = FrameParser()
    frames = []

    def send(*stomp_frames: str) -> None:
        status, _ = https(tls_server, certs, "POST", base + "xhr_send", json.dumps(list(stomp_frames)))
        assert status == 204

    def poll_until(command: str, predicate=lambda frame: True):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for frame in frames:
                if frame.command == command and predicate(frame):
                    return frame
            status, body = https(tls_server, certs, "POST", base + "xhr")
            assert status == 200, body
            text = body.decode()
            if text.startswith("a"):
                for message in json.loads(text[1:]):
                    frames.extend(f for f in parser.feed(message) if hasattr(f, "command"))
            assert not text.startswith("c"), text
        raise TimeoutError(f"no {command} over https xhr; got {frames}")

    send(encode_frame("CONNECT", {"accept-version": "1.2", "host": HOST, "heart-beat": "0,0"}))
    assert poll_until("CONNECTED").headers["session"] == "xhrsession1"
    send(encode_frame("SUBSCRIBE", {"destination": "/user/queue/reply", "id": "r"}),
         encode_frame("SEND", {"destination": "/app/identity", "content-type": "application/json"},
                      json.dumps({"sessionId": "xhrsession1", "clientData": "xhruser"})))
    welcome = poll_until("MESSAGE", lambda frame: frame.json().get("type") == "welcome").json()
    assert welcome["user"] == "xhruser" and welcome["sessionId"] == "xhrsession1"


def test_the_terminal_client_with_ca_file_reaches_the_tls_server(tls_server, certs, tmux):
    observer = identified_client(tls_server, "observer")
    try:
        terminal = tmux.terminal("alice", [str(client_binary()), "--server", tls_server.http_url(),
                                           "--name", "alice", "--ca-file", str(certs.ca)])
        terminal.wait_connected("alice", timeout=10)
        terminal.wait_members(["alice", "observer"])
        terminal.say("hello over tls")
        assert observer.wait_for(is_chat("hello over tls"))["user"] == "alice"
    finally:
        observer.close_abruptly()


# ---------------------------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------------------------


def assert_refused_and_not_retrying(terminal, expected: str, server) -> None:
    screen = terminal.wait_for(lambda s: expected in s, f"{expected!r} on screen", timeout=10)
    assert "connected as" not in status_line(screen)
    # The first reconnect would come within a second (backoff); an untrusted certificate gets none.
    time.sleep(2.5)
    screen = terminal.capture()
    assert "connecting" not in status_line(screen) and "reconnecting" not in status_line(screen), screen
    assert "connected as" not in status_line(screen)
    assert not terminal.dead(), "the client stays up, showing the reason, until the user quits"
    assert not [row for row in server.sessions(all=True) if row.get("user")], "nobody identified"


def test_the_terminal_client_refuses_an_untrusted_certificate(tls_server, certs, tmux):
    command = [str(client_binary()), "--server", tls_server.http_url(), "--name", "mallory"]
    plain = tmux.terminal("no-ca", command)
    assert_refused_and_not_retrying(plain, f"TLS: certificate verify failed for {HOST}", tls_server)
    other = tmux.terminal("other-ca", [*command, "--ca-file", str(certs.other_ca)])
    assert_refused_and_not_retrying(other, f"TLS: certificate verify failed for {HOST}", tls_server)
    other.keys("C-c")
    other.wait_for(lambda s: other.dead(), "the client to quit on Ctrl-C", timeout=5)


def test_the_terminal_client_refuses_a_certificate_for_another_name(make_server, certs, tmux):
    server = make_server("--tls-cert", certs.wrong_name_cert, "--tls-key", certs.wrong_name_key)
    terminal = tmux.terminal("wrong-name", [str(client_binary()), "--server", server.http_url(), "--name", "bob",
                                            "--ca-file", str(certs.ca)])
    assert_refused_and_not_retrying(terminal, "not for this host name", server)


def test_a_ca_file_for_a_plain_server_or_an_unreadable_one_is_a_usage_error(tls_server, tmp_path):
    for args, expected in [
        (("--server", "http://127.0.0.1:9/connection", "--ca-file", "/dev/null"), "--ca-file is for https://"),
        (("--server", tls_server.http_url(), "--ca-file", str(tmp_path / "nope.pem")), "--ca-file"),
    ]:
        result = subprocess.run([str(client_binary()), "--plain", *args], capture_output=True, text=True,
                                timeout=10, stdin=subprocess.DEVNULL)
        assert result.returncode != 0 and expected in result.stderr, result


def test_plain_http_to_the_tls_port_fails_and_a_tls_session_goes_on(tls_server, certs):
    bystander = identified_client(tls_server, "bystander")
    try:
        for attempt in range(3):
            with socket.create_connection((HOST, tls_server.port), timeout=5) as sock:
                sock.sendall(b"GET /connection/info HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                received = b""
                sock.settimeout(5)
                try:
                    while chunk := sock.recv(4096):
                        received += chunk
                except ConnectionResetError:
                    pass
            # At most a TLS alert record (content type 21), never an HTTP answer; then closed.
            assert not received.startswith(b"HTTP/"), received[:80]
            assert received == b"" or received[0] == 0x15, received[:80]
        bystander.chat("still here over tls", receipt="r")
        assert bystander.wait_for(is_chat("still here over tls"))["user"] == "bystander"
        assert not bystander.transport_done.is_set()
        assert tls_server.alive()
        assert log_lines_above_info(tls_server) == []
    finally:
        bystander.close_abruptly()
