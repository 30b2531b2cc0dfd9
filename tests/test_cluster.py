"""Several lobby-server nodes sharing one lobby on PostgreSQL (issue 11).

Each test gets a fresh database on the private PostgreSQL that `make test` starts
(LOBBY_TEST_POSTGRES_URL) and runs two or three real nodes on it, with real clients on
loopback. Leases are short (3 s) so that failover happens within a test's patience.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import string
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from lobbytest import (REPLY, REPO_ROOT, LobbyServer, identified_client, is_chat, is_error, is_join, is_leave,
                       open_client, server_binary,
                       wait_until)

BASE_URL = os.environ.get("LOBBY_TEST_POSTGRES_URL", "")
LEASE_MS = 3000

pytestmark = pytest.mark.skipif(not BASE_URL, reason="LOBBY_TEST_POSTGRES_URL is not set (make test sets it)")


def psql(url: str, sql: str) -> str:
    """Runs one statement with psql against `url` (libpq reads the same URL form)."""
    result = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
        capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {result.stderr}")
    return result.stdout.strip()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@pytest.fixture
def database():
    name = "lobby_cluster_" + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
    psql(BASE_URL, f"CREATE DATABASE {name}")
    url = with_database(BASE_URL, name)
    yield url
    psql(BASE_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def nodes(tmp_path, database):
    """`nodes("a")` starts a node with that id on the test's database; all are stopped after."""
    started: list[LobbyServer] = []

    def start(node_id: str, lease_ms: int = LEASE_MS) -> LobbyServer:
        workdir = tmp_path / f"node-{node_id}-{len(started)}"
        workdir.mkdir()
        server = LobbyServer(
            workdir, args=["--node-id", node_id, "--node-lease-ms", str(lease_ms), "--heartbeat-ms", "0"],
            database=database)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop_quietly()


@pytest.fixture
def clients():
    opened = []

    def open_(server: LobbyServer, name: str):
        client = identified_client(server, name)
        opened.append(client)
        return client

    yield open_
    for client in opened:
        client.close_abruptly()


