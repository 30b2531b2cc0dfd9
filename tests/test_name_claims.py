"""Names belong to whoever claimed them (docs/protocol.md, "Name claims").

The first identity for a free name claims it and its welcome carries the claim's secret
(`token`); a later identity for the name without that secret, or with a wrong one, gets the
private error `name-taken`, stays connected and unidentified, and nobody hears of it. Run on
SQLite and, when LOBBY_TEST_POSTGRES_URL is set, on PostgreSQL; the terminal client is driven
in tmux and keeps its token in $XDG_STATE_HOME/lobby/tokens.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time

import pytest

import lobbytest
from lobbytest import LobbyServer, identified_client, is_error, is_join, open_client, server_binary
from tmuxtest import client_command, tmux  # noqa: F401 (fixture)
from test_cluster import BASE_URL, psql, with_database
from test_interop import stomp_py_connection

STORES = ["sqlite", "postgres"]


@pytest.fixture(params=STORES)
def store(request):
    """The `--database` of the test: a SQLite file in the test's folder, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    if not BASE_URL:
        pytest.skip("LOBBY_TEST_POSTGRES_URL is not set (make test sets it)")
    name = "lobby_names_" + os.urandom(5).hex()
    psql(BASE_URL, f"CREATE DATABASE {name}")
    yield with_database(BASE_URL, name)
    psql(BASE_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def start(make_server, store):
    return lambda *args: make_server("--heartbeat-ms", "0", *args, database=store)


@pytest.fixture
def opened():
    clients = []

    def open_(server, name=None, token=lobbytest.KNOWN_TOKEN):
        client = open_client(server)
        clients.append(client)
        client.connect(heartbeat=(0, 0))
        client.subscribe_all()
        if name is not None:
            client.reply = client.identify(name, token=token)
        return client

    yield open_
    for client in clients:
        client.close_abruptly()


def names(server: LobbyServer, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(server_binary()), "names", *args, "--database", str(server.database)],
        capture_output=True, text=True, timeout=30)


