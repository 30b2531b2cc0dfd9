"""End-to-end tests of what a WeeChat/irssi user expects of the terminal client (issue 26, item
13): `/reconnect`, `/ignore NAME` kept across restarts, and highlight words.

Real `lobby` clients in tmux against a real `lobby-server`; Python clients play the others.
Every wait is bounded.
"""

from __future__ import annotations

import pytest

from lobbytest import LobbyServer, identified_client, is_join, is_leave, wait_until
from tmuxtest import (
    PlainLobby,
    client_command,
    has_chat,
    has_notice,
    member_names,
    server,  # noqa: F401 (fixture)
    status_line,
    tmux,  # noqa: F401 (fixture)
)


def test_reconnect_opens_a_new_session_at_once(server, tmux):
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"))
    try:
        alice.wait_connected("alice", timeout=10)
        first = status_line(alice.capture())
        bob.wait_for(is_join("alice"))
        alice.say("/reconnect")
        bob.wait_for(is_leave("alice", reason="quit"))
        bob.wait_for(is_join("alice"))
        screen = alice.wait_for(lambda s: has_notice(s, "reconnected as alice"), "'reconnected as alice'")
        assert status_line(screen) != first, "the session id in the status line did not change"
        assert "connection lost" not in screen, screen
    finally:
        bob.close()


def test_ignore_hides_a_user_and_is_kept_across_restarts(server, tmux, tmp_path):
    state = tmp_path / "state"
    mallory = identified_client(server, "mallory")
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"), env={"XDG_STATE_HOME": str(state)})
    try:
        alice.wait_connected("alice", timeout=10)
        alice.say("/ignore mallory")
        alice.wait_for_text("ignoring mallory")
        mallory.chat("buy cheap watches", receipt="spam")
        bob.chat("after the spam", receipt="after")
        screen = alice.wait_for(lambda s: has_chat(s, "bob", "after the spam"), "bob's line")
        assert "cheap watches" not in screen, screen
        assert "mallory" in member_names(screen), "an ignored user still shows as present"
        assert (state / "lobby" / "ignored").read_text() == "mallory\n"

        # A new run reads the list: mallory stays hidden.
        alice.say("/quit")
        wait_until(alice.dead, timeout=5, what="alice's client to exit")
        again = tmux.terminal("alice2", client_command(server, "alice"), env={"XDG_STATE_HOME": str(state)})
        again.wait_connected("alice", timeout=10)
        mallory.chat("still selling", receipt="spam2")
        bob.chat("second line", receipt="second")
        screen = again.wait_for(lambda s: has_chat(s, "bob", "second line"), "bob's second line")
        assert "still selling" not in screen and "cheap watches" not in screen, screen

        again.say("/unignore mallory")
        again.wait_for_text("no longer ignoring mallory")
        mallory.chat("ok I stop", receipt="stop")
        again.wait_for(lambda s: has_chat(s, "mallory", "ok I stop"), "mallory's line after /unignore")
    finally:
        mallory.close()
        bob.close()


def test_plain_ignores_too(server, tmp_path):
    mallory = identified_client(server, "mallory")
    bob = identified_client(server, "bob")
    alice = PlainLobby(client_command(server, "alice", "--plain"), env={"XDG_STATE_HOME": str(tmp_path / "state")})
    try:
        alice.wait_line(lambda line: "connected as alice" in line, "'connected as alice'", timeout=10)
        alice.write_line("/ignore mallory")
        alice.wait_line(lambda line: line.startswith("*** ignoring mallory"), "the /ignore line")
        mallory.chat("buy cheap watches", receipt="spam")
        bob.chat("after the spam", receipt="after")
        alice.wait_line(lambda line: line.endswith("<bob> after the spam"), "bob's line")
        assert "cheap watches" not in alice.output(), alice.output()
        assert (tmp_path / "state" / "lobby" / "ignored").read_text() == "mallory\n"
    finally:
        mallory.close()
        bob.close()
        alice.kill()


@pytest.fixture
def busy_server(tmp_path, request):
    """A server whose rate limit lets a test post a screenful of history at once."""
    lobby_server = LobbyServer(tmp_path, args=["--chat-rate", "10000", "--chat-burst", "10000"])
    request.node.lobby_servers = [lobby_server]
    lobby_server.start()
    try:
        yield lobby_server
    finally:
        lobby_server.stop_quietly()


def test_a_highlight_word_counts_as_a_mention(busy_server, tmux, tmp_path):
    server = busy_server
    config = tmp_path / "config"
    (config / "lobby").mkdir(parents=True)
    (config / "lobby" / "config.toml").write_text('highlight = "deploy, 배포"\n')
    bob = identified_client(server, "bob")
    for number in range(1, 41):
        bob.chat(f"filler {number:02}", receipt="last" if number == 40 else None)
    alice = tmux.terminal("alice", client_command(server, "alice"), env={"XDG_CONFIG_HOME": str(config)})
    try:
        alice.wait_connected("alice", timeout=10)
        alice.wait_for(lambda s: has_chat(s, "bob", "filler 40"), "the history")
        alice.keys("PPage")  # scrolled up, the status line counts what arrives below
        bob.chat("the deploy is done", receipt="d1")
        bob.chat("redeployment is not a word match", receipt="d2")
        bob.chat("배포 끝", receipt="d3")
        alice.wait_for(lambda s: "3 new, 2 mentions below" in status_line(s), "'3 new, 2 mentions below'")
    finally:
        bob.close()