def reconnect(clients, server: LobbyServer, name: str, timeout: float = 10.0):
    """Opens an identified client, retrying (as the terminal client does) while the node refuses."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return clients(server, name)
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def chat_ids(client, texts: set[str]) -> list[int]:
    """Ids of the chat messages with these texts that `client` received so far, in arrival order."""
    client.drain(0.05)
    return [m["id"] for m in client.messages(lambda b: b.get("type") == "message" and b.get("text") in texts)]


def test_chat_reaches_every_node_in_one_order(nodes, clients):
    a, b = nodes("a"), nodes("b")
    alice, bob, carol = clients(a, "alice"), clients(b, "bob"), clients(b, "carol")
    texts = set()
    for i in range(15):
        for speaker in (alice, bob):
            text = f"{speaker.user} {i}"
            texts.add(text)
            speaker.chat(text)
    for client in (alice, bob, carol):
        wait_until(lambda: len(chat_ids(client, texts)) == 30, timeout=15,
                   what=f"{client.user} to see all 30 messages")
    orders = {client.user: chat_ids(client, texts) for client in (alice, bob, carol)}
    assert orders["alice"] == orders["bob"] == orders["carol"], orders
    assert orders["alice"] == sorted(set(orders["alice"])), "ids must grow, with no repeats"
    # The welcome on a third node carries the same history, from the shared store.
    c = nodes("c")
    dave = clients(c, "dave")
    assert [m["id"] for m in dave.welcome["history"]][-30:] == orders["alice"]


def test_a_user_on_two_nodes_joins_once_and_leaves_once(nodes, clients):
    a, b = nodes("a"), nodes("b")
    watcher = clients(a, "watcher")
    alice_a = clients(a, "alice")
    alice_b = clients(b, "alice")
    assert {(m["user"], m["sessions"]) for m in alice_b.welcome["members"]} == {("alice", 2), ("watcher", 1)}
    # `lobby-server sessions` on the shared database lists every node's sessions, with the node.
    listed = {(record["user"], record["node"]) for record in a.sessions(all=False)}
    assert listed == {("watcher", "a"), ("alice", "a"), ("alice", "b")}
    alice_a.close_abruptly()
    watcher.drain(1.0)
    assert watcher.messages(is_leave("alice")) == [], "alice still has a session on b"
    alice_b.close_abruptly()
    leave = watcher.wait_for(is_leave("alice"), timeout=10)
    assert leave["reason"] == "closed"
    watcher.drain(0.5)
    joins = [e for e in watcher.messages(is_join("alice"))]
    assert len(joins) == 1 and len(watcher.messages(is_leave("alice"))) == 1


def test_a_killed_node_is_reaped_with_node_lost_exactly_once(nodes, clients):
    a, b = nodes("a"), nodes("b")
    watcher = clients(a, "watcher")
    bob = clients(b, "bob")
    dave_b = clients(b, "dave")
    dave_a = clients(a, "dave")  # also on a: dave stays
    watcher.wait_for(is_join("bob"))
    killed_at = time.monotonic()
    b.kill9()
    leave = watcher.wait_for(is_leave("bob"), timeout=LEASE_MS / 1000 + 5)
    took = time.monotonic() - killed_at
    assert leave["reason"] == "node-lost"
    assert took <= LEASE_MS / 1000 + 3, f"node-lost after {took:.1f}s"
    watcher.drain(LEASE_MS / 1000 + 0.5)
    assert len(watcher.messages(is_leave("bob"))) == 1
    assert watcher.messages(is_leave("dave")) == [], "dave reconnected elsewhere: no leave"
    # The node comes back under its id: nothing of the old run is announced again.
    b2 = nodes("b")
    erin = clients(b2, "erin")
    assert {m["user"] for m in erin.welcome["members"]} == {"watcher", "dave", "erin"}
    watcher.drain(0.5)
    assert len(watcher.messages(is_leave("bob"))) == 1
    del dave_b, dave_a


def test_a_node_restarted_before_its_lease_ends_its_leftovers_with_restart(nodes, clients):
    a = nodes("a")
    b = nodes("b", lease_ms=20_000)
    watcher = clients(a, "watcher")
    clients(b, "bob")
    watcher.wait_for(is_join("bob"))
    b.kill9()
    nodes("b", lease_ms=20_000)
    leave = watcher.wait_for(is_leave("bob"), timeout=10)
    assert leave["reason"] == "restart"


def test_a_paused_node_is_fenced_and_its_clients_closed(nodes, clients):
    a, b = nodes("a"), nodes("b")
    watcher = clients(a, "watcher")
    frank = clients(b, "frank")
    watcher.wait_for(is_join("frank"))
    b.process.send_signal(signal.SIGSTOP)
    try:
        leave = watcher.wait_for(is_leave("frank"), timeout=LEASE_MS / 1000 + 5)
        assert leave["reason"] == "node-lost"
    finally:
        b.process.send_signal(signal.SIGCONT)
    info = frank.wait_closed(timeout=10)
    assert info.sockjs == (1001, "Server node lost its lease")
    # The node rejoins and serves again (until then it refuses sessions with 1013, "try again",
    # and a client retries); nobody hears frank leave twice.
    frank2 = reconnect(clients, b, "frank")
    assert {m["user"] for m in frank2.welcome["members"]} == {"watcher", "frank"}
    watcher.drain(1.0)
    assert len(watcher.messages(is_leave("frank"))) == 1
    assert len(watcher.messages(is_join("frank"))) == 2


def test_a_lost_listening_connection_catches_up(nodes, clients, database):
    a, b = nodes("a"), nodes("b")
    alice, bob = clients(a, "alice"), clients(b, "bob")
    bob.chat("before")
    alice.wait_for(is_chat("before"))
    database_name = urlsplit(database).path.lstrip("/")
    # Every connection of both nodes, the listening ones included, cut from the database side.
    psql(BASE_URL, f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   f"WHERE datname = '{database_name}' AND pid <> pg_backend_pid()")
    # The first writes may be refused while the pool reconnects (one batch, refused whole):
    # bob keeps talking until some of it is stored.
    texts: set[str] = set()

    def stored():
        return chat_ids(bob, texts)

    for i in range(60):
        texts.add(f"after {i}")
        bob.chat(f"after {i}")
        if i >= 9 and stored():
            break
        time.sleep(0.25)
    wait_until(lambda: stored() and len(chat_ids(alice, texts)) == len(stored()), timeout=20,
               what="alice to catch up with what bob's node stored")
    alice.drain(1.5)
    assert chat_ids(alice, texts) == stored()
    assert len(set(chat_ids(alice, texts))) == len(chat_ids(alice, texts))


@pytest.fixture
def private_postgres(tmp_path_factory):
    """A PostgreSQL of this test's own (under /tmp, where its server user can reach it), which
    the test may stop and start again; stopped and removed after."""
    import tempfile
    directory = tempfile.mkdtemp(prefix="lobby-outage-", dir="/tmp")
    script = str(REPO_ROOT / "scripts" / "postgres-private.sh")
    url = subprocess.run([script, "start", directory], capture_output=True, text=True, timeout=120,
                         check=True).stdout.strip()

    def stop():
        subprocess.run([script, "stop", directory], capture_output=True, timeout=60, check=True)

    def restart():
        subprocess.run([script, "restart", directory], capture_output=True, timeout=120, check=True)

    yield url, stop, restart
    subprocess.run([script, "stop", directory], capture_output=True, timeout=60)
    shutil.rmtree(directory, ignore_errors=True)


def test_a_database_outage_refuses_chat_then_the_lobby_works_again(tmp_path, private_postgres):
    url, stop_database, restart_database = private_postgres
    servers = []
    opened = []
    try:
        for node_id in ("a", "b"):
            workdir = tmp_path / node_id
            workdir.mkdir()
            # A lease longer than the outage: the nodes keep their clients throughout.
            servers.append(LobbyServer(workdir, args=["--node-id", node_id, "--node-lease-ms", "60000",
                                                      "--heartbeat-ms", "0"], database=url).start())
        alice = identified_client(servers[0], "alice")
        bob = identified_client(servers[1], "bob")
        opened += [alice, bob]
        alice.chat("before")
        bob.wait_for(is_chat("before"))

        stop_database()
        alice.chat("during")
        error = alice.wait_for(is_error("store-unavailable"), timeout=30, destination=REPLY)
        assert "could not be stored" in error["message"]
        # Someone connects meanwhile: neither the session's start nor its identity can be stored.
        carol = open_client(servers[1])
        opened.append(carol)
        carol.connect(heartbeat=(0, 0))
        carol.subscribe_all()
        refused = carol.identify("carol", timeout=40)
        assert refused.get("code") == "store-unavailable", refused

        restart_database()

        def delivered():
            alice.chat("after", receipt="after")
            try:
                return bob.wait_for(is_chat("after"), timeout=2)
            except TimeoutError:
                return None

        wait_until(delivered, timeout=60, interval=0.5, what="chat to work again after the database came back")
        # carol tries again: her session's start is written first, then she is welcomed.
        welcome = carol.identify("carol", timeout=20)
        assert welcome.get("type") == "welcome", welcome
        assert {m["user"] for m in welcome["members"]} == {"alice", "bob", "carol"}
        alice.wait_for(is_join("carol"), timeout=10)
        bob.drain(1.5)
        texts = [m["text"] for m in bob.messages(lambda body: body.get("type") == "message")]
        assert "during" not in texts
        assert texts.count("before") == 1
        ids = [m["id"] for m in bob.messages(lambda body: body.get("type") == "message")]
        assert ids == sorted(set(ids)), "no message twice, in order"
        assert alice.transport_done.is_set() is False and bob.transport_done.is_set() is False
    finally:
        for client in opened:
            client.close_abruptly()
        for server in servers:
            server.stop_quietly()


def test_kick_reaches_every_node_holding_the_user(nodes, clients, tmp_path, database):
    a, b = nodes("a"), nodes("b")
    watcher = clients(a, "watcher")
    mallory_a = clients(a, "mallory")
    mallory_b = clients(b, "mallory")
    # From a directory where no server wrote an .admin file: the database names the nodes.
    elsewhere = tmp_path / "operator"
    elsewhere.mkdir()
    result = subprocess.run([str(server_binary()), "kick", "mallory", "--database", database],
                            capture_output=True, text=True, timeout=30, cwd=elsewhere)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "kicked 2 session(s)" in result.stdout
    for client in (mallory_a, mallory_b):
        assert client.wait_closed(timeout=10).sockjs == (4002, "Kicked by an operator")
    leave = watcher.wait_for(is_leave("mallory"), timeout=10)
    assert leave["reason"] == "kicked"
    watcher.drain(0.5)
    assert len(watcher.messages(is_leave("mallory"))) == 1
    # Nobody left to kick: a clear answer, exit status 1.
    again = subprocess.run([str(server_binary()), "kick", "mallory", "--database", database],
                           capture_output=True, text=True, timeout=30, cwd=elsewhere)
    assert again.returncode == 1 and "no live session matched" in again.stdout
