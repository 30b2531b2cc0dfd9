"""Liveness end to end: frozen peers on real timers, slow consumers, a reconnect racing a timeout.

Every deadline (WebSocket ping and pong, SockJS `h`, STOMP heart-beats) is tested at the
millisecond on a fake clock in Swift (WebSocketLivenessTests, WebSocketLivenessHandlerTests,
ServerHeartBeatTests). Here the ping and the STOMP heart-beats each run once on the real clock
against a real client that is frozen (SIGSTOP) or stops sending.
"""

import socket
import time

import pytest

from lobbytest import is_chat, is_join, is_leave, measure, wait_until

HEARTBEAT_MS = 300
# Dead after twice the interval; allow a generous second on top for scheduling on a busy machine.
TIMEOUT_BOUND = 2 * HEARTBEAT_MS / 1000 + 1.0


def ended_reason(server, session_id):
    def reason():
        rows = [r for r in server.sessions() if r["id"] == session_id and r.get("endedAt")]
        return rows[0]["reason"] if rows else None
    return wait_until(reason, what=f"session {session_id} ended")


@pytest.fixture
def fast_server(make_server):
    return make_server("--heartbeat-ms", str(HEARTBEAT_MS))


def test_frozen_client_with_heartbeats_times_out(fast_server, clients):
    kind = "sockjs"
    observer = clients.identified(fast_server, "observer")
    holder = clients.holder(fast_server, "frozen", kind, heartbeat=(HEARTBEAT_MS, HEARTBEAT_MS))
    observer.wait_for(is_join("frozen"))
    time.sleep(3 * HEARTBEAT_MS / 1000)  # alive while it keeps sending heart-beats and pongs
    assert not observer.messages(is_leave("frozen")), "a healthy heart-beating client was dropped"
    started = time.monotonic()
    holder.stop()  # SIGSTOP: socket open, kernel still ACKs, nothing sent or read
    leave = observer.wait_for(is_leave("frozen"), timeout=TIMEOUT_BOUND + 2)
    latency = time.monotonic() - started
    measure(f"SIGSTOP of a heart-beating client ({kind}, --heartbeat-ms {HEARTBEAT_MS}) -> leave: "
            f"{latency * 1000:.0f} ms (reason {leave['reason']})")
    assert leave["reason"] == "timeout"
    assert latency <= TIMEOUT_BOUND, f"timeout took {latency:.2f}s, more than 2x{HEARTBEAT_MS} ms + 1 s"
    assert ended_reason(fast_server, holder.session_id) == "timeout"
    observer.drain(0.5)
    assert len(observer.messages(is_leave("frozen"))) == 1


def test_frozen_client_without_stomp_heartbeats_is_caught_by_websocket_ping(fast_server, clients):
    kind = "raw"
    observer = clients.identified(fast_server, "observer")
    holder = clients.holder(fast_server, "frozen", kind, heartbeat=(0, 0))
    observer.wait_for(is_join("frozen"))
    time.sleep(3 * HEARTBEAT_MS / 1000)
    assert not observer.messages(is_leave("frozen")), "a client answering pings was dropped"
    started = time.monotonic()
    holder.stop()
    leave = observer.wait_for(is_leave("frozen"), timeout=TIMEOUT_BOUND + 2)
    latency = time.monotonic() - started
    measure(f"SIGSTOP of a client with STOMP heart-beats off ({kind}) -> leave via ping: "
            f"{latency * 1000:.0f} ms (reason {leave['reason']})")
    assert leave["reason"] == "timeout"
    assert latency <= TIMEOUT_BOUND
    assert ended_reason(fast_server, holder.session_id) == "timeout"


