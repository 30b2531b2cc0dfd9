"""End-to-end tests of issue 26, item 9 in the terminal client: the gap /clear leaves is marked
when PgUp loads older history, your own away state is on the status line, a bare /away reads
"is away", and /msg to an away user shows their away message (in --plain too).

Real `lobby` clients (tmux and --plain) against a real `lobby-server`; Python clients play the
others. Every wait is bounded.
"""

from __future__ import annotations

from lobbytest import identified_client
from tmuxtest import PlainLobby, client_command, has_chat, message_area, status_line
from tmuxtest import server, tmux  # noqa: F401 (fixtures)


def test_clear_then_page_up_marks_the_gap(make_server, tmux):
    server = make_server("--history", "2")
    bob = identified_client(server, "bob")
    try:
        for n in range(1, 5):
            bob.chat(f"old {n}", receipt=f"old-{n}")
        alice = tmux.terminal("alice", client_command(server, "alice"))
        alice.wait_connected("alice", timeout=10)
        alice.wait_for(lambda s: has_chat(s, "bob", "old 4"), "the welcome's history")
        alice.say("/clear")
        alice.wait_for(lambda s: not has_chat(s, "bob", "old 4"), "an empty message area")
        alice.keys("PPage")
        screen = alice.wait_for(lambda s: has_chat(s, "bob", "old 2"), "the page before the cleared lines")
        rows = [row.strip() for row in message_area(screen)]
        marker = next(index for index, row in enumerate(rows) if row == "-- cleared with /clear --")
        older = next(index for index, row in enumerate(rows) if row.endswith("<bob> old 2"))
        assert older < marker, rows
        assert not has_chat(screen, "bob", "old 3"), "cleared lines came back"
    finally:
        bob.close()


def test_own_away_state_and_away_notices(server, tmux):
    bob = identified_client(server, "bob")
    try:
        bob.send_json("/app/status", {"away": "lunch"})
        alice = tmux.terminal("alice", client_command(server, "alice"))
        alice.wait_connected("alice", timeout=10)
        alice.say("/msg bob are you there?")
        alice.wait_for_text("bob is away: lunch")

        alice.say("/away")
        screen = alice.wait_for(lambda s: "[away]" in status_line(s), "'[away]' on the status line")
        assert any(row.strip().endswith("--- alice is away") for row in message_area(screen)), screen
        assert "is away: away" not in screen, screen
        alice.say("/back")
        alice.wait_for(lambda s: "[away" not in status_line(s), "the status line without [away]")
    finally:
        bob.close()


def test_plain_shows_an_away_users_message_after_msg(server):
    bob = identified_client(server, "bob")
    alice = PlainLobby(client_command(server, "alice", "--plain"))
    try:
        bob.send_json("/app/status", {"away": "lunch"})
        alice.wait_line(lambda line: line.startswith("*** connected as alice"), "connected")
        alice.write_line("/msg bob hi")
        alice.wait_line(lambda line: line == "*** bob is away: lunch", "bob's away message")
        bob.send_json("/app/status", {"away": "away"})
        alice.wait_line(lambda line: line == "--- bob is away", "a bare away read plainly")
    finally:
        bob.close()
        alice.kill()
