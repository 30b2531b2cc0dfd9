"""End-to-end tests of the terminal client's chat features (issue 13): private messages, away,
history on demand, search, the configuration file, bracketed paste and reconnect flaps.

Real `lobby` clients in tmux panes against a real `lobby-server`; Python clients from
lobbytest.py play the other side where the test needs to control the connection. Every wait is
bounded and polls the screen.
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from lobbytest import LobbyServer, identified_client, wait_until
from tmuxtest import (
    TmuxServer,
    client_binary,
    client_command,
    has_chat,
    has_notice,
    message_area,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)

WIDTH, HEIGHT = 100, 30
DATED_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d <(?P<user>[^>]+)> (?P<text>.*)$")


@pytest.fixture
def config_home(tmp_path):
    """XDG_CONFIG_HOME for the clients: empty unless a test writes a config.toml into it."""
    home = tmp_path / "xdg-config"
    (home / "lobby").mkdir(parents=True)
    return home


@pytest.fixture
def busy_server(tmp_path, request):
    """A server whose rate limit lets a test post hundreds of messages at once."""
    lobby_server = LobbyServer(tmp_path, args=["--chat-rate", "10000", "--chat-burst", "10000"])
    request.node.lobby_servers = [lobby_server]
    lobby_server.start()
    try:
        yield lobby_server
    finally:
        lobby_server.stop_quietly()


def open_client(tmux: TmuxServer, server: LobbyServer, config_home, name: str):
    terminal = tmux.terminal(name, client_command(server, name), width=WIDTH, height=HEIGHT,
                             env={"XDG_CONFIG_HOME": str(config_home)})
    terminal.wait_connected(name, timeout=10)
    return terminal


def post_messages(server: LobbyServer, count: int, special: dict[int, str] | None = None) -> None:
    """`count` room messages from a Python client called poster ("message 001"…), the last with
    a receipt so they are all stored when this returns."""
    poster = identified_client(server, "poster")
    try:
        for number in range(1, count + 1):
            text = (special or {}).get(number, f"message {number:03}")
            poster.chat(text, receipt="last" if number == count else None, timeout=20)
    finally:
        poster.close()


def message_rows(screen: str) -> list[str]:
    return [row.strip() for row in message_area(screen)]


def test_private_message_reaches_its_recipient_only(server, tmux, config_home):
    alice = open_client(tmux, server, config_home, "alice")
    bob = open_client(tmux, server, config_home, "bob")
    carol = open_client(tmux, server, config_home, "carol")
    alice.wait_members(["alice", "bob", "carol"])

    alice.say("/msg bob the cake is in the fridge")
    bob.wait_for(lambda s: any(r.endswith("*alice* the cake is in the fridge") for r in message_rows(s)),
                 "'*alice* the cake is in the fridge' on bob's screen")
    alice.wait_for(lambda s: any(r.endswith("-> *bob* the cake is in the fridge") for r in message_rows(s)),
                   "'-> *bob* the cake is in the fridge' on alice's screen")
    # Something public after it: once carol sees that, she would have seen the private one.
    alice.say("public again")
    screen = carol.wait_for(lambda s: has_chat(s, "alice", "public again"), "'<alice> public again' on carol's")
    assert "fridge" not in screen, f"a third user saw a private message\n{carol.screen_text()}"

    # A user who is not connected: said plainly.
    alice.say("/msg nobody hello?")
    alice.wait_for(lambda s: any(r.endswith("-!- nobody is not here") for r in message_rows(s)),
                   "the not-here error on alice's screen")


def test_away_is_seen_in_another_users_who(server, tmux, config_home):
    alice = open_client(tmux, server, config_home, "alice")
    bob = open_client(tmux, server, config_home, "bob")
    bob.wait_members(["alice", "bob"])

    alice.say("/away lunch")
    bob.wait_for(lambda s: has_notice(s, "--- alice is away: lunch"), "'--- alice is away: lunch' on bob's")
    bob.say("/who")
    bob.wait_for(lambda s: any("alice (away: lunch)" in r for r in message_rows(s)), "/who with alice away")

    alice.say("/back")
    bob.wait_for(lambda s: has_notice(s, "--- alice is back"), "'--- alice is back' on bob's")


def test_page_up_reaches_the_first_of_300_messages(busy_server, tmux, config_home):
    post_messages(busy_server, 300)
    alice = open_client(tmux, busy_server, config_home, "alice")
    alice.wait_for(lambda s: has_chat(s, "poster", "message 300"), "the newest message replayed")

    def at_beginning(screen: str) -> bool:
        rows = message_rows(screen)
        return "-- beginning of history --" in rows and any(r.endswith("<poster> message 001") for r in rows)

    screen = alice.capture()
    # 300 messages at ~26 rows a page and three history requests: far fewer than 80 presses.
    for _ in range(80):
        if at_beginning(screen):
            break
        alice.keys("PPage")
        time.sleep(0.1)  # the screen after the key (and any history answer)
        screen = alice.capture()
    alice.wait_for(at_beginning, "'-- beginning of history --' above '<poster> message 001'", timeout=10)
    rows = message_rows(alice.last_screen)
    first = next(i for i, r in enumerate(rows) if r.endswith("<poster> message 001"))
    assert rows[first + 1].endswith("<poster> message 002"), alice.screen_text()


def test_search_finds_a_message_older_than_the_replayed_history(busy_server, tmux, config_home):
    post_messages(busy_server, 120, special={7: "the secret password is swordfish"})
    alice = open_client(tmux, busy_server, config_home, "alice")
    screen = alice.wait_for(lambda s: has_chat(s, "poster", "message 120"), "the newest message replayed")
    assert "swordfish" not in screen

    alice.say("/search swordfish")
    screen = alice.wait_for(lambda s: "-- search: swordfish (1 result) --" in message_rows(s),
                            "the search header")
    dated = [DATED_LINE.match(r) for r in message_rows(screen)]
    found = [m for m in dated if m]
    assert [(m["user"], m["text"]) for m in found] == [("poster", "the secret password is swordfish")], \
        alice.screen_text()


def test_config_file_supplies_the_server_and_name(server, tmux, config_home, tmp_path):
    logs = tmp_path / "logs"
    (config_home / "lobby" / "config.toml").write_text(
        f'# written by the test\nserver = "{server.http_url()}"\nname = "dora"\nbell = false\n'
        f'timestamp = "%H:%M:%S"\nlog_dir = "{logs}"\n')
    dora = tmux.terminal("dora", [str(client_binary())], width=WIDTH, height=HEIGHT,
                         env={"XDG_CONFIG_HOME": str(config_home)})
    dora.wait_connected("dora", timeout=10)
    dora.say("written down")
    dora.wait_for(lambda s: any(re.match(r"^\d\d:\d\d:\d\d <dora> written down$", r) for r in message_rows(s)),
                  "'<dora> written down' with seconds in its time")
    # log_dir: one file per server and day, lines as --plain prints them.
    folder = logs / f"127.0.0.1_{server.port}"
    wait_until(lambda: any("<dora> written down" in f.read_text() for f in folder.glob("*.log")),
               timeout=5, what="the message in the log file")
    [log] = list(folder.glob("*.log"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d\.log", log.name), log.name
    assert "*** connected as dora" in log.read_text(), log.read_text()

    # $LOBBY_NAME overrides the file; --name overrides both.
    erin = tmux.terminal("erin", [str(client_binary())], width=WIDTH, height=HEIGHT,
                         env={"XDG_CONFIG_HOME": str(config_home), "LOBBY_NAME": "erin"})
    erin.wait_connected("erin", timeout=10)
    fred = tmux.terminal("fred", [str(client_binary()), "--name", "fred"], width=WIDTH, height=HEIGHT,
                         env={"XDG_CONFIG_HOME": str(config_home), "LOBBY_NAME": "erin"})
    fred.wait_connected("fred", timeout=10)

    # A bad line is a clear error naming the file and the line, before the screen is taken.
    (config_home / "lobby" / "config.toml").write_text('name = "dora"\nbell = maybe\n')
    result = subprocess.run([str(client_binary())], capture_output=True, text=True, timeout=10,
                            env={"XDG_CONFIG_HOME": str(config_home), "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "config.toml: line 2: values are" in result.stderr, result.stderr


def test_a_pasted_three_line_message_arrives_as_one(server, tmux, config_home):
    alice = open_client(tmux, server, config_home, "alice")
    bob = open_client(tmux, server, config_home, "bob")
    alice.wait_members(["alice", "bob"])

    tmux.tmux("set-buffer", "first line\nsecond line\nthird line")
    tmux.tmux("paste-buffer", "-p", "-t", alice.target)
    alice.wait_for(lambda s: s.rstrip("\n").split("\n")[-1].rstrip() == "> first line↵second line↵third line",
                   "the paste in alice's input line")
    alice.keys("Enter")

    def one_message(screen: str) -> bool:
        rows = message_area(screen)
        for index, row in enumerate(rows[:-2]):
            if re.match(r"^\d\d:\d\d <alice> first line$", row):
                return rows[index + 1] == "      second line" and rows[index + 2] == "      third line"
        return False

    bob.wait_for(one_message, "one message of three lines on bob's screen")
    assert not has_chat(bob.last_screen, "alice", "second line"), bob.screen_text()


def test_a_flapping_connection_reads_is_back(server, tmux, config_home):
    alice = open_client(tmux, server, config_home, "alice")
    bob = identified_client(server, "bob")
    alice.wait_members(["alice", "bob"])
    bob.close_abruptly()  # no goodbye: the server records the leave as `closed`
    alice.wait_for(lambda s: has_notice(s, "<-- bob left (connection closed)"), "bob's leave")
    bob = identified_client(server, "bob")
    try:
        alice.wait_for(lambda s: has_notice(s, "--> bob is back"), "'--> bob is back' on alice's screen")
        joins = [r for r in message_rows(alice.last_screen) if r.endswith("--> bob joined")]
        assert len(joins) == 1, f"the rejoin was shown as another join\n{alice.screen_text()}"
    finally:
        bob.close()