def test_client_that_answers_pings_but_stops_heartbeats_times_out(fast_server, clients):
    """Isolates the STOMP heart-beat deadline: pongs keep flowing, heart-beats stop."""
    observer = clients.identified(fast_server, "observer")
    quiet = clients.identified(fast_server, "quiet", "raw", heartbeat=(HEARTBEAT_MS, HEARTBEAT_MS))
    time.sleep(3 * HEARTBEAT_MS / 1000)
    assert not quiet.is_closed
    started = time.monotonic()
    quiet._heartbeat_every = 0  # the reader thread still answers pings
    leave = observer.wait_for(is_leave("quiet"), timeout=TIMEOUT_BOUND + 2)
    latency = time.monotonic() - started
    measure(f"STOMP heart-beats stopped (pongs still sent) -> leave: {latency * 1000:.0f} ms")
    assert leave["reason"] == "timeout"
    assert latency <= TIMEOUT_BOUND
    quiet.wait_closed()


def test_server_sends_heartbeats_when_asked(fast_server, clients):
    client = clients.raw(fast_server)
    client.connect(heartbeat=(0, HEARTBEAT_MS))
    time.sleep(4 * HEARTBEAT_MS / 1000)
    assert client.stomp_heartbeats_received >= 2
    assert not client.is_closed


@pytest.mark.parametrize("kind", ["raw", "sockjs"])
def test_slow_consumer_is_disconnected_and_others_keep_receiving(make_server, clients, kind):
    server = make_server("--max-queued-bytes", "65536", "--chat-rate", "1000", "--chat-burst", "1000")
    observer = clients.identified(server, "observer", "raw")
    publisher = clients.identified(server, "publisher")
    victim = clients.identified(
        server, "victim", kind, sockopt=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)])
    observer.wait_for(is_join("victim"))
    victim.pause_reading()  # never reads again: its kernel buffers fill, then the server's queue

    body = "가" * 3900  # ~11.7 KB of UTF-8 per message
    sent = 0
    started = time.monotonic()
    deadline = started + 60
    # Paced under the server's per-session frame limit (200/s sustained, burst 400).
    while not observer.messages(is_leave("victim")) and sent < 1500 and time.monotonic() < deadline:
        for _ in range(25):
            publisher.chat(f"{sent:05d} {body}")
            sent += 1
        observer.drain(0.15)
    leave = observer.wait_for(is_leave("victim"), timeout=5)
    measure(f"slow consumer ({kind}): disconnected as {leave['reason']!r} after {sent} messages "
            f"(~{sent * len(body.encode()) // 1024} KiB) in {time.monotonic() - started:.1f} s")
    assert leave["reason"] == "slow"
    assert ended_reason(server, victim.session_id) == "slow"

    # The observer got every message, in order, none lost while the victim was being dropped.
    # The publisher reads its own copies of every message first (~17 MB of escaped SockJS JSON
    # for the Python harness to parse), so its receipt may take a while on a busy machine.
    publisher.chat("after the slow one", receipt="last", timeout=20)
    observer.wait_for(is_chat("after the slow one"), timeout=10)
    texts = [m["text"][:5] for m in observer.messages(is_chat(user="publisher"))]
    assert texts[:sent] == [f"{i:05d}" for i in range(sent)]
    assert not publisher.is_closed and not observer.is_closed


def test_reconnect_racing_its_frozen_predecessor_keeps_the_user(fast_server, clients):
    """A reconnect that races its own dead predecessor: the old session's late timeout must not
    remove the user whose newer session is alive (no leave, no second join)."""
    observer = clients.identified(fast_server, "observer")
    old = clients.holder(fast_server, "phoenix", "sockjs", heartbeat=(HEARTBEAT_MS, HEARTBEAT_MS))
    observer.wait_for(is_join("phoenix"))
    old.stop()  # frozen terminal; the user reconnects at once
    new = clients.identified(fast_server, "phoenix", "raw")
    assert {"user": "phoenix", "sessions": 2} in new.welcome["members"] or \
        {"user": "phoenix", "sessions": 1} in new.welcome["members"]
    assert ended_reason(fast_server, old.session_id) == "timeout"
    observer.drain(0.5)
    assert observer.messages(is_leave("phoenix")) == [], "the live reconnect was announced as gone"
    assert len(observer.messages(is_join("phoenix"))) == 1
    new.chat("I am back", receipt="b")
    assert observer.wait_for(is_chat("I am back"))["user"] == "phoenix"
    late = clients.identified(fast_server, "late")
    assert {"user": "phoenix", "sessions": 1} in late.welcome["members"]
