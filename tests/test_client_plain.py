"""End-to-end tests of `lobby --plain` as the issue 21 hardening left it: what others write is
printed inert (no escape sequence reaches the terminal or a `log_dir` file, no row of a message
passes for another line).

A real `lobby-server`; Python STOMP clients from lobbytest.py play the other users; `lobby --plain`
runs on pipes (tmuxtest.PlainLobby) and, for the log file, a full-screen client in tmux. Every
wait is bounded.
"""

from __future__ import annotations

import re

from lobbytest import identified_client, wait_until
from tmuxtest import (
    PlainLobby,
    client_command,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)

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

