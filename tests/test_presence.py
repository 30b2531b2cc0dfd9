"""Presence: joins, leaves with their reasons (quit, closed), multi-session users, renames,
spoofed identities, and kill -9 of a process holding a session."""

import subprocess
import time

import pytest

from lobbytest import (REPLY, http_request, is_chat, is_error, is_join, is_leave, is_presence, measure,
                       server_binary, wait_until)

KINDS = ["sockjs", "raw"]


def session_row(server, session_id):
    rows = [row for row in server.sessions() if row["id"] == session_id]
    return rows[0] if rows else None


def ended_row(server, session_id):
    return wait_until(
        lambda: (row := session_row(server, session_id)) and row.get("endedAt") and row,
        what=f"session {session_id} recorded as ended")


@pytest.mark.parametrize("kind", KINDS)
def test_join_seen_by_others(server, clients, kind):
    bob = clients.identified(server, "bob")
    carol = clients.identified(server, "carol", "raw")
    clients.identified(server, "alice", kind)
    for observer in (bob, carol):
        join = observer.wait_for(is_join("alice"))
        assert join["sessions"] == 1 and join["at"].endswith("Z")


@pytest.mark.parametrize("kind", KINDS)
def test_disconnect_is_quit_with_receipt(server, clients, kind):
    observer = clients.identified(server, "observer")
    alice = clients.identified(server, "alice", kind)
    receipt = alice.disconnect(receipt="goodbye")
    assert receipt.headers["receipt-id"] == "goodbye"
    leave = observer.wait_for(is_leave("alice"))
    assert leave["reason"] == "quit" and leave["sessions"] == 0
    alice.wait_closed()
    row = ended_row(server, alice.session_id)
    assert row["reason"] == "quit" and row["user"] == "alice"


@pytest.mark.parametrize("kind", KINDS)
def test_close_frame_without_disconnect_is_closed(server, clients, kind):
    observer = clients.identified(server, "observer")
    alice = clients.identified(server, "alice", kind)
    alice.close()  # WebSocket close frame, no STOMP DISCONNECT
    assert observer.wait_for(is_leave("alice"))["reason"] == "closed"
    assert ended_row(server, alice.session_id)["reason"] == "closed"


@pytest.mark.parametrize("kind", KINDS)
def test_tcp_close_without_close_frame_is_closed(server, clients, kind):
    observer = clients.identified(server, "observer")
    alice = clients.identified(server, "alice", kind)
    started = time.monotonic()
    alice.close_abruptly()
    assert observer.wait_for(is_leave("alice"), timeout=2)["reason"] == "closed"
    measure(f"TCP FIN ({kind}) -> leave closed: {(time.monotonic() - started) * 1000:.0f} ms")


@pytest.mark.parametrize("kind", KINDS)
def test_kill_9_of_a_client_process_is_closed_exactly_once(server, clients, kind):
    observer = clients.identified(server, "observer", "raw")
    holder = clients.holder(server, "doomed", kind)
    observer.wait_for(is_join("doomed"))
    started = time.monotonic()
    holder.kill()
    leave = observer.wait_for(is_leave("doomed"), timeout=2)
    latency = time.monotonic() - started
    measure(f"kill -9 of a client ({kind}) -> leave closed seen by another session: {latency * 1000:.0f} ms")
    assert leave["reason"] == "closed"
    assert leave["sessions"] == 0
    observer.drain(1.0)
    assert len(observer.messages(is_leave("doomed"))) == 1
    row = ended_row(server, holder.session_id)
    assert row["reason"] == "closed" and row["user"] == "doomed"


def test_spoofed_identity_is_rejected_and_changes_nothing(server, clients):
    victim = clients.identified(server, "victim")
    observer = clients.identified(server, "observer", "raw")
    mallory = clients.sockjs(server)
    mallory.connect()
    mallory.subscribe_all()
    reply = mallory.identify("mallory", session_id=victim.session_id)
    assert reply["type"] == "error" and reply["code"] == "session-mismatch"
    assert reply["message"]
    reply = mallory.identify("victim", session_id="made-up-session")
    assert reply["code"] == "session-mismatch"
    # Nothing changed: no join for anybody, mallory is still anonymous, victim untouched.
    mallory.chat("am I anybody?")
    assert mallory.wait_for(is_error(), destination=REPLY)["code"] == "not-identified"
    observer.drain(0.5)
    victim.drain(0.2)
    for watcher in (observer, victim):
        assert [m for m in watcher.messages(is_presence()) if m["user"] != "observer"] == []
    row = session_row(server, mallory.session_id)
    assert row is None or row.get("user") is None
    assert session_row(server, victim.session_id)["user"] == "victim"
    victim.chat("still me", receipt="v1")
    assert observer.wait_for(is_chat("still me"))["user"] == "victim"


