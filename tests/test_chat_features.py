"""Private messages, away status, history on demand and search, end to end on both stores
(docs/protocol.md, "Chat features"), with the bad input each destination must refuse clearly."""

from __future__ import annotations

import pytest

import lobbytest
from lobbytest import is_error
from test_name_claims import opened, start, store  # noqa: F401 (fixtures)

DIRECT = "/user/queue/direct"


def is_direct(text: str | None = None):
    return lambda m: m.get("type") == "direct" and (text is None or m.get("text") == text)


def ask(client, destination: str, payload, kind: str | None = None):
    """SEND with a receipt; returns the private reply (of `kind`, or the error) that came before it."""
    client.send_json(destination, payload, receipt=client.next_receipt_id())
    return client.wait_for(
        lambda m: m.get("type") in ((kind,) if kind else ()) + ("error",), destination=lobbytest.REPLY)


@pytest.fixture
def three(start, opened):  # noqa: F811
    server = start()
    clients = [opened(server, name) for name in ("alice", "bob", "carol")]
    for client in clients:
        client.subscribe(DIRECT, "direct", receipt="sub-direct")
    return server, clients


def test_a_private_message_reaches_both_users_and_nobody_else(three, opened):  # noqa: F811
    server, (alice, bob, carol) = three
    second_bob = opened(server, "bob")
    second_bob.subscribe(DIRECT, "direct", receipt="sub-direct")
    alice.send_json("/app/direct", {"to": "bob", "text": "psst\nsecond line"}, receipt="d1")
    alice.wait_receipt("d1")
    for client in (alice, bob, second_bob):
        message = client.wait_for(is_direct("psst\nsecond line"), destination=DIRECT)
        assert message["from"] == "alice" and message["to"] == "bob" and message["id"] > 0, message
    carol.drain(0.3)
    assert not carol.messages(is_direct()), "a third user saw a private message"
    assert not bob.messages(lobbytest.is_chat("psst\nsecond line")), "a private message reached the room"

    # The recipient's next welcome carries it, and the room's history does not.
    late = opened(server, "bob")
    assert [d["text"] for d in late.reply["directs"]] == ["psst\nsecond line"]
    assert all(m["text"] != "psst\nsecond line" for m in late.reply["history"])


def test_private_message_bad_input(three):
    server, (alice, bob, carol) = three
    cases = [
        ({"to": "nobody", "text": "hi"}, "not-here"),
        ({"to": "", "text": "hi"}, "not-here"),
        ({"to": "bob", "text": "   "}, "invalid-text"),
        ({"to": "bob", "text": "x" * 4001}, "invalid-text"),
        ({"to": "bob"}, "invalid-json"),
        ("not json", "invalid-json"),
        ({"to": 5, "text": "hi"}, "invalid-json"),
    ]
    for payload, code in cases:
        if isinstance(payload, str):
            alice.send_frame("SEND", {"destination": "/app/direct", "receipt": "raw"}, payload)
            reply = alice.wait_for(is_error(code))
        else:
            reply = ask(alice, "/app/direct", payload)
        assert reply.get("code") == code, (payload, reply)
    bob.drain(0.2)
    assert not bob.messages(is_direct())
    # Still fine afterwards.
    alice.send_json("/app/direct", {"to": "carol", "text": "ok"})
    carol.wait_for(is_direct("ok"), destination=DIRECT)


def test_away_and_back_reach_everyone_and_the_member_list(three, opened):  # noqa: F811
    server, (alice, bob, carol) = three
    alice.send_json("/app/status", {"away": "  lunch  "}, receipt="a1")
    alice.wait_receipt("a1")
    event = bob.wait_for(lambda m: m.get("type") == "status" and m.get("away") == "lunch")
    assert event["user"] == "alice" and "at" in event
    newcomer = opened(server, "dave")
    members = {m["user"]: m for m in newcomer.reply["members"]}
    assert members["alice"]["away"] == "lunch" and "away" not in members["bob"], members

    alice.send_json("/app/status", {"away": None})
    back = carol.wait_for(lambda m: m.get("type") == "status" and m.get("user") == "alice" and m.get("away") is None)
    assert "away" in back  # null, not missing
    assert ask(alice, "/app/status", {"away": "x" * 201}).get("code") == "invalid-text"
    assert ask(alice, "/app/status", {"away": 3}).get("code") == "invalid-json"


