"""Presence and chat at scale (issue 10): a storm of real-client sessions connecting at once, and a
publisher that pipelines thousands of SENDs.

The storm's clients behave like the terminal client (tests/swarm.py): SockJS WebSocket transport,
SUBSCRIBE chat + presence + reply, identity with the session id from their own URL, and a member
list kept from the welcome and the presence events that follow, single or batched.
"""

from __future__ import annotations

import collections
import json
import threading
import time

import stomp

from lobbytest import HOST, is_chat, is_leave, measure, presence_events, wait_until
from swarm import Swarm, SwarmError

STORM_SIZE = 300
STORM_BOUND = 60.0  # seconds for every member list to be complete
BURST_SIZE = 2000
BURST_SUBSCRIBERS = 3
BURST_BOUND = 60.0


def storm_names(count: int) -> list[str]:
    # Mostly ASCII, some Hangul and mixed case, all distinct (the member pane sorts case-insensitively).
    return [f"사용자{index:03d}" if index % 50 == 7 else f"{'User' if index % 2 else 'user'}{index:03d}"
            for index in range(count)]


def presence_seen(client) -> list[dict]:
    """Every presence event a harness client has received so far (batches flattened), in order,
    including frames its reader has queued but the test has not pulled yet."""
    return [event for body in client.presence_bodies() for event in presence_events(body)]


def test_storm_of_real_clients_ends_with_exact_member_lists(make_server, clients):
    # Every client comes from 127.0.0.1: more than the default --max-connections-per-ip (256).
    server = make_server("--max-connections-per-ip", str(STORM_SIZE * 2))
    bystander = clients.identified(server, "bystander")
    names = storm_names(STORM_SIZE)
    everyone = set(names) | {"bystander"}
    swarm = Swarm(server, names)

    def check_health():
        broken = [client for client in swarm.clients if client.problems or client.is_closed]
        if broken:
            sample = broken[0]
            raise SwarmError(
                f"{len(broken)} clients failed, e.g. {sample.name}: {sample.problems} ({sample.closed_how})")

    def all_complete() -> bool:
        check_health()
        return all(client.welcome is not None and client.members.keys() == everyone for client in swarm.clients)

    try:
        swarm.start()
        try:
            elapsed = swarm.run_until(all_complete, STORM_BOUND, f"{STORM_SIZE} exact member lists")
        except TimeoutError:
            incomplete = [client for client in swarm.clients
                          if client.welcome is None or client.members.keys() != everyone]
            sample = incomplete[0]
            raise AssertionError(
                f"{len(incomplete)} of {STORM_SIZE} clients have no exact member list after {STORM_BOUND}s; "
                f"e.g. {sample.name} (state {sample.state}, welcomed {sample.welcome is not None}): "
                f"missing {sorted(everyone - sample.members.keys())[:10]}, "
                f"extra {sorted(sample.members.keys() - everyone)[:10]}") from None
        measure(f"storm: {STORM_SIZE} real-client sessions connected, identified and complete in {elapsed:.2f} s "
                f"({swarm.presence_messages} presence MESSAGEs to the storm, {swarm.presence_batches} of them batches)")

        for client in swarm.clients:
            assert client.welcome["user"] == client.name
            assert client.welcome["sessionId"] == client.session_id
            assert client.members == {user: 1 for user in everyone}, client.name
            own = [event for event in client.events_after_welcome if event["user"] == client.name]
            assert own == [], f"{client.name} was told about itself after its welcome: {own}"

        # The bystander saw every join exactly once.
        joins = wait_until(
            lambda: (seen := [e["user"] for e in presence_seen(bystander) if e["type"] == "join"])
            and len(seen) >= STORM_SIZE and seen,
            timeout=20, what=f"{STORM_SIZE} joins at the bystander")
        assert sorted(joins) == sorted(names), "each storm user joins exactly once"

        # Everyone leaves at once: a third say DISCONNECT (quit), a third send a WebSocket close
        # frame, a third just drop the connection (both closed).
        expected_reason = {}
        for index, client in enumerate(swarm.clients):
            if index % 3 == 0:
                client.disconnect()
                expected_reason[client.name] = "quit"
            elif index % 3 == 1:
                client.close_frame()
                expected_reason[client.name] = "closed"
            else:
                client.drop()
                expected_reason[client.name] = "closed"
        started = time.monotonic()
        swarm.run_until(lambda: all(client.is_closed for client in swarm.clients), 30,
                        "every storm connection closed")

        def leaves():
            return [e for e in presence_seen(bystander) if e["type"] == "leave"]
        wait_until(lambda: len(leaves()) >= STORM_SIZE, timeout=30, what=f"{STORM_SIZE} leaves at the bystander")
        measure(f"storm: {STORM_SIZE} leaves announced to a bystander {time.monotonic() - started:.2f} s after "
                f"the clients left")
        time.sleep(0.5)  # a duplicate would arrive now
        seen = leaves()
        counts = collections.Counter(event["user"] for event in seen)
        assert {user: count for user, count in counts.items() if count != 1} == {}, "each leave exactly once"
        assert set(counts) == set(names)
        assert {event["user"]: event["reason"] for event in seen} == expected_reason
        assert all(event["sessions"] == 0 for event in seen)
        assert not bystander.is_closed
        assert server.alive()
        assert not [e for e in presence_seen(bystander) if e["user"] == "bystander"]
    finally:
        swarm.close()