def test_one_user_two_sessions_one_join_one_leave(server, clients):
    observer = clients.identified(server, "observer")
    first = clients.identified(server, "alice")
    assert observer.wait_for(is_join("alice"))["sessions"] == 1
    second = clients.identified(server, "alice", "raw")
    assert {"user": "alice", "sessions": 2} in second.welcome["members"]
    observer.drain(0.5)
    assert len(observer.messages(is_join("alice"))) == 1, "a second session must not announce a second join"

    first.disconnect()
    observer.drain(0.7)
    assert observer.messages(is_leave("alice")) == [], "leave before the user's last session ended"
    # alice is still present: a newcomer sees her with one session
    newcomer = clients.identified(server, "newcomer")
    assert {"user": "alice", "sessions": 1} in newcomer.welcome["members"]

    second.close_abruptly()
    leave = observer.wait_for(is_leave("alice"))
    assert leave["sessions"] == 0 and leave["reason"] == "closed"
    observer.drain(0.5)
    assert len(observer.messages(is_leave("alice"))) == 1
    assert len(observer.messages(is_join("alice"))) == 1


def test_rename_is_leave_renamed_then_join(server, clients):
    observer = clients.identified(server, "observer", "raw")
    alice = clients.identified(server, "alice")
    observer.wait_for(is_join("alice"))
    reply = alice.identify("alicia")
    assert reply["type"] == "welcome" and reply["user"] == "alicia"
    leave = observer.wait_for(is_leave("alice"))
    assert leave["reason"] == "renamed" and leave["sessions"] == 0
    assert observer.wait_for(is_join("alicia"))["sessions"] == 1
    order = [m["type"] for m in observer.messages(is_presence()) if m["user"] in ("alice", "alicia")]
    assert order == ["join", "leave", "join"]
    alice.chat("new name", receipt="n1")
    assert observer.wait_for(is_chat("new name"))["user"] == "alicia"
    row = session_row(server, alice.session_id)
    assert row["user"] == "alicia" and not row.get("endedAt")


def test_rename_of_one_of_two_sessions_keeps_the_old_name_present(server, clients):
    observer = clients.identified(server, "observer")
    first = clients.identified(server, "alice")
    clients.identified(server, "alice", "raw")
    first.identify("alicia")
    assert observer.wait_for(is_join("alicia"))["sessions"] == 1
    observer.drain(0.5)
    assert observer.messages(is_leave("alice")) == [], "alice still has a live session"


def test_same_name_again_changes_nothing(server, clients):
    observer = clients.identified(server, "observer")
    alice = clients.identified(server, "alice")
    observer.wait_for(is_join("alice"))
    alice.identify("alice")
    observer.drain(0.5)
    assert observer.messages(is_leave("alice")) == []
    assert len(observer.messages(is_join("alice"))) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_disconnect_racing_a_tcp_close_ends_once(server, clients, kind):
    observer = clients.identified(server, "observer")
    for n in range(5):
        name = f"racer{n}"
        racer = clients.identified(server, name, kind)
        observer.wait_for(is_join(name))
        racer.send_frame("DISCONNECT", {"receipt": "x"})
        racer.close_abruptly()
        leave = observer.wait_for(is_leave(name))
        assert leave["reason"] in ("quit", "closed")
        assert ended_row(server, racer.session_id)["reason"] == leave["reason"]
    observer.drain(0.5)
    for n in range(5):
        assert len(observer.messages(is_leave(f"racer{n}"))) == 1


def test_many_sessions_fan_out(server, clients):
    readers = [clients.identified(server, f"user{i:02d}", "raw" if i % 2 else "sockjs") for i in range(40)]
    last = readers[-1]
    assert len(last.welcome["members"]) == 40
    readers[0].chat("to everyone 🎉", receipt="all")
    for reader in readers:
        assert reader.wait_for(is_chat("to everyone 🎉"))["user"] == "user00"
    for reader in readers[:10]:
        reader.close_abruptly()
    for i in range(10):
        assert last.wait_for(is_leave(f"user{i:02d}"))["reason"] == "closed"


def run_kick(server, *args):
    return subprocess.run(
        [str(server_binary()), "kick", *args, "--database", str(server.database)],
        capture_output=True, text=True, timeout=20)


@pytest.mark.parametrize("kind", KINDS)
def test_operator_kick_is_announced_once_and_closes_the_session(server, clients, kind):
    observer = clients.identified(server, "observer")
    bob = clients.identified(server, "bob", kind)
    result = run_kick(server, "bob")
    assert result.returncode == 0, result.stderr + result.stdout
    assert bob.session_id in result.stdout
    leave = observer.wait_for(is_leave("bob"))
    assert leave["reason"] == "kicked" and leave["sessions"] == 0
    closed = bob.wait_closed()
    assert closed.ws_code == 4002 or (closed.sockjs and closed.sockjs[0] == 4002), closed
    assert ended_row(server, bob.session_id)["reason"] == "kicked"
    observer.drain(0.3)
    assert len(observer.messages(is_leave("bob"))) == 1
    # Nobody left to kick: a clear failure, and the observer is untouched.
    again = run_kick(server, "bob")
    assert again.returncode != 0 and "no live session" in again.stdout
    assert not observer.is_closed


def test_admin_endpoint_refuses_requests_without_the_token(server, clients):
    observer = clients.identified(server, "observer")
    response = http_request(server.admin_port, "POST", "/admin/kick", {"Authorization": "Bearer wrong"})
    assert response.status == 403
    # The public port has no admin endpoint at all (issue 21: a proxy in front would expose it).
    assert http_request(server.port, "POST", "/admin/kick", {"Authorization": "Bearer wrong"}).status == 404
    assert not observer.is_closed
