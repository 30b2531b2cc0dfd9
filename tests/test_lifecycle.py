"""Server lifecycle: kill -9 and restart on the same SQLite file, graceful SIGTERM, `sessions`."""

import time

from lobbytest import is_join, is_leave, measure, wait_until


def identified_rows(server, users):
    rows = server.sessions()
    return [r for r in rows if r.get("user") in users and r.get("identifiedAt")]


def test_kill_9_and_restart_closes_old_rows_as_restart(make_server, clients, tmp_path):
    database = tmp_path / "crash.sqlite"
    first = make_server(database=database)
    alice = clients.identified(first, "alice")
    bob = clients.identified(first, "bob", "raw")
    anonymous = clients.sockjs(first)
    anonymous.connect()
    # Wait until the (group-committed) rows are on disk before crashing.
    wait_until(lambda: len(identified_rows(first, {"alice", "bob"})) == 2, what="identified rows stored")
    old_ids = {alice.session_id, bob.session_id, anonymous.session_id}

    first.kill9()
    for client in (alice, bob, anonymous):
        client.wait_closed()
    rows = {r["id"]: r for r in first.sessions()}
    assert {alice.session_id, bob.session_id} <= set(rows)
    assert all(not rows[i].get("endedAt") for i in (alice.session_id, bob.session_id)), \
        "rows should still be open after a crash"

    second = make_server(database=database)
    rows = {r["id"]: r for r in second.sessions()}
    for session_id in old_ids & set(rows):
        assert rows[session_id].get("endedAt"), f"ghost row {rows[session_id]}"
        assert rows[session_id]["reason"] == "restart", rows[session_id]
    assert [r for r in rows.values() if not r.get("endedAt")] == [], "open rows right after restart"

    carol = clients.identified(second, "carol")
    assert carol.welcome["members"] == [{"user": "carol", "sessions": 1}], "ghost members after restart"
    # Only carol's row is open now.
    open_rows = [r for r in second.sessions(all=False)]
    assert [r["id"] for r in open_rows] == [carol.session_id]


def test_restarted_server_accepts_the_same_names_and_session_ids(make_server, clients, tmp_path):
    database = tmp_path / "again.sqlite"
    first = make_server(database=database)
    alice = clients.identified(first, "alice")
    wait_until(lambda: identified_rows(first, {"alice"}), what="alice stored")
    first.kill9()
    alice.wait_closed()
    second = make_server(database=database)
    again = clients.identified(second, "alice", session_id=alice.session_id)
    assert again.welcome["sessionId"] == alice.session_id
    assert again.welcome["members"] == [{"user": "alice", "sessions": 1}]


def test_sigterm_ends_every_session_with_shutdown(make_server, clients, tmp_path):
    server = make_server()
    sockjs = clients.identified(server, "alice")
    raw = clients.identified(server, "bob", "raw")
    anonymous = clients.raw(server)
    anonymous.connect()
    ids = {sockjs.session_id, raw.session_id, anonymous.session_id}
    started = time.monotonic()
    status = server.terminate(timeout=10)
    measure(f"SIGTERM with 3 sessions -> exit {status} in {(time.monotonic() - started) * 1000:.0f} ms")
    assert status == 0, server.log_tail()
    # Every connected client was told: SockJS gets a `c` frame, raw a WebSocket close frame.
    info = sockjs.wait_closed(timeout=2)
    assert info.sockjs is not None, f"SockJS client got no c[...] frame: {info}"
    raw_info = raw.wait_closed(timeout=2)
    assert raw_info.ws_code is not None, f"raw client got no close frame: {raw_info}"
    anonymous.wait_closed(timeout=2)
    rows = {r["id"]: r for r in server.sessions()}
    assert ids <= set(rows)
    for session_id in ids:
        assert rows[session_id].get("endedAt") and rows[session_id]["reason"] == "shutdown", rows[session_id]


def test_sigterm_leaves_no_open_rows_for_the_next_start(make_server, clients, tmp_path):
    database = tmp_path / "graceful.sqlite"
    first = make_server(database=database)
    alice = clients.identified(first, "alice")
    first.terminate()
    second = make_server(database=database)
    rows = {r["id"]: r for r in second.sessions()}
    assert rows[alice.session_id]["reason"] == "shutdown", "a graceful stop must not leave rows for `restart`"


def test_sessions_json_rows_have_the_documented_fields(server, clients):
    alice = clients.identified(server, "alice")
    bob = clients.identified(server, "bob", "raw")
    bob.disconnect()
    row = wait_until(lambda: [r for r in server.sessions() if r["id"] == bob.session_id and r.get("endedAt")],
                     what="bob's ended row")[0]
    assert row["user"] == "bob" and row["reason"] == "quit"
    assert row["remoteAddress"].startswith("127.0.0.1")
    assert row["transport"]
    for field in ("connectedAt", "identifiedAt", "endedAt"):
        assert "T" in row[field], row
    alice_row = [r for r in server.sessions(all=False) if r["id"] == alice.session_id][0]
    assert not alice_row.get("endedAt") and not alice_row.get("reason")
    assert bob.session_id not in [r["id"] for r in server.sessions(all=False)]


def test_sigint_is_graceful_too(make_server, clients):
    import signal
    server = make_server()
    alice = clients.identified(server, "alice", "raw")
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(timeout=10) == 0
    alice.wait_closed(timeout=2)
    rows = {r["id"]: r for r in server.sessions()}
    assert rows[alice.session_id]["reason"] == "shutdown"


def test_acknowledged_chat_survives_kill_9(make_server, clients, tmp_path):
    """A RECEIPT is sent only after the message is stored: nothing acknowledged is lost."""
    database = tmp_path / "durable.sqlite"
    first = make_server("--chat-rate", "1000", "--chat-burst", "1000", database=database)
    alice = clients.identified(first, "alice")
    for i in range(30):
        alice.chat(f"durable {i}", receipt=f"d{i}")
    first.kill9()
    second = make_server("--history", "100", database=database)
    history = [m["text"] for m in clients.identified(second, "bob").welcome["history"]]
    assert history == [f"durable {i}" for i in range(30)]
