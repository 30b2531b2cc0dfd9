"""Presence batches (`{"type":"batch","events":[…]}` on /topic/presence, issue 10): the harness reads
both forms alike, and a real burst of identities reaches real clients once each, in one order.

Whether the server batches depends on timing, so no test insists on a batch; the end-to-end test
prints how many came."""

from __future__ import annotations

import collections
import json

import lobbytest
from lobbytest import (PRESENCE, encode_frame, is_join, is_leave, is_presence, measure, presence_events,
                       split_presence_batch, wait_until)
from swarm import Swarm, SwarmError

AT = "2026-11-25T10:00:00.000Z"


def join(user, sessions=1):
    return {"at": AT, "sessions": sessions, "type": "join", "user": user}


def leave(user, reason="closed", sessions=0):
    return {"at": AT, "reason": reason, "sessions": sessions, "type": "leave", "user": user}


def presence_frame(body: dict, message_id: str = "m-1") -> str:
    return encode_frame("MESSAGE", {
        "destination": PRESENCE, "subscription": "sub-1", "message-id": message_id,
        "content-type": "application/json"}, json.dumps(body, ensure_ascii=False))


class FakeClient(lobbytest._StompClient):
    """The harness client's receiving half, fed by hand instead of a socket."""

    transport_name = "fake"

    def __init__(self):
        self.url = "fake"
        self._init_session_state()


def test_harness_splits_a_batch_into_single_events_in_order():
    client = FakeClient()
    batch = {"type": "batch", "events": [join("bob"), join("김민지"), leave("bob", "quit"), join("carol", 2)]}
    client._feed_stomp(presence_frame(join("alice"), "m-1") + presence_frame(batch, "m-2")
                       + encode_frame("MESSAGE", {"destination": "/topic/chat", "message-id": "m-3"},
                                      '{"type":"message","id":1,"user":"x","text":"hi","at":"' + AT + '"}'))
    assert client.wait_for(is_leave("bob"))["reason"] == "quit"
    assert client.wait_for(is_join("김민지"))["user"] == "김민지"
    client.drain(0.01)
    assert [(m["type"], m["user"]) for m in client.messages(is_presence())] == [
        ("join", "alice"), ("join", "bob"), ("join", "김민지"), ("leave", "bob"), ("join", "carol")]
    assert client.messages(destination=PRESENCE)[-1] == join("carol", 2)
    assert len(client.messages()) == 6
    # The raw form stays reachable.
    assert client.presence_bodies() == [join("alice"), batch]
    assert client.presence_batches() == [batch]
    frames = [frame for frame in client.received if frame.batch]
    assert [frame.batch for frame in frames] == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert all(frame.batch_frame.json() == batch and frame.headers["message-id"] == "m-2" for frame in frames)
    assert all(int(frame.headers["content-length"]) == len(frame.body) for frame in frames)


def test_split_leaves_other_frames_alone():
    single = lobbytest.FrameParser().feed(presence_frame(join("alice")))[0]
    assert split_presence_batch(single) == [single]
    chat = lobbytest.Frame("MESSAGE", {"destination": "/topic/chat"}, b'{"type":"batch","events":[]}')
    assert split_presence_batch(chat) == [chat]
    empty = lobbytest.FrameParser().feed(presence_frame({"type": "batch", "events": []}))[0]
    assert split_presence_batch(empty) == []
    assert presence_events({"type": "batch", "events": [join("a"), leave("a")]}) == [join("a"), leave("a")]
    assert presence_events(join("a")) == [join("a")]


def test_a_burst_of_identities_reaches_everyone_once_in_one_order(server, clients):
    listener = clients.identified(server, "listener")
    names = [f"burst{index:02d}" for index in range(50)]
    everyone = set(names) | {"listener"}
    swarm = Swarm(server, names)

    def settled() -> bool:
        broken = [client for client in swarm.clients if client.problems or client.is_closed]
        if broken:
            raise SwarmError(f"{broken[0].name}: {broken[0].problems} ({broken[0].closed_how})")
        return all(client.welcome and client.members.keys() == everyone for client in swarm.clients)

    try:
        swarm.start()
        swarm.run_until(settled, 30, "50 exact member lists")

        def listener_joins():
            return [event for body in listener.presence_bodies() for event in presence_events(body)]
        wait_until(lambda: len(listener_joins()) >= len(names), timeout=10, what="50 joins at the listener")
        order = [event["user"] for event in listener_joins()]
        assert all(event["type"] == "join" and event["sessions"] == 1 for event in listener_joins())
        assert collections.Counter(order) == collections.Counter(names), "every join exactly once"
        position = {user: index for index, user in enumerate(order)}

        bodies = listener.presence_bodies()
        batches = listener.presence_batches()
        measure(f"presence burst: 50 identities reached a listener as {len(bodies)} presence MESSAGEs, "
                f"{len(batches)} of them batches (largest {max((len(b['events']) for b in batches), default=0)}); "
                f"the 50 clients got {swarm.presence_messages} MESSAGEs, {swarm.presence_batches} batches")

        for client in swarm.clients:
            seen = [event["user"] for event in client.events_before_welcome + client.events_after_welcome]
            assert client.name not in seen, f"{client.name} was told about its own join"
            assert len(seen) == len(set(seen)), f"{client.name} saw a join twice: {seen}"
            # The welcome is a snapshot of one moment of that order: the first k joins.
            snapshot = {member["user"] for member in client.welcome["members"]} & set(names)
            k = len(snapshot)
            assert snapshot == set(order[:k]), f"{client.name}: welcome is not a state of the lobby's order"
            # After it: exactly the joins that followed, in the same order.
            assert [e["user"] for e in client.events_after_welcome] == order[k:], client.name
            # Before it: a stretch of the same order (its own join left out), superseded by the welcome.
            before = [e["user"] for e in client.events_before_welcome]
            others = [user for user in order[:k] if user != client.name]
            if before:
                start = others.index(before[0])
                assert others[start: start + len(before)] == before, f"{client.name}: {before} vs {others}"
    finally:
        swarm.close()
