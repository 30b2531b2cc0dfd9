"""Issue 21: what a hostile peer could do, each attack answered as docs/protocol.md says.

Every test keeps a bystander chatting with receipts (`bystander_receipt_seconds`) and fails if
the attack slowed it past 2 s or hurt it. Tests where the store matters run on SQLite and, when
LOBBY_TEST_POSTGRES_URL is set (make test sets it), on PostgreSQL.
"""

from __future__ import annotations

import http.client
import os
import time

import pytest

import lobbytest
from lobbytest import (CHAT, HOST, REPLY, is_chat, is_error, is_join, is_leave, open_client, random_session_id,
                       wait_until)
from test_name_claims import store  # noqa: F401 (fixture: SQLite, or a fresh PostgreSQL database)

DIRECT = "/user/queue/direct"


@pytest.fixture
def start(make_server, store):
    return lambda *args: make_server("--heartbeat-ms", "0", *args, database=store)


def bystander_receipt_seconds(bystander, label: str) -> float:
    """A chat with a receipt from the bystander; how long until its receipt came back."""
    receipt = bystander.next_receipt_id()
    began = time.monotonic()
    bystander.chat(label, receipt=receipt)
    return time.monotonic() - began


def assert_bystander_fine(server, bystander, label: str) -> None:
    assert server.alive(), f"lobby-server died:\n{server.log_tail()}"
    assert not bystander.is_closed, bystander.close_info
    seconds = bystander_receipt_seconds(bystander, label)
    assert seconds < 2.0, f"the bystander's receipt took {seconds:.2f} s"
    bystander.wait_for(is_chat(label, "bystander"))


def anonymous(server, clients, kind="sockjs"):
    client = clients.open(server, kind)
    client.connect()
    client.subscribe_all()
    return client


# -- names --


@pytest.mark.parametrize("look_alike", [
    "Alice", "ALICE", "\u0430lice",  # Cyrillic а
    "\uff41\uff4c\uff49\uff43\uff45",  # fullwidth
])
def test_look_alikes_of_a_claimed_name_are_taken(start, clients, look_alike):
    server = start()
    bystander = clients.identified(server, "bystander")
    alice = anonymous(server, clients)
    welcome = alice.identify("alice", token=None)
    assert welcome["type"] == "welcome" and welcome.get("token"), welcome
    thief = anonymous(server, clients)
    reply = thief.identify(look_alike, token=None)
    assert reply["type"] == "error" and reply["code"] == "name-taken", reply
    # With the claim's token the owner may type the name another way: still one user.
    again = anonymous(server, clients)
    reply = again.identify(look_alike, token=welcome["token"])
    assert reply["type"] == "welcome", reply
    assert [m["user"] for m in reply["members"]].count("alice") == 1
    assert not [m for m in reply["members"] if m["user"] == look_alike]
    bystander.drain(0.3)
    assert not bystander.messages(is_join(look_alike))
    assert_bystander_fine(server, bystander, "names held")


@pytest.mark.parametrize("name, reason", [
    ("alice\u034f", "U+034F"),  # combining grapheme joiner
    ("alice\ufe0f", "U+FE0F"),  # variation selector
    ("alice\u180e", "U+180E"),  # Mongolian vowel separator
    ("alice\u17b4", "U+17B4"),  # Khmer inherent vowel
    ("\u0301\u0302\u0303", "a letter or a digit"),
    ("a" + "\u0301" * 600, "64 bytes"),
    ("al ice", "without spaces"),
    ("\U0001F600", "a letter or a digit"),
])
def test_names_that_hide_or_break_commands_are_invalid(server, clients, name, reason):
    bystander = clients.identified(server, "bystander")
    client = anonymous(server, clients)
    reply = client.identify(name, token=None)
    assert reply["type"] == "error" and reply["code"] == "invalid-name", reply
    assert reason in reply["message"], reply
    assert_bystander_fine(server, bystander, "still here")