class BurstRecorder(stomp.ConnectionListener):
    """What stomp.py hands the publisher's listener."""

    def __init__(self):
        self.connected_headers: dict | None = None
        self.receipts: list[str] = []
        self.replies: list[dict] = []
        self.errors: list = []
        self.disconnected = threading.Event()
        self.all_receipts = threading.Event()
        self.expected_receipts = 0
        self.welcomed = threading.Event()

    def on_connected(self, frame):
        self.connected_headers = dict(frame.headers)

    def on_message(self, frame):
        body = json.loads(frame.body)
        self.replies.append(body)
        if body.get("type") == "welcome":
            self.welcomed.set()

    def on_receipt(self, frame):
        self.receipts.append(frame.headers.get("receipt-id"))
        if self.expected_receipts and len(self.receipts) >= self.expected_receipts:
            self.all_receipts.set()

    def on_error(self, frame):
        self.errors.append(frame)

    def on_disconnected(self):
        self.disconnected.set()


def test_pipelining_publisher_gets_every_receipt_and_subscribers_every_message(make_server, clients):
    server = make_server("--chat-rate", "100000", "--chat-burst", "100000")
    subscribers = [clients.identified(server, f"listener{index}", "raw" if index % 2 else "sockjs")
                   for index in range(BURST_SUBSCRIBERS)]

    connection = stomp.WSStompConnection(
        [(HOST, server.port)], ws_path="/connection/websocket", timeout=10, reconnect_attempts_max=1)
    recorder = BurstRecorder()
    connection.set_listener("burst", recorder)
    connection.connect(wait=True, headers={"heart-beat": "0,0"})
    try:
        session_id = recorder.connected_headers["session"]
        connection.subscribe("/user/queue/reply", id="reply", ack="auto")
        connection.send("/app/identity", json.dumps({"sessionId": session_id, "clientData": "publisher"}),
                        content_type="application/json")
        assert recorder.welcomed.wait(10), f"no welcome: {recorder.replies} {recorder.errors}"
        receipt_ids = [f"burst-{index}" for index in range(BURST_SIZE)]
        texts = [f"burst message {index}" for index in range(BURST_SIZE)]

        recorder.expected_receipts = BURST_SIZE
        started = time.monotonic()
        written, send_failure = 0, None
        try:
            for receipt, text in zip(receipt_ids, texts):
                connection.send("/app/chat", json.dumps({"text": text}), content_type="application/json",
                                headers={"receipt": receipt})
                written += 1
        except Exception as error:  # stomp.py raises once the server has cut the connection
            send_failure = f"{type(error).__name__}: {error}"
        sent = time.monotonic() - started
        got_all = send_failure is None and recorder.all_receipts.wait(BURST_BOUND)
        receipts_done = time.monotonic() - started
        assert recorder.errors == [], (
            f"publisher got ERROR frames after {len(recorder.receipts)} receipts: {recorder.errors[:3]}")
        assert not recorder.disconnected.is_set() and send_failure is None, (
            f"the publisher was disconnected after {written} SENDs written and {len(recorder.receipts)} receipts "
            f"({send_failure or 'connection closed'})")
        assert got_all, f"only {len(recorder.receipts)} of {BURST_SIZE} receipts within {BURST_BOUND}s"
        assert recorder.receipts == receipt_ids, "receipts come once each, in the order of the SENDs"
        private_errors = [reply for reply in recorder.replies if reply.get("type") == "error"]
        assert private_errors == [], f"private errors: {private_errors[:3]}"

        for subscriber in subscribers:
            def delivered(subscriber=subscriber):
                subscriber.drain(0.05)
                return len(subscriber.messages(is_chat(user="publisher"))) >= BURST_SIZE
            wait_until(delivered, timeout=BURST_BOUND, interval=0,
                       what=f"{BURST_SIZE} messages at {subscriber.user}")
            subscriber.drain(0.2)
            messages = subscriber.messages(is_chat(user="publisher"))
            assert [m["text"] for m in messages] == texts, f"{subscriber.user}: every message once, in order"
            ids = [m["id"] for m in messages]
            assert ids == sorted(ids) and len(set(ids)) == BURST_SIZE
            assert not subscriber.is_closed, f"{subscriber.user} was disconnected: {subscriber.close_info}"
            assert not subscriber.messages(is_leave()), f"{subscriber.user} saw someone leave"
        measure(f"burst: {BURST_SIZE} pipelined SENDs with receipts written in {sent:.2f} s, every receipt after "
                f"{receipts_done:.2f} s ({BURST_SIZE / receipts_done:.0f} msg/s), {BURST_SUBSCRIBERS} subscribers "
                f"got all of them")
    finally:
        try:
            if connection.is_connected():
                connection.disconnect(receipt="burst-bye")
        except OSError:
            pass  # the server already cut the connection: the assertion above says so
    assert server.alive()