def test_first_identity_claims_and_others_are_refused_quietly(start, opened):
    server = start()
    alice = opened(server, "alice", token=None)
    assert alice.reply["type"] == "welcome"
    token = alice.reply.get("token")
    assert isinstance(token, str) and len(token) >= 22, alice.reply  # ≥ 128 bits

    thief = opened(server, "alice", token=None)
    assert thief.reply["type"] == "error" and thief.reply["code"] == "name-taken", thief.reply
    assert "alice" in thief.reply["message"]
    wrong = opened(server, "alice", token=token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert wrong.reply["code"] == "name-taken", wrong.reply

    # Refused sessions stay connected and unidentified: chat is refused, nobody heard a join.
    thief.send_json("/app/chat", {"text": "I am alice"})
    thief.wait_for(is_error("not-identified"))
    alice.drain(0.3)
    assert not alice.messages(is_join("alice")), "a refused identity was announced"
    assert not alice.messages(lobbytest.is_chat("I am alice"))
    assert not thief.is_closed and not wrong.is_closed

    # The refused session may pick another name.
    retry = thief.identify("alice2", token=None)
    assert retry["type"] == "welcome" and retry["user"] == "alice2" and retry.get("token")
    alice.wait_for(is_join("alice2"))


def test_the_token_opens_more_sessions_of_the_same_user(start, opened):
    server = start()
    first = opened(server, "alice", token=None)
    token = first.reply["token"]
    second = opened(server, "alice", token=token)
    assert second.reply["type"] == "welcome", second.reply
    assert "token" not in second.reply, "an existing claim hands out no new secret"
    assert {m["user"]: m["sessions"] for m in second.reply["members"]}["alice"] == 2
    first.close_abruptly()
    # Once the first session is gone, the token still opens the name.
    third = opened(server, "alice", token=token)
    assert third.reply["type"] == "welcome", third.reply


def test_an_unused_claim_lapses(start, opened):
    # 0.00003 days = 2.6 s: a claim not used for that long is free again.
    server = start("--name-claim-days", "0.00003")
    alice = opened(server, "alice", token=None)
    old_token = alice.reply["token"]
    alice.close()
    assert opened(server, "alice", token=None).reply["code"] == "name-taken"
    time.sleep(3.0)
    newcomer = opened(server, "alice", token=None)
    assert newcomer.reply["type"] == "welcome", newcomer.reply
    assert newcomer.reply["token"] != old_token
    assert opened(server, "alice", token=old_token).reply["code"] == "name-taken"


def test_claims_can_be_turned_off(start, opened):
    server = start("--name-claim-days", "0")
    first = opened(server, "alice", token=None)
    assert first.reply["type"] == "welcome" and "token" not in first.reply
    assert opened(server, "alice", token=None).reply["type"] == "welcome"


def test_operator_lists_and_releases_claims(start, opened):
    server = start()
    opened(server, "alice", token=None)
    opened(server, "bob", token=None)
    listed = names(server, "--json")
    assert listed.returncode == 0, listed.stderr
    claims = json.loads(listed.stdout)
    assert [c["name"] for c in claims] == ["alice", "bob"]
    assert all("token" not in json.dumps(c).lower() and "hash" not in json.dumps(c).lower() for c in claims)
    table = names(server)
    assert table.returncode == 0 and "alice" in table.stdout and "LAST USED" in table.stdout, table

    released = names(server, "release", "alice")
    assert released.returncode == 0, released.stderr
    assert [c["name"] for c in json.loads(names(server, "--json").stdout)] == ["bob"]
    again = names(server, "release", "alice")
    assert again.returncode != 0 and "no claim" in again.stderr, again
    # Anyone may claim the released name now.
    assert opened(server, "alice", token=None).reply["type"] == "welcome"


def test_hostile_tokens_are_refused_without_harm(start, opened):
    server = start()
    opened(server, "alice", token=None)
    for token in ["", "x" * 30_000, "\u0000", "é" * 50, "a\nb"]:
        client = opened(server, "alice", token=token)
        assert client.reply["code"] == "name-taken", (token[:20], client.reply)
    # A token that is not a string is bad JSON for the identity.
    client = opened(server)
    client.send_json("/app/identity", {"sessionId": client.session_id, "clientData": "alice", "token": 42})
    client.wait_for(is_error("invalid-json"))
    assert server.alive()
    assert identified_client(server, "bystander").welcome


def test_terminal_client_keeps_and_reuses_its_token(start, tmux, tmp_path):  # noqa: F811
    server = start()
    state = tmp_path / "carol-state"
    terminal = tmux.terminal("carol", client_command(server, "carol"), env={"XDG_STATE_HOME": str(state)})
    terminal.wait_connected("carol", timeout=10)
    token_file = state / "lobby" / "tokens"
    lobbytest.wait_until(token_file.exists, what="the token file")
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700
    fields = token_file.read_text().strip().split("\t")
    assert fields[:2] == [server.http_url(), "carol"] and len(fields[2]) >= 22, fields

    # Someone else (no token) cannot be carol, and is told so plainly.
    other = tmux.terminal("other", client_command(server, "carol"), env={"XDG_STATE_HOME": str(tmp_path / "other")})
    other.wait_for_text("carol is taken on this server", timeout=10)

    # carol closes her terminal and comes back: the stored token makes her carol again.
    terminal.kill()
    again = tmux.terminal("carol2", client_command(server, "carol"), env={"XDG_STATE_HOME": str(state)})
    again.wait_connected("carol", timeout=10)
    assert token_file.read_text().count("\n") == 1, "no second token was issued"


def test_stomp_py_sends_the_token_in_the_identity(start):
    server = start()
    first = open_client(server)
    try:
        first.connect(heartbeat=(0, 0))
        first.subscribe_all()
        token = first.identify("dora", token=None)["token"]
        for sent, expected in [(None, "error"), (token, "welcome")]:
            connection, recorder = stomp_py_connection(server)
            try:
                session_id = recorder.connected_headers["session"]
                connection.subscribe("/user/queue/reply", id="reply", ack="auto")
                identity = {"sessionId": session_id, "clientData": "dora"}
                if sent:
                    identity["token"] = sent
                connection.send("/app/identity", json.dumps(identity), content_type="application/json")
                reply = recorder.message(lambda m: m.get("type") in ("welcome", "error"), what="reply")
                assert reply["type"] == expected, reply
                if expected == "error":
                    assert reply["code"] == "name-taken"
            finally:
                connection.disconnect()
    finally:
        first.close_abruptly()


def test_a_chat_sent_right_behind_the_identity_waits_for_it(start, opened):
    server = start()
    listener = opened(server, "listener", token=None)
    client = opened(server)
    # No wait between the two SENDs: the chat must be handled as the identified user.
    client.identify("fast", wait=False, token=None)
    client.send_json("/app/chat", {"text": "right behind"}, receipt="behind")
    client.wait_receipt("behind")
    listener.wait_for(lobbytest.is_chat("right behind", "fast"))
    assert not client.messages(is_error()), client.messages(is_error())


def test_the_names_table_lines_up_wide_names(start, opened):
    """Issue 26: `lobby-server names` and `sessions` misaligned Korean and emoji names (two
    terminal cells a character). Columns are padded by display width."""
    import unicodedata

    def cells(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    server = start()
    for name in ("alice", "김민지", "Zoë"):
        assert opened(server, name, token=None).reply["type"] == "welcome"
    table = names(server)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("NAME"), lines
    # The CLAIMED column (an ISO time, starting with the year) starts at one display column on
    # every row.
    starts = {cells(line[:line.index("20")]) for line in lines[1:]}
    assert len(starts) == 1, lines
    assert cells(lines[0][:lines[0].index("CLAIMED")]) in starts, lines
    sessions = subprocess.run(
        [str(server_binary()), "sessions", "--database", str(server.database)],
        capture_output=True, text=True, timeout=30)
    rows = sessions.stdout.splitlines()
    transport_columns = {cells(row[:row.index("websocket")]) for row in rows[1:]}
    assert len(transport_columns) == 1 and cells(rows[0][:rows[0].index("TRANSPORT")]) in transport_columns, rows