def test_msg_to_a_look_alike_reaches_the_listed_user(server, clients):
    bob = clients.identified(server, "bob")
    bob.subscribe(DIRECT, id="direct", receipt="sub-direct")
    alice = clients.identified(server, "alice")
    alice.send_json("/app/direct", {"to": "BOB", "text": "psst"}, receipt="d1")
    alice.wait_receipt("d1")
    direct = bob.wait_for(lambda body: body.get("type") == "direct", destination=DIRECT)
    assert direct["to"] == "bob" and direct["text"] == "psst", direct


def squat(server, clients, name: str, watcher):
    """A session that uses `name` without a reply queue (so without a claim), once `watcher`
    saw it join."""
    squatter = clients.open(server)
    squatter.connect()
    squatter.subscribe(CHAT, id="chat")
    squatter.identify(name, token=None, wait=False)
    watcher.wait_for(is_join(name))
    return squatter


def test_a_name_used_unclaimed_is_ended_when_its_owner_claims_it(start, clients):
    """The first row of the issue: a session without a reply queue used a free name; when the
    owner claimed it, the first kept speaking as the owner and received their private messages."""
    server = start()
    bystander = clients.identified(server, "bystander")
    squatter = squat(server, clients, "dora", bystander)
    owner = anonymous(server, clients)
    owner.subscribe(DIRECT, id="direct", receipt="sub-direct")
    welcome = owner.identify("dora", token=None)
    assert welcome["type"] == "welcome" and welcome.get("token"), welcome
    squatter.wait_closed()
    bystander.send_json("/app/direct", {"to": "dora", "text": "for dora only"}, receipt="d")
    bystander.wait_receipt("d")
    owner.wait_for(lambda body: body.get("text") == "for dora only", destination=DIRECT)
    assert not [f for f in squatter.received if "for dora only" in f.text]
    # Nobody saw dora leave: her owner's session holds the name.
    bystander.drain(0.3)
    assert not bystander.messages(is_leave("dora"))
    assert_bystander_fine(server, bystander, "no squatters")


# -- subscriptions --


def test_one_subscription_per_destination(server, clients):
    bystander = clients.identified(server, "bystander")
    greedy = clients.identified(server, "greedy", "raw")
    # 300, under the frame flood limit (a burst of 400): the 3 000 were paced the same way.
    for index in range(300):
        greedy.send_frame("SUBSCRIBE", {"destination": CHAT, "id": f"again-{index}"})
    greedy.send_frame("SUBSCRIBE", {"destination": CHAT, "id": "last", "receipt": "subscribed"})
    greedy.wait_receipt("subscribed", timeout=30)
    refusal = greedy.wait_for(is_error("already-subscribed"), destination=REPLY)
    assert CHAT in refusal["message"]
    assert_bystander_fine(server, bystander, "once only")
    greedy.drain(0.5)
    copies = [f for f in greedy.received if f.command == "MESSAGE" and "once only" in f.text]
    assert len(copies) == 1, len(copies)
    assert not greedy.is_closed


# -- outbound memory --


def test_readers_that_never_read_cost_bounded_memory(make_server, clients):
    """Clients with tiny receive buffers ask for history pages of large messages and never
    read: each is ended `slow` once its queue would pass --max-queued-bytes, whatever the frame
    size, and the server neither crashes nor keeps their backlog. (The kernel's send buffer,
    up to 4 MiB on loopback, takes the first pages: they ask until they are cut off. `make bench`
    measures 40 of them.)"""
    server = make_server("--heartbeat-ms", "0", "--chat-rate", "1000", "--chat-burst", "1000")
    bystander = clients.identified(server, "bystander")
    lobbytest.store_largest_messages(server)
    bystander.drain(1.0)
    before = lobbytest.rss_kib(server.process.pid)
    sleepers = [clients.keep(lobbytest.non_reading_client(server, f"sleeper{index}")) for index in range(10)]
    for _ in range(60):
        open_sleepers = [s for s in sleepers if not s.is_closed]
        if not open_sleepers:
            break
        for sleeper in open_sleepers:
            try:
                sleeper.send_json("/app/history", {"limit": 200})
            except Exception:
                pass  # the server ended it meanwhile
        time.sleep(0.2)
    wait_until(lambda: {s["id"] for s in server.sessions(all=False)} <= {bystander.session_id}, timeout=30,
               what="the sleepers ended")
    ended = [s for s in server.sessions(all=True) if (s.get("user") or "").startswith("sleeper")]
    assert len(ended) == 10 and all(s["reason"] == "slow" for s in ended), ended
    after = lobbytest.rss_kib(server.process.pid)
    lobbytest.measure(f"10 non-reading clients: server RSS {before} KiB -> {after} KiB")
    assert after - before < 64 * 1024, f"RSS grew {after - before} KiB"
    assert_bystander_fine(server, bystander, "memory held")


