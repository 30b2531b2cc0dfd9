"""End-to-end tests of `/set` (issue 26, item 13): a change is saved to config.toml, keeping the
file's comments, other keys and mode, takes effect at once where it can, and is there after the
client restarts; a bad value changes nothing.

A real `lobby-server`; `lobby --plain` on pipes and the full-screen client in tmux. Every wait is
bounded.
"""

from __future__ import annotations

import os
import re

from lobbytest import identified_client
from tmuxtest import (
    PlainLobby,
    client_command,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)

ORIGINAL = '# my lobby\nbell = true   # ring on mentions\nfilter = "all"\n'


def config_file(tmp_path):
    path = tmp_path / "config" / "lobby" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(ORIGINAL)
    os.chmod(path, 0o600)
    return path


def plain(server, tmp_path) -> PlainLobby:
    client = PlainLobby(client_command(server, "alice", "--plain"),
                        env={"XDG_STATE_HOME": str(tmp_path / "state"),
                             "XDG_CONFIG_HOME": str(tmp_path / "config")})
    client.wait_line(lambda line: "connected as alice" in line, "'connected as alice'", timeout=10)
    return client


def test_plain_set_saves_bell_and_it_survives_a_restart(server, tmp_path):
    path = config_file(tmp_path)
    alice = plain(server, tmp_path)
    try:
        alice.write_line("/set bell false")
        alice.wait_line(lambda line: line.startswith("*** bell = false (saved to ") and str(path) in line,
                        "the /set reply")
        assert path.read_text() == '# my lobby\nbell = false\nfilter = "all"\n'
        assert os.stat(path).st_mode & 0o777 == 0o600, "the file's mode was not kept"

        # A bad value is refused with the parser's words, and the file is untouched.
        alice.write_line("/set bell maybe")
        alice.wait_line(lambda line: line.startswith("*** /set bell: bell must be true or false")
                        and "nothing changed" in line, "the refusal")
        alice.write_line("/set colour true")
        alice.wait_line(lambda line: line.startswith("*** /set: unknown setting colour"), "the unknown key")
        assert path.read_text() == '# my lobby\nbell = false\nfilter = "all"\n'

        # A new key is appended; server waits for the next start and says so.
        alice.write_line("/set server http://127.0.0.1:1/connection")
        alice.wait_line(lambda line: "takes effect at the next start" in line, "the next-start note")
        assert path.read_text().endswith('\nserver = "http://127.0.0.1:1/connection"\n')
        path.write_text(path.read_text().replace('server = "http://127.0.0.1:1/connection"\n', ""))
    finally:
        alice.write_line("/quit")
        alice.process.wait(timeout=15)
        alice.kill()

    # A new client reads the saved value.
    alice = plain(server, tmp_path)
    try:
        alice.write_line("/set bell")
        alice.wait_line(lambda line: line == "*** bell = false", "the saved bell after the restart")
        alice.write_line("/set")
        alice.wait_line(lambda line: line.startswith("*** settings in "), "the list's header")
        alice.wait_line(lambda line: line == '***   filter = "all"', "filter in the list")
        alice.wait_line(lambda line: line.startswith("***   timestamp is not set"), "an unset key in the list")
    finally:
        alice.write_line("/quit")
        alice.process.wait(timeout=15)
        alice.kill()


def test_full_screen_set_applies_at_once_and_survives_a_restart(server, tmux, tmp_path):
    path = config_file(tmp_path)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    alice = tmux.terminal("alice", client_command(server, "alice"), env=env)
    alice.wait_connected("alice", timeout=10)
    alice.say("/set bell false")
    alice.wait_for_text("bell = false (saved to")
    assert path.read_text() == '# my lobby\nbell = false\nfilter = "all"\n'

    # timestamp applies at once: the next message shows seconds.
    alice.say("/set timestamp %H:%M:%S")
    alice.wait_for_text('timestamp = "%H:%M:%S" (saved to')
    bob = identified_client(server, "bob")
    bob.chat("with seconds", receipt="seconds")
    alice.wait_for(lambda screen: re.search(r"\d\d:\d\d:\d\d .*<bob> with seconds|"
                                            r"\d\d:\d\d:\d\d bob.*with seconds", screen),
                   "bob's message with seconds")
    bob.disconnect()
    bob.close()

    alice.say("/quit")
    alice.wait_for(lambda _: not alice.exists() or alice.dead(), "the client to leave")
    alice.kill()
    again = tmux.terminal("alice2", client_command(server, "alice"), env=env)
    again.wait_connected("alice", timeout=10)
    again.say("/set bell")
    again.wait_for_text("bell = false")
    assert "bell = false" in path.read_text()
