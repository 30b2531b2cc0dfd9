"""End-to-end tests of the terminal client across lost connections and a server restart (issue
26, items 2, 3 and 4): members unknown while disconnected, a restart said once, members who were
there all along not shown as joins, a client-side send queue so 30 lines typed quickly all arrive.

Real `lobby` clients (tmux and --plain) against a real `lobby-server` that is killed and started
again on the same port and database; Python clients play the others. Every wait is bounded.
"""

from __future__ import annotations

import subprocess

from lobbytest import identified_client, is_chat, open_client, server_binary, wait_until
from tmuxtest import (
    PlainLobby,
    client_command,
    has_notice,
    member_names,
    member_title,
    server,  # noqa: F401 (fixture)
    tmux,  # noqa: F401 (fixture)
)


def reidentified(server, name):
    """`name` on `server`, with the claim secret the first server handed out (the same database)."""
    client = open_client(server)
    client.connect(heartbeat=(0, 0))
    client.subscribe_all()
    assert client.identify(name)["type"] == "welcome"
    return client


def test_a_server_restart_is_one_line_and_members_there_all_along_are_not_joins(make_server, tmux):
    first = make_server()
    bob = identified_client(first, "bob")
    carol = identified_client(first, "carol")
    alice = tmux.terminal("alice", client_command(first, "alice"))
    others = [bob, carol]
    try:
        alice.wait_connected("alice", timeout=10)
        alice.wait_members(["alice", "bob", "carol"])
        port = first.port
        first.kill9()

        screen = alice.wait_for(lambda s: member_title(s) == "(disconnected)", "the pane's (disconnected) title",
                                timeout=30)
        assert member_names(screen) == ["alice", "bob", "carol"], "the last list known is shown (greyed)"
        alice.say("/who")
        alice.wait_for_text("who is here is unknown while disconnected")

        second = make_server("--port", str(port))
        others.append(reidentified(second, "carol"))  # back before alice: no line at all
        others.append(identified_client(second, "dave"))  # new while alice was away: a join
        alice.wait_for(lambda s: has_notice(s, "reconnected as alice"), "'reconnected as alice'", timeout=40)
        others.append(reidentified(second, "bob"))  # back after alice: 'is back'
        screen = alice.wait_for(lambda s: has_notice(s, "--> bob is back"), "'bob is back'")
        assert has_notice(screen, "-!- server restarted"), screen
        assert has_notice(screen, "--> dave joined"), screen
        assert not has_notice(screen, "--> carol joined") and not has_notice(screen, "--> bob joined"), screen
        alice.wait_members(["alice", "bob", "carol", "dave"])
    finally:
        for client in others:
            client.close()


def test_plain_says_the_list_is_unknown_and_the_restart(make_server):
    first = make_server()
    bob = identified_client(first, "bob")
    alice = PlainLobby(client_command(first, "alice", "--plain"))
    others = [bob]
    try:
        alice.wait_line(lambda line: line.startswith("*** connected as alice"), "connected")
        port = first.port
        first.kill9()
        alice.wait_line(lambda line: line.startswith("*** disconnected"), "disconnected", timeout=30)
        alice.write_line("/who")
        alice.wait_line(lambda line: "unknown while disconnected" in line, "/who while disconnected")
        second = make_server("--port", str(port))
        alice.wait_line(lambda line: line == "*** server restarted", "the restart line", timeout=40)
        others.append(reidentified(second, "bob"))
        alice.wait_line(lambda line: line == "--> bob is back", "'bob is back'")
        assert "--> bob joined" not in alice.output()
    finally:
        for client in others:
            client.close()
        alice.kill()


def test_thirty_lines_typed_quickly_all_arrive_in_order(server, tmux):
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"))
    try:
        alice.wait_connected("alice", timeout=10)
        for n in range(1, 31):
            alice.say(f"line {n:02}")
        wanted = [f"line {n:02}" for n in range(1, 31)]
        bob.wait_for(is_chat("line 30", user="alice"), timeout=20)
        bob.drain(0.5)
        assert [m["text"] for m in bob.messages(is_chat(user="alice"))] == wanted
        screen = alice.capture()
        assert "rate-limited" not in screen and "too fast" not in screen, screen
    finally:
        bob.close()


def test_plain_sends_thirty_piped_lines_before_it_leaves(server):
    bob = identified_client(server, "bob")
    alice = PlainLobby(client_command(server, "alice", "--plain"))
    try:
        for n in range(1, 31):
            alice.write_line(f"piped {n:02}")
        alice.close_stdin()
        wait_until(lambda: alice.process.poll() is not None, timeout=20, what="--plain to leave")
        bob.wait_for(is_chat("piped 30", user="alice"), timeout=5)
        bob.drain(0.5)
        assert [m["text"] for m in bob.messages(is_chat(user="alice"))] == [f"piped {n:02}" for n in range(1, 31)]
        assert "too fast" not in alice.output(), alice.output()
    finally:
        bob.close()
        alice.kill()


def run_kick(server, name):
    return subprocess.run([str(server_binary()), "kick", name, "--database", str(server.database)],
                          capture_output=True, text=True, timeout=20)


def test_a_kicked_client_lists_nobody(server, tmux):
    bob = identified_client(server, "bob")
    alice = tmux.terminal("alice", client_command(server, "alice"))
    try:
        alice.wait_connected("alice", timeout=10)
        alice.wait_members(["alice", "bob"])
        assert run_kick(server, "alice").returncode == 0
        screen = alice.wait_for(lambda s: member_title(s) == "(disconnected)", "the pane's (disconnected) title")
        assert member_names(screen) == [], screen
        alice.say("/who")
        alice.wait_for_text("who is here is unknown while disconnected")
    finally:
        bob.close()
