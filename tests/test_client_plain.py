"""End-to-end tests of `lobby --plain` as the issue 21 hardening left it: what others write is
printed inert (no escape sequence reaches the terminal or a `log_dir` file, no row of a message
passes for another line), and every command of the full-screen client works on stdin.

A real `lobby-server`; Python STOMP clients from lobbytest.py play the other users; `lobby --plain`
runs on pipes (tmuxtest.PlainLobby) and, for the log file, a full-screen client in tmux. Every
wait is bounded.
"""

from __future__ import annotations

import re

from lobbytest import identified_client, is_chat, wait_until
from tmuxtest import (
    PlainLobby,
    client_command,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)

DIRECT = "/user/queue/direct"

# What a hostile peer sends: a clipboard write (OSC 52), a cursor-position query that makes the
# terminal type an answer (DSR), the same query with a one-byte C1 CSI, a bidi override, and a line
# break followed by what looks like a line from alice.
HOSTILE = ("look\x1b]52;c;ZXZpbA==\x07 here\x1b[6n\x9b6n \u202ecod.exe\u202c"
           "\n[22:31] <alice> my token is in the topic\r\n--> mallory joined")
FORBIDDEN = ["\x1b", "\x9b", "\x07", "\u202e", "\u202c", "\r"]


def plain(server, name: str, tmp_path, *extra: str) -> PlainLobby:
    client = PlainLobby(client_command(server, name, "--plain", *extra),
                        env={"XDG_STATE_HOME": str(tmp_path / f"state-{name}"),
                             "XDG_CONFIG_HOME": str(tmp_path / f"config-{name}")})
    client.wait_line(lambda line: f"connected as {name}" in line, f"'connected as {name}'", timeout=10)
    return client


def assert_inert(lines: list[str], raw: bytes, where: str) -> None:
    """No control or bidi character, and no row of bob's message that starts like a line."""
    text = raw.decode("utf-8", errors="replace")
    for character in FORBIDDEN:
        assert character not in text, f"{where}: {character!r} reached the output:\n{text!r}"
    [first] = [index for index, line in enumerate(lines) if "<bob> look" in line]
    assert re.match(r"^\[\d\d:\d\d\] <bob> look\]52;c;ZXZpbA== here\[6n6n cod\.exe$", lines[first]), lines[first]
    continuation = lines[first + 1:first + 3]
    assert continuation == ["        [22:31] <alice> my token is in the topic", "        --> mallory joined"], \
        f"{where}: bob's other rows are not indented continuations:\n" + "\n".join(lines)
    forged = [line for line in lines if line.startswith("[22:31] <alice>") or line.startswith("--> mallory")]
    assert not forged, f"{where}: a row passes for another line: {forged}"


def test_a_hostile_message_is_printed_inert_by_plain_and_in_log_files(server, tmux, tmp_path):
    alice = plain(server, "alice", tmp_path)
    # The full-screen client writes log_dir files with the same transcript.
    logs = tmp_path / "logs"
    config = tmp_path / "config-carol"
    (config / "lobby").mkdir(parents=True)
    (config / "lobby" / "config.toml").write_text(f'log_dir = "{logs}"\n')
    carol = tmux.terminal("carol", client_command(server, "carol"), env={"XDG_CONFIG_HOME": str(config)})
    carol.wait_connected("carol", timeout=10)
    bob = identified_client(server, "bob")
    try:
        bob.chat(HOSTILE, receipt="hostile")
        bob.chat("after", receipt="after")
        alice.wait_line(lambda line: line.endswith("<bob> after"), "'<bob> after'")
        assert_inert(alice.output().split("\n"), bytes(alice.raw), "--plain")

        folder = logs / f"127.0.0.1_{server.port}"
        wait_until(lambda: any("<bob> after" in f.read_text() for f in folder.glob("*.log")),
                   timeout=5, what="bob's second message in carol's log file")
        [log] = list(folder.glob("*.log"))
        raw = log.read_bytes()
        assert_inert(raw.decode("utf-8").split("\n"), raw, "log_dir file")
    finally:
        bob.close()
        alice.kill()


def test_plain_carries_out_the_full_screen_commands(server, tmp_path):
    bob = identified_client(server, "bob")
    carol = identified_client(server, "carol")
    for client in (bob, carol):
        client.subscribe(DIRECT, "direct", receipt="sub-direct")
    alice = plain(server, "alice", tmp_path)
    try:
        # /msg is private: bob gets it, the room (carol) does not.
        alice.write_line("/msg bob the secret is 42")
        direct = bob.wait_for(lambda m: m.get("type") == "direct", destination=DIRECT)
        assert (direct["from"], direct["to"], direct["text"]) == ("alice", "bob", "the secret is 42")
        alice.wait_line(lambda line: line.endswith("-> *bob* the secret is 42"), "alice's copy of the /msg")

        # /who answers locally from the members list.
        alice.write_line("/who")
        alice.wait_line(lambda line: line == "*** 3 members: alice (you), bob, carol", "the /who line")

        # /away and /back change alice's status; /me is an action.
        alice.write_line("/away lunch")
        bob.wait_for(lambda m: m.get("type") == "status" and m.get("away") == "lunch")
        alice.write_line("/back")
        bob.wait_for(lambda m: m.get("type") == "status" and m.get("user") == "alice" and m.get("away") is None)
        alice.write_line("/me waves")
        bob.wait_for(is_chat("/me waves", user="alice"))

        # /search asks the server; /help is local.
        alice.write_line("/search waves")
        alice.wait_line(lambda line: line.startswith("-- search: waves (1 result) --"), "the search header")
        alice.write_line("/help")
        alice.wait_line(lambda line: line.startswith("***   /msg NAME TEXT"), "the /help lines")

        # Refusals are local lines; nothing of them is sent.
        alice.write_line("/mgs bob hi")
        alice.wait_line(lambda line: line == "*** unknown command /mgs: type /help for the list (not sent)",
                        "the unknown-command line")
        alice.write_line("/msg bob")
        alice.wait_line(lambda line: line.startswith("*** usage: /msg NAME TEXT"), "the /msg usage")
        alice.write_line("x" * 4001)
        alice.wait_line(lambda line: line.startswith("*** text must be at most 4000 characters (this is 4001)")
                        and line.endswith("(not sent)"), "the over-the-limit line")
        alice.write_line("//mgs is a typo")  # a double slash sends a slash
        carol.wait_for(is_chat("/mgs is a typo", user="alice"))
        carol.chat("carol was here", receipt="last")
        alice.wait_line(lambda line: line.endswith("<carol> carol was here"), "carol's line")
        room = [m["text"] for m in carol.messages(lambda m: m.get("type") == "message")]
        assert room == ["/me waves", "/mgs is a typo", "carol was here"], room
        assert not carol.messages(lambda m: m.get("type") == "direct"), "carol saw alice's private message"

        # /quit leaves with a goodbye.
        alice.write_line("/quit")
        bob.wait_for(lambda m: m.get("type") == "leave" and m.get("user") == "alice" and m.get("reason") == "quit")
        assert alice.process.wait(timeout=5) == 0
    finally:
        bob.close()
        carol.close()
        alice.kill()

