"""End-to-end tests of the `lobby` command line and settings (issue 26, items 8 and 10): the forms
`--server` accepts, `--version`, errors said without the usage text, and `log_dir` files (`~` as
`$HOME`, every line timestamped, an outage written once).

A real `lobby-server`; `lobby --plain` on pipes. Every wait is bounded.
"""

from __future__ import annotations

import re
import subprocess
import time

from lobbytest import identified_client, server_binary, wait_until
from tmuxtest import (
    PlainLobby,
    client_binary,
    client_command,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
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


def test_log_dir_under_home_with_timestamps_and_one_line_per_outage(server, tmux, tmp_path):
    home = tmp_path / "home"
    config = tmp_path / "config"
    (config / "lobby").mkdir(parents=True)
    (config / "lobby" / "config.toml").write_text('log_dir = "~/chatlogs"\n')
    alice = tmux.terminal("alice", client_command(server, "alice"),
                          env={"HOME": str(home), "XDG_CONFIG_HOME": str(config)})
    alice.wait_connected("alice", timeout=10)
    bob = identified_client(server, "bob")
    bob.chat("hello log", receipt="hello")
    bob.disconnect()
    bob.close()
    folder = home / "chatlogs" / f"127.0.0.1_{server.port}"  # ~ is $HOME, not the account's home
    wait_until(lambda: any("<-- bob left" in f.read_text() for f in folder.glob("*.log")),
               timeout=5, what="bob's leave in alice's log under $HOME")
    [log] = list(folder.glob("*.log"))
    text = log.read_text()
    for line in ["--> bob joined", "<bob> hello log", "<-- bob left (quit)", "*** connected as alice"]:
        assert re.search(r"^\[\d\d:\d\d\] " + re.escape(line), text, re.MULTILINE), f"{line!r} unstamped:\n{text}"

    # The server goes away: attempts go on (at least three in 3.5 s), the log says it once.
    server.terminate()
    time.sleep(3.5)
    text = log.read_text()
    assert len(re.findall(r"\*\*\* disconnected", text)) == 1, text
    assert "attempt" not in text, text


def test_a_wrong_path_says_where_to_look(server, tmp_path):
    client = PlainLobby([str(client_binary()), "--plain", "--server", f"http://127.0.0.1:{server.port}/chat",
                         "--name", "dora"], env={"XDG_STATE_HOME": str(tmp_path / "state")})
    try:
        client.wait_line(lambda line: "is that its SockJS endpoint (by default /connection)?" in line
                         and f"127.0.0.1:{server.port}/chat" in line, "the hint about the path", timeout=10)
    finally:
        client.kill()