def test_away_survives_a_restart(make_server, store, opened):  # noqa: F811
    server = make_server("--heartbeat-ms", "0", database=store)
    alice = opened(server, "alice")
    alice.send_json("/app/status", {"away": "gone fishing"}, receipt="s")
    alice.wait_receipt("s")
    alice.close()
    server.terminate()
    server.start()
    bob = opened(server, "bob")
    alice_again = opened(server, "alice")
    assert {m["user"]: m.get("away") for m in alice_again.reply["members"]}["alice"] == "gone fishing"
    # Whoever was there when she came back learns it from the join.
    join = bob.wait_for(lobbytest.is_join("alice"))
    assert join.get("away") == "gone fishing", join


def test_history_pages_back_to_the_beginning(start, opened):  # noqa: F811
    server = start("--history", "5", "--chat-rate", "1000", "--chat-burst", "1000")
    alice = opened(server, "alice")
    for index in range(30):
        alice.send_json("/app/chat", {"text": f"m{index}"})
    alice.chat("m30", receipt="last")
    # A private message between room messages never shows in the room's history.
    opened(server, "bob")
    alice.send_json("/app/direct", {"to": "bob", "text": "secret"}, receipt="d")
    alice.wait_receipt("d")

    welcome = opened(server, "carol").reply
    seen = [m["text"] for m in welcome["history"]]
    assert seen == [f"m{i}" for i in range(26, 31)]
    before = welcome["history"][0]["id"]
    while True:
        page = ask(alice, "/app/history", {"before": before, "limit": 10}, "history")
        assert page["type"] == "history" and page["before"] == before, page
        if not page["messages"]:
            break
        seen = [m["text"] for m in page["messages"]] + seen
        before = page["messages"][0]["id"]
    assert seen == [f"m{i}" for i in range(31)], seen
    newest = ask(alice, "/app/history", {}, "history")["messages"]
    assert [m["text"] for m in newest][-1] == "m30" and len(newest) == 31

    for payload, code in [({"before": 0}, "invalid-request"), ({"before": -3}, "invalid-request"),
                          ({"limit": 0}, "invalid-request"), ({"limit": 1000}, "invalid-request"),
                          ({"before": "x"}, "invalid-json")]:
        assert ask(alice, "/app/history", payload).get("code") == code, payload
    huge = ask(alice, "/app/history", {"before": 2 ** 62, "limit": 3}, "history")
    assert [m["text"] for m in huge["messages"]] == ["m28", "m29", "m30"]


def test_search_finds_old_messages_newest_first(start, opened):  # noqa: F811
    server = start("--history", "2", "--chat-rate", "1000", "--chat-burst", "1000")
    alice = opened(server, "alice")
    texts = ["the Quick brown fox", "lazy dog", "quick thinking", "QUICK! brown", "nothing here", "more noise"]
    for text in texts:
        alice.send_json("/app/chat", {"text": text})
    alice.chat("the end", receipt="e")
    opened(server, "bob")
    alice.send_json("/app/direct", {"to": "bob", "text": "quick brown secret"}, receipt="d")
    alice.wait_receipt("d")

    reply = ask(alice, "/app/search", {"query": "quick"}, "search")
    assert reply["query"] == "quick"
    assert [m["text"] for m in reply["messages"]] == ["QUICK! brown", "quick thinking", "the Quick brown fox"]
    both = ask(alice, "/app/search", {"query": "brown, QUICK!!"}, "search")
    assert [m["text"] for m in both["messages"]] == ["QUICK! brown", "the Quick brown fox"]
    limited = ask(alice, "/app/search", {"query": "quick", "limit": 1}, "search")
    assert [m["text"] for m in limited["messages"]] == ["QUICK! brown"]
    assert ask(alice, "/app/search", {"query": "zebra"}, "search")["messages"] == []
    # Query syntax of the engines means nothing: quotes, operators, wildcards.
    for query in ['"quick', "quick AND", "qu*", "NEAR(quick brown)", "quick OR dog", "-quick", "quick'; DROP TABLE"]:
        result = ask(alice, "/app/search", {"query": query}, "search")
        assert result["type"] == "search", (query, result)

    for payload, code in [({"query": "?!.,;"}, "invalid-request"), ({"query": ""}, "invalid-request"),
                          ({"query": "x" * 201}, "invalid-request"), ({"query": "quick", "limit": 0}, "invalid-request"),
                          ({}, "invalid-json"), ({"query": ["quick"]}, "invalid-json")]:
        assert ask(alice, "/app/search", payload).get("code") == code, payload
    assert server.alive()


def test_features_need_an_identity(start, opened):  # noqa: F811
    server = start()
    anonymous = opened(server)
    for destination, payload in [("/app/direct", {"to": "x", "text": "y"}), ("/app/status", {"away": "z"}),
                                 ("/app/history", {}), ("/app/search", {"query": "a"})]:
        assert ask(anonymous, destination, payload).get("code") == "not-identified", destination
