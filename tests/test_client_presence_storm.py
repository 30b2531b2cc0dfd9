"""The real `lobby` terminal client through a presence storm (issue 10): forty sessions identify at
once and then drop at once, so presence reaches the clients as single events and batches
(`{"type":"batch","events":[…]}`). The curses client's member pane must count everyone and then
only who is left, and `lobby --plain` must print every join and leave line exactly once."""

from __future__ import annotations

import collections

from lobbytest import measure
from swarm import Swarm
from tmuxtest import (  # noqa: F401 (server, tmux: fixtures)
    PlainLobby,
    client_command,
    member_names,
    member_title,
    server,
    tmux,
)

STORM = 40


def notices(plain: PlainLobby, arrow: str) -> collections.Counter:
    """How often each user appears in `--> USER joined` / `<-- USER left (…)` lines."""
    counts: collections.Counter = collections.Counter()
    for line in plain.output().split("\n"):
        if line.startswith(arrow + " "):
            counts[line.split(" ")[1]] += 1
    return counts


def test_terminal_clients_follow_a_storm_of_joins_and_leaves(server, tmux):
    alice = tmux.terminal("alice", client_command(server, "alice"), width=100, height=30)
    alice.wait_connected("alice", timeout=10)
    bob = PlainLobby(client_command(server, "bob", "--plain"))
    names = [f"storm{index:02d}" for index in range(STORM)]
    swarm = Swarm(server, names)
    try:
        bob.wait_line(lambda line: "connected as bob" in line, "'connected as bob'", timeout=10)
        alice.wait_members(["alice", "bob"])

        swarm.start()
        total = STORM + 2
        try:
            swarm.run_until(
                lambda: all(len(client.members) == total for client in swarm.clients)
                and member_title(alice.capture()) == f"{total} members"
                and sum(notices(bob, "-->").values()) >= STORM,
                30, f"'{total} members' in alice's pane and {STORM} joins printed by bob")
        except TimeoutError as error:
            raise AssertionError(
                f"{error}: alice's pane says {member_title(alice.capture())!r}, bob printed "
                f"{sum(notices(bob, '-->').values())} joins\n{bob.output()[-3000:]}") from None
        joined = notices(bob, "-->")
        assert joined == collections.Counter(names), f"each join printed once:\n{bob.output()}"

        for client in swarm.clients:
            client.drop()
        try:
            swarm.run_until(
                lambda: member_title(alice.capture()) == "2 members" and sum(notices(bob, "<--").values()) >= STORM,
                30, f"'2 members' in alice's pane and {STORM} leaves printed by bob")
        except TimeoutError as error:
            raise AssertionError(
                f"{error}: alice's pane says {member_title(alice.capture())!r}, bob printed "
                f"{sum(notices(bob, '<--').values())} leaves\n{bob.output()[-3000:]}") from None
        assert member_names(alice.capture()) == ["alice", "bob"]
        left = notices(bob, "<--")
        assert left == collections.Counter(names), f"each leave printed once:\n{bob.output()}"
        assert all(f"<-- {name} left (connection closed)" in bob.output() for name in names)
        measure(f"terminal clients: {STORM} joins and {STORM} leaves at once, {swarm.presence_messages} presence "
                f"MESSAGEs to the storm ({swarm.presence_batches} batches); the pane and --plain exact")
    finally:
        swarm.close()
        bob.kill()
