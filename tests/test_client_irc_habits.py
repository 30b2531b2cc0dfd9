"""End-to-end tests of what a WeeChat/irssi user expects of the terminal client (issue 26, item
13): `/reconnect`, `/ignore NAME` kept across restarts, and highlight words.

Real `lobby` clients in tmux against a real `lobby-server`; Python clients play the others.
Every wait is bounded.
"""

from __future__ import annotations

from lobbytest import identified_client, is_join, is_leave
from tmuxtest import (
    client_command,
    has_notice,
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