def test_a_welcome_stays_small_whatever_others_sent(start, clients):
    server = start("--chat-rate", "100", "--chat-burst", "100")
    target = clients.identified(server, "target")
    sender = clients.identified(server, "sender")
    text = "y" * 15_000
    for index in range(50):
        sender.send_json("/app/direct", {"to": "target", "text": f"{index} {text}"})
    sender.send_json("/app/direct", {"to": "target", "text": "last"}, receipt="done")
    sender.wait_receipt("done", timeout=30)
    target.close()
    again = anonymous(server, clients)
    welcome = again.identify("target")
    assert welcome["type"] == "welcome", welcome
    frame = [f for f in again.received if f.command == "MESSAGE" and '"welcome"' in f.text][-1]
    assert len(frame.body) < 300_000, len(frame.body)
    assert welcome["directs"][-1]["text"] == "last", "the newest private messages are kept"


def test_text_is_limited_in_bytes_too(server, clients):
    client = clients.identified(server, "writer")
    # Two characters (the marks are one cluster), 16 401 bytes of UTF-8.
    client.send_json("/app/chat", {"text": "\u0301" * 8200 + "a"})
    reply = client.wait_for(is_error("invalid-text"), destination=REPLY)
    assert "bytes" in reply["message"], reply


# -- rates --


def test_status_changes_and_renames_are_rate_limited(server, clients):
    bystander = clients.identified(server, "bystander")
    flapper = clients.identified(server, "flapper")
    for index in range(20):
        flapper.send_json("/app/status", {"away": f"away {index}"})
    refusal = flapper.wait_for(is_error("rate-limited"), destination=REPLY)
    assert "status" in refusal["message"]
    for index in range(10):
        flapper.send_json("/app/identity", {"sessionId": flapper.session_id, "clientData": f"flap{index}"})
    refusal = flapper.wait_for(lambda b: b.get("code") == "rate-limited" and "name" in b["message"],
                               destination=REPLY)
    bystander.drain(1.0)
    statuses = [m for m in bystander.messages(lobbytest.is_presence("flapper"))]
    assert len([m for m in statuses if m.get("type") == "status"]) <= 6
    assert_bystander_fine(server, bystander, "calm again")


def test_new_claims_are_limited_per_address(start, clients):
    server = start("--claims-per-hour", "3")
    for index in range(3):
        assert clients.identified(server, f"fresh{index}").welcome.get("token")
    late = anonymous(server, clients)
    reply = late.identify("fresh3", token=None)
    assert reply["type"] == "error" and reply["code"] == "rate-limited", reply
    # Names already claimed are not new claims: their owners still get in.
    assert anonymous(server, clients).identify("fresh0")["type"] == "welcome"


# -- SockJS sessions --


def test_sockjs_sessions_per_address_are_capped(make_server):
    server = make_server("--max-connections-per-ip", "5")
    connection = http.client.HTTPConnection(HOST, server.port, timeout=10)
    statuses = []
    for _ in range(7):
        connection.request("POST", f"/connection/000/{random_session_id()}/xhr", body=b"")
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    assert statuses[:5] == [200] * 5, statuses
    assert statuses[5:] == [429, 429], statuses


def test_long_session_ids_are_refused(server):
    response = lobbytest.http_request(server.port, "POST", f"/connection/000/{'a' * 7000}/xhr")
    assert response.status == 404
    response = lobbytest.http_request(server.port, "POST", f"/connection/000/{'a' * 64}/xhr")
    assert response.status == 200


