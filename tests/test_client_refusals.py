"""End-to-end tests of the full-screen client's refusals (issue 26, item 6): text over the limit
and an unknown command are refused in the client with a clear line, nothing is sent, and the
typed line stays in the input to be corrected.

A real `lobby` in tmux against a real `lobby-server`; a Python client checks that nothing
reached the room. Every wait is bounded.
"""

from __future__ import annotations

from lobbytest import identified_client, is_chat
from tmuxtest import (
    client_command,
    has_chat,
    has_notice,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)

WIDTH, HEIGHT = 120, 30


def input_row(screen: str) -> str:
    return screen.rstrip("\n").split("\n")[-1].rstrip()


def test_an_over_long_message_and_an_unknown_command_stay_in_the_input(server, tmux):
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"), width=WIDTH, height=HEIGHT)
    try:
        alice.wait_connected("alice", timeout=10)

        # 4 001 characters, pasted (bracketed paste: one key) then Enter.
        tmux.tmux("set-buffer", "x" * 4000 + "y")
        tmux.tmux("paste-buffer", "-p", "-t", alice.target)
        alice.wait_for(lambda s: input_row(s).endswith("xxxy"), "the paste in alice's input line")
        alice.keys("Enter")
        screen = alice.wait_for(lambda s: "(this is 4001)" in s, "the over-the-limit line")
        assert "text must be at most 4000 characters" in screen, screen
        assert input_row(screen).endswith("xxxy"), f"the long line left the input:\n{screen}"

        # Emptied with Ctrl-U, then a typo of a command: a hint, and the line stays.
        alice.keys("C-u")
        alice.type("/mgs bob hi")
        alice.keys("Enter")
        screen = alice.wait_for(
            lambda s: has_notice(s, "unknown command /mgs: type /help for the list (not sent)"),
            "the unknown-command hint")
        assert input_row(screen) == "> /mgs bob hi", f"the command left the input:\n{screen}"

        # Nothing of either reached the room: the next real line is the first bob sees.
        alice.keys("C-u")
        alice.say("a real line")
        alice.wait_for(lambda s: has_chat(s, "alice", "a real line"), "alice's own line")
        bob.wait_for(is_chat("a real line", user="alice"))
        said = [m["text"] for m in bob.messages(lambda m: m.get("type") == "message")]
        assert said == ["a real line"], said
    finally:
        bob.close()
