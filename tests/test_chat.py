"""Chat fan-out (UTF-8), SockJS escaping, history for late joiners."""

import json

import pytest

from lobbytest import CHAT, is_chat

KOREAN = "안녕하세요, 한국어 채팅입니다"
EMOJI = "family 👩‍👩‍👧 and heart ❤️ and 🎉"


@pytest.mark.parametrize("sender_kind", ["sockjs", "raw"])
def test_chat_fans_out_utf8_to_every_subscriber(server, clients, sender_kind):
    sender = clients.identified(server, "민수", sender_kind)
    sockjs_reader = clients.identified(server, "reader1")
    raw_reader = clients.identified(server, "reader2", "raw")
    for text in (KOREAN, EMOJI):
        sender.chat(text, receipt=sender.next_receipt_id())
    for reader in (sender, sockjs_reader, raw_reader):
        first = reader.wait_for(is_chat(KOREAN, "민수"), destination=CHAT)
        second = reader.wait_for(is_chat(EMOJI, "민수"), destination=CHAT)
        assert isinstance(first["id"], int) and second["id"] > first["id"]
        assert first["at"].endswith("Z") and "T" in first["at"]


def test_escaped_surrogate_pairs_from_a_sockjs_client(server, clients):
    # json.dumps(ensure_ascii=True) sends 👩 as "\ud83d\udc69": SockJS clients may do that.
    sender = clients.identified(server, "escaper", ascii_json=True)
    reader = clients.identified(server, "reader", "raw")
    sender.chat(EMOJI, receipt="e1")
    assert reader.wait_for(is_chat(EMOJI, "escaper"))["text"] == EMOJI


def test_sockjs_frames_escape_the_sockjs_character_set(server, clients):
    sender = clients.identified(server, "sender", "raw")
    reader = clients.identified(server, "reader")
    text = "zwj\u200dline\u2028sep\u2029word\u2060end"
    sender.chat(text, receipt="e1")
    assert reader.wait_for(is_chat(text))["text"] == text
    carrying = [m for m in reader.raw_messages if "zwj" in m]
    assert len(carrying) == 1
    raw = carrying[0]
    for char in ("\u200d", "\u2028", "\u2029", "\u2060"):
        assert char not in raw, f"U+{ord(char):04X} sent unescaped in SockJS frame {raw!r}"
    assert "\\u200d" in raw and "\\u2028" in raw and "\\u2060" in raw


def test_chat_ids_increase_and_order_is_kept(server, clients):
    sender = clients.identified(server, "sender")
    reader = clients.identified(server, "reader", "raw")
    for i in range(15):
        sender.chat(f"n{i}")
    ids = [reader.wait_for(is_chat(f"n{i}"))["id"] for i in range(15)]
    assert ids == sorted(ids) and len(set(ids)) == 15


def test_history_to_a_late_joiner(server, clients):
    alice = clients.identified(server, "alice")
    alice.chat("first " + KOREAN, receipt="h1")
    alice.chat("second " + EMOJI, receipt="h2")
    late = clients.identified(server, "late", "raw")
    history = late.welcome["history"]
    assert [(m["user"], m["text"]) for m in history] == [("alice", "first " + KOREAN), ("alice", "second " + EMOJI)]
    assert all(m["type"] == "message" for m in history)
    assert history[0]["id"] < history[1]["id"]


def test_history_limit_is_respected(make_server, clients):
    server = make_server("--history", "3")
    alice = clients.identified(server, "alice")
    for i in range(1, 6):
        alice.chat(f"m{i}", receipt=f"h{i}")
    late = clients.identified(server, "late")
    assert [m["text"] for m in late.welcome["history"]] == ["m3", "m4", "m5"]


def test_history_zero_sends_none(make_server, clients):
    server = make_server("--history", "0")
    alice = clients.identified(server, "alice")
    alice.chat("not in history", receipt="h1")
    assert clients.identified(server, "late").welcome["history"] == []


def test_history_survives_a_restart(make_server, clients, tmp_path):
    database = tmp_path / "kept.sqlite"
    first = make_server(database=database)
    alice = clients.identified(first, "alice")
    alice.chat("persisted " + KOREAN, receipt="p1")  # RECEIPT only after the store
    alice.close()
    first.terminate()
    second = make_server(database=database)
    history = clients.identified(second, "bob").welcome["history"]
    assert [m["text"] for m in history] == ["persisted " + KOREAN]


def test_chat_message_payload_shape(server, clients):
    alice = clients.identified(server, "alice")
    alice.chat("shape", receipt="s")
    frame = alice.wait_frame(lambda f: f.command == "MESSAGE" and b"shape" in f.body)
    assert frame.headers["destination"] == CHAT
    assert frame.headers.get("subscription") == "sub-0"
    assert "message-id" in frame.headers
    assert frame.headers.get("content-type", "").startswith("application/json")
    payload = json.loads(frame.body)
    assert set(payload) == {"type", "id", "user", "text", "at"}
