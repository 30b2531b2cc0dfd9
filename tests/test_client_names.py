"""End-to-end tests of a taken name in the terminal client (issue 26, item 1): no client is left
stuck. `lobby --plain` leaves with a clear message and status 1; the full-screen client says so
and lets the user take another name with `/nick` (or `/quit`).

A Python client claims the name first (it keeps the claim's token); the `lobby` clients have
their own empty state folders, so they hold no token. Every wait is bounded.
"""

from __future__ import annotations

from lobbytest import identified_client, is_chat, is_join, is_leave, wait_until
from tmuxtest import (
    PlainLobby,
    client_command,
    status_line,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)


def test_plain_leaves_with_a_clear_message_when_its_name_is_taken(server, tmp_path):
    owner = identified_client(server, "carol")
    other = PlainLobby(client_command(server, "carol", "--plain"), env={"XDG_STATE_HOME": str(tmp_path / "other")})
    try:
        try:
            code = other.process.wait(timeout=10)
        except Exception:  # noqa: BLE001
            raise AssertionError(f"lobby --plain is stuck on a taken name\n{other.output()}")
        assert code == 1, f"exit status {code}\n{other.output()}"
        output = other.output()
        assert "*** error: the name carol is taken on this server (name-taken)" in output, output
        assert "*** choose another name: lobby --plain --name ANOTHER" in output, output
        assert "lobby: the name carol is taken on this server" in other.stderr_so_far()
        assert "Usage:" not in other.stderr_so_far()
    finally:
        other.kill()
        owner.close()


def test_full_screen_client_with_a_taken_name_can_nick_or_quit(server, tmux, tmp_path):
    owner = identified_client(server, "carol")
    state = tmp_path / "state"
    other = tmux.terminal("other", client_command(server, "carol"), env={"XDG_STATE_HOME": str(state)})
    try:
        screen = other.wait_for_text("the name carol is taken on this server (name-taken)", timeout=10)
        assert "/nick ANOTHER or /quit" in status_line(screen), status_line(screen)
        assert "type /nick ANOTHERNAME to take another name, or /quit" in screen, screen

        # Text cannot be said without a name: it stays in the input.
        other.say("hello?")
        other.wait_for_text("not connected: message not sent")
        other.keys("C-u")

        other.say("/nick carol2")
        other.wait_connected("carol2", timeout=10)
        owner.wait_for(is_join("carol2"))
        other.say("hello as carol2")
        owner.wait_for(is_chat("hello as carol2", user="carol2"))
        # The new name's claim is this client's: its token is saved under that name.
        tokens = state / "lobby" / "tokens"
        wait_until(lambda: tokens.exists() and "\tcarol2\t" in tokens.read_text(), what="carol2's token saved")

        # A /nick to a taken name on a live session keeps the name the session has.
        other.say("/nick carol")
        other.wait_for_text("you are still carol2")
        other.say("still here")
        owner.wait_for(is_chat("still here", user="carol2"))
    finally:
        owner.close()


def test_full_screen_client_with_a_taken_name_quits(server, tmux, tmp_path):
    owner = identified_client(server, "carol")
    other = tmux.terminal("other", client_command(server, "carol"), env={"XDG_STATE_HOME": str(tmp_path / "s")})
    try:
        other.wait_for_text("the name carol is taken on this server (name-taken)", timeout=10)
        other.say("/quit")
        wait_until(other.dead, timeout=5, what="the client to exit on /quit")
        assert not owner.messages(is_leave("carol")), "carol's own session was affected"
    finally:
        owner.close()