# -- hosts, origins --


def test_dns_rebinding_is_refused(server):
    headers = {"Host": f"evil:{server.port}", "Origin": f"http://evil:{server.port}"}
    response = lobbytest.http_request(server.port, "GET", "/connection/info", headers)
    assert response.status == 421, response.status
    upgrade = (
        f"GET /connection/websocket HTTP/1.1\r\nHost: evil:{server.port}\r\nOrigin: http://evil:{server.port}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n").encode()
    answer, _ = lobbytest.tcp_exchange(server.port, upgrade, timeout=3)
    assert answer.startswith(b"HTTP/1.1 421"), answer[:80]
    # The server's own names still work, with and without an Origin.
    own = {"Host": f"127.0.0.1:{server.port}", "Origin": f"http://127.0.0.1:{server.port}"}
    assert lobbytest.http_request(server.port, "GET", "/connection/info", own).status == 200


def test_public_url_names_the_servers_own_origin(make_server):
    server = make_server("--public-url", "https://chat.example.org/connection")
    own = {"Host": "chat.example.org", "Origin": "https://chat.example.org"}
    assert lobbytest.http_request(server.port, "GET", "/connection/info", own).status == 200
    other = {"Host": "chat.example.org", "Origin": "https://elsewhere.example"}
    assert lobbytest.http_request(server.port, "GET", "/connection/info", other).status == 403


# -- storage --


def test_a_deleted_database_is_noticed(make_server, clients):
    server = make_server("--heartbeat-ms", "0")
    writer = clients.identified(server, "writer")
    writer.chat("stored", receipt="r1")
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(str(server.database) + suffix)
        except FileNotFoundError:
            pass
    writer.send_json("/app/chat", {"text": "would be lost"}, receipt="r2")
    reply = writer.wait_for(is_error("store-unavailable"), destination=REPLY)
    assert reply["code"] == "store-unavailable"
    response = lobbytest.http_request(server.port, "GET", "/readyz")
    assert response.status == 503, response.status
    assert "deleted" in response.text, response.text
    assert "deleted" in server.log()


def test_a_squatter_on_another_node_is_ended_when_the_name_is_claimed(tmp_path, clients):
    """Two nodes on one PostgreSQL lobby: a session on node b holds `dora` unclaimed; her owner
    claims the name on node a; node b learns of the identity from the room log and ends it."""
    from test_cluster import BASE_URL as CLUSTER_URL
    if not CLUSTER_URL:
        pytest.skip("LOBBY_TEST_POSTGRES_URL is not set (make test sets it)")
    name = "lobby_squat_" + os.urandom(5).hex()
    from test_cluster import psql as run_psql, with_database as database_url
    run_psql(CLUSTER_URL, f"CREATE DATABASE {name}")
    servers = []
    try:
        for node in ("a", "b"):
            workdir = tmp_path / node
            workdir.mkdir()
            servers.append(lobbytest.LobbyServer(
                workdir, args=["--node-id", node, "--heartbeat-ms", "0"],
                database=database_url(CLUSTER_URL, name)).start())
        node_a, node_b = servers
        bystander = clients.identified(node_a, "bystander")
        squatter = squat(node_b, clients, "dora", bystander)
        owner = anonymous(node_a, clients)
        welcome = owner.identify("dora", token=None)
        assert welcome["type"] == "welcome" and welcome.get("token"), welcome
        squatter.wait_closed(timeout=10)
        assert_bystander_fine(node_a, bystander, "no squatter on b")
    finally:
        for server in servers:
            server.stop_quietly()
        run_psql(CLUSTER_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_the_welcome_advertises_the_chat_rate(make_server, clients):
    """Clients pace their sends to the rate the server enforces (issue 26: typing 30 lines
    quickly dropped 10), so the welcome says what it is."""
    server = make_server("--chat-rate", "7", "--chat-burst", "9")
    client = clients.identified(server, "pacer")
    assert client.welcome["chatRate"] == {"perSecond": 7, "burst": 9}, client.welcome
