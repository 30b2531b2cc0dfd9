"""End-to-end tests of the `lobby` command line (issue 26, item 8): the forms `--server` accepts,
`--version`, and errors said without the usage text.

A real `lobby-server`; `lobby --plain` on pipes. Every wait is bounded.
"""

from __future__ import annotations

import subprocess

from lobbytest import server_binary
from tmuxtest import (
    PlainLobby,
    client_binary,
    server,  # noqa: F401 (fixture)
)


def run_client(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(client_binary()), *args], capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL, env=env)


def test_server_accepts_host_port_and_urls_without_a_path(server, tmp_path):
    for typed in [f"127.0.0.1:{server.port}", f"http://127.0.0.1:{server.port}",
                  f"ws://127.0.0.1:{server.port}/", server.http_url()]:
        client = PlainLobby([str(client_binary()), "--plain", "--server", typed, "--name", "dora"],
                            env={"XDG_STATE_HOME": str(tmp_path / "state")})
        try:
            client.wait_line(lambda line: "connected as dora" in line, f"'connected as dora' with --server {typed}",
                             timeout=10)
            client.close_stdin()
            assert client.process.wait(timeout=5) == 0
        finally:
            client.kill()


def test_version_is_the_servers():
    client = run_client("--version")
    served = subprocess.run([str(server_binary()), "--version"], capture_output=True, text=True, timeout=10)
    assert client.returncode == 0, client
    assert client.stdout.strip() and client.stdout.strip() == served.stdout.strip(), (client, served)


def test_errors_are_said_without_the_usage_text(tmp_path):
    config = tmp_path / "config"
    (config / "lobby").mkdir(parents=True)
    (config / "lobby" / "config.toml").write_text("bell = maybe\n")
    cases = [
        (("--plain", "--server", "ftp://example.org"), {}, "ftp:// is not http, https, ws or wss"),
        (("--plain", "--server", "127.0.0.1:99999"), {}, "127.0.0.1:99999 is not a server address"),
        (("--plain",), {"LOBBY_SERVER": "http://"}, "it names no host"),
        (("--plain",), {"XDG_CONFIG_HOME": str(config)}, "config.toml: line 1"),
        (("--plain", "--server", "https://127.0.0.1:9/connection", "--ca-file", str(tmp_path / "nope.pem")), {},
         "nope.pem"),
    ]
    for args, env, expected in cases:
        result = run_client(*args, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env})
        assert result.returncode != 0, result
        assert expected in result.stderr, result
        assert "Usage:" not in result.stderr, result
