"""End-to-end tests of keys under tmux (issue 26, item 7): Home and End move the cursor (tmux
sends `ESC [1~`/`ESC [4~`, which TERM=xterm-256color's terminfo does not list), and Alt keys
(Escape then the key) never type their letter.

A real `lobby` in tmux against a real `lobby-server`; a Python client reads what was sent.
"""

from __future__ import annotations

from lobbytest import identified_client, is_chat
from tmuxtest import (
    client_command,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)


def input_row(screen: str) -> str:
    return screen.rstrip("\n").split("\n")[-1].rstrip()


def test_home_end_and_alt_keys_under_tmux(server, tmux):
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"))
    try:
        alice.wait_connected("alice", timeout=10)
        alice.type("world")
        alice.keys("Home")
        alice.type("hello ")
        alice.wait_for(lambda s: input_row(s) == "> hello world", "Home then typing at the start")
        alice.keys("End")
        alice.type("!")
        alice.wait_for(lambda s: input_row(s) == "> hello world!", "End then typing at the end")

        # Alt-x types nothing; Alt-b goes a word left; Alt-d deletes the word after the cursor.
        alice.keys("M-x")
        alice.keys("M-b")
        alice.keys("M-d")
        alice.type("there")
        alice.wait_for(lambda s: input_row(s) == "> hello there", "Alt-b, Alt-d and typing")
        alice.keys("Enter")
        bob.wait_for(is_chat("hello there", user="alice"))
    finally:
        bob.close()
