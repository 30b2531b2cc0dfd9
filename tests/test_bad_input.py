"""Bad input: each gets a clear answer (a private error, or STOMP ERROR and close), closes at
most the offending session, and never disturbs the bystander session or the server
(`healthy()` checks that at the end of every test)."""

import json
import time

import pytest
import websocket

from lobbytest import (
    REPLY, encode_frame, is_chat, is_error, is_join, is_leave, is_presence,
)

KINDS = ["sockjs", "raw"]


def expect_error_and_close(client):
    """A STOMP ERROR frame with a `message` header, then the connection closes."""
    error = client.wait_error_frame()
    assert error.headers.get("message"), f"ERROR without a message header: {error}"
    client.wait_closed()
    return error


def anonymous(server, clients, kind):
    client = clients.open(server, kind)
    client.connect()
    client.subscribe_all()
    return client


# -- protocol violations: STOMP ERROR, then close --


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("garbage", [
    "hello, this is not STOMP",
    "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x00",
    "\x01\x02\x03\x7f garbage\n\n\x00",
    "connect\naccept-version:1.2\n\n\x00",  # commands are case-sensitive
])
def test_non_stomp_text_before_connect(room, clients, healthy, kind, garbage):
    server, bystander = room
    client = clients.open(server, kind)
    if kind == "sockjs":
        client.send_sockjs(garbage)
    else:
        client.send_text(garbage)
    expect_error_and_close(client)
    healthy()


def test_garbage_binary_frame_before_connect(room, clients, healthy):
    server, bystander = room
    client = clients.raw(server)
    client.send_bytes(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\xfe\xff garbage\n\n\x00",
                      opcode=websocket.ABNF.OPCODE_BINARY)
    expect_error_and_close(client)
    healthy()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command, headers, body", [
    ("SEND", {"destination": "/app/chat"}, '{"text":"too early"}'),
    ("SUBSCRIBE", {"id": "s", "destination": "/topic/chat"}, ""),
])
def test_frame_before_connect(room, clients, healthy, kind, command, headers, body):
    server, bystander = room
    client = clients.open(server, kind)
    client.send_frame(command, headers, body)
    expect_error_and_close(client)
    bystander.drain(0.2)
    assert bystander.messages(is_chat("too early")) == []
    healthy()


@pytest.mark.parametrize("connect_headers", [
    {"accept-version": "1.2", "heart-beat": "soon,later"},
    {"accept-version": "1.2", "heart-beat": "-5,10"},
    {"accept-version": "2.0"},
])
def test_bad_connect_headers(room, clients, healthy, connect_headers):
    server, bystander = room
    client = clients.raw(server)
    client.send_frame("CONNECT", connect_headers)
    expect_error_and_close(client)
    healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_command_after_connect(room, clients, healthy, kind):
    server, bystander = room
    client = anonymous(server, clients, kind)
    client.send_frame("FROBNICATE", {"destination": "/app/chat"}, "x")
    expect_error_and_close(client)
    healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_oversized_frame(room, clients, healthy, kind):
    server, bystander = room
    client = clients.identified(server, "bigmouth", kind)
    body = json.dumps({"text": "x" * (70 * 1024)})  # > 64 KiB
    client.send_frame("SEND", {"destination": "/app/chat"}, body)
    error = expect_error_and_close(client)
    assert error.command == "ERROR"
    assert bystander.wait_for(is_leave("bigmouth"))["reason"] == "closed"
    assert bystander.messages(is_chat(user="bigmouth")) == []
    healthy()


def test_oversized_frame_split_across_messages(room, clients, healthy):
    server, bystander = room
    client = anonymous(server, clients, "sockjs")
    frame = encode_frame("SEND", {"destination": "/app/chat"}, json.dumps({"text": "y" * (80 * 1024)}))
    for start in range(0, len(frame), 8 * 1024):
        if client.is_closed:
            break
        client.send_sockjs(frame[start:start + 8 * 1024])
    expect_error_and_close(client)
    healthy()


def test_endless_headers_without_terminator(room, clients, healthy):
    server, bystander = room
    client = anonymous(server, clients, "raw")
    chunk = "SEND\n" + "".join(f"x-header-{i}:{'v' * 90}\n" for i in range(100))  # ~10 KB, no blank line
    for _ in range(10):
        if client.is_closed:
            break
        client.send_text(chunk)
        chunk = "".join(f"x-more-{i}:{'v' * 90}\n" for i in range(100))
    expect_error_and_close(client)
    healthy()


def test_configured_frame_limit(make_server, clients):
    server = make_server("--max-frame-bytes", "2048")
    bystander = clients.identified(server, "bystander")
    client = clients.identified(server, "chatty", "raw")
    client.chat("a" * 1500, receipt="fits")  # below the limit: fine
    bystander.wait_for(is_chat("a" * 1500))
    client.chat("b" * 3000)
    expect_error_and_close(client)
    assert bystander.wait_for(is_leave("chatty"))["reason"] == "closed"


@pytest.mark.parametrize("kind", KINDS)
def test_frame_flood(room, clients, healthy, kind):
    server, bystander = room
    client = clients.identified(server, "flooder", kind)
    bystander.wait_for(is_join("flooder"))
    frames = "".join(encode_frame("UNSUBSCRIBE", {"id": f"none-{i}"}) for i in range(100))
    for _ in range(20):  # 2000 frames, far beyond the frame burst
        if client.is_closed:
            break
        try:
            client.send_stomp(frames)
        except (websocket.WebSocketException, OSError):
            break
    expect_error_and_close(client)
    assert bystander.wait_for(is_leave("flooder"))["reason"] == "closed"
    healthy()


# -- transport-level violations --


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_utf8_in_a_text_frame_closes_with_1007(room, clients, healthy, kind):
    server, bystander = room
    client = clients.identified(server, "mojibake", kind)
    client.send_bytes(b'["SEND\\ndestination:/app/chat\\n\\n{\\"text\\":\\"\xff\xfe\\"}\\u0000"]'
                      if kind == "sockjs" else b'SEND\ndestination:/app/chat\n\n{"text":"\xc3\x28"}\x00')
    info = client.wait_closed()
    assert info.ws_code == 1007, info
    assert bystander.wait_for(is_leave("mojibake"))["reason"] == "closed"
    healthy()


@pytest.mark.parametrize("broken", ['["CONNECT', "not json at all", '{"a":1}', "[1,2]", '"just a string"'])
def test_broken_sockjs_json_closes_the_session(room, clients, healthy, broken):
    server, bystander = room
    client = clients.identified(server, "brokenjson")
    client.send_text(broken)
    info = client.wait_closed()
    assert info.how in ("close-frame", "sockjs-close", "eof"), info
    leave = bystander.wait_for(is_leave("brokenjson"))
    assert leave["reason"] == "closed"
    healthy()


def test_empty_sockjs_messages_are_ignored(room, clients, healthy):
    server, bystander = room
    client = clients.identified(server, "quiet")
    client.send_text("")
    client.send_text("[]")
    client.chat("after empty", receipt="e")
    bystander.wait_for(is_chat("after empty", "quiet"))
    healthy()


# -- application errors: a private error, the session stays --


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("payload", ["{not json", '{"sessionId":', "", "\u00ff\u00fe"])
def test_bad_json_identity_payload(room, clients, healthy, kind, payload):
    server, bystander = room
    client = anonymous(server, clients, kind)
    client.send_json("/app/identity", payload)
    reply = client.wait_for(is_error(), destination=REPLY)
    assert reply["code"] == "invalid-json", reply
    assert reply["message"]
    assert not client.is_closed
    assert client.identify("recovered")["type"] == "welcome"
    healthy()


@pytest.mark.parametrize("payload", ["{\"text\":", "[]", "42", "{\"text\": 5}", "{\"txt\":\"hi\"}"])
def test_bad_json_chat_payload(room, clients, healthy, payload):
    server, bystander = room
    client = clients.identified(server, "typo", "raw")
    client.send_json("/app/chat", payload)
    reply = client.wait_for(is_error(), destination=REPLY)
    assert reply["code"] == "invalid-json", reply
    client.chat("fixed", receipt="f")
    bystander.wait_for(is_chat("fixed", "typo"))
    healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_send_destination(room, clients, healthy, kind):
    server, bystander = room
    client = clients.identified(server, "lost", kind)
    client.send_json("/app/nowhere", {"text": "hi"})
    reply = client.wait_for(is_error(), destination=REPLY)
    assert reply["code"] == "unknown-destination"
    client.send_json("/topic/chat", {"type": "message", "user": "forged", "text": "forged"})
    assert client.wait_for(is_error(), destination=REPLY)["code"] == "unknown-destination"
    bystander.drain(0.3)
    assert bystander.messages(is_chat("forged")) == []
    assert not client.is_closed
    healthy()


def test_unknown_subscribe_destination(room, clients, healthy):
    server, bystander = room
    client = clients.identified(server, "explorer", "raw")
    client.subscribe("/topic/secrets", "x")
    client.subscribe("/user/other-session/queue/reply", "y")
    codes = [client.wait_for(is_error(), destination=REPLY)["code"] for _ in range(2)]
    assert codes == ["unknown-destination"] * 2
    assert not client.is_closed
    healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_chat_before_identity(room, clients, healthy, kind):
    server, bystander = room
    client = anonymous(server, clients, kind)
    client.chat("who am I")
    reply = client.wait_for(is_error(), destination=REPLY)
    assert reply["code"] == "not-identified"
    bystander.drain(0.3)
    assert bystander.messages(is_chat("who am I")) == []
    assert not client.is_closed
    healthy()


@pytest.mark.parametrize("name", [
    "",
    "   ",
    "x" * 33,
    "한" * 33,
    "bell\x07name",
    "new\nline",
    "nul\x00name",
    "del\x7fname",
    "evil\u202egnp.exe",  # RIGHT-TO-LEFT OVERRIDE
    "iso\u2066late",  # LEFT-TO-RIGHT ISOLATE
    "mark\u200fname",  # RIGHT-TO-LEFT MARK
])
def test_invalid_names(room, clients, healthy, name):
    server, bystander = room
    client = anonymous(server, clients, "sockjs")
    reply = client.identify(name)
    assert reply["type"] == "error" and reply["code"] == "invalid-name", (name, reply)
    bystander.drain(0.3)
    assert [m for m in bystander.messages(is_presence()) if m["user"] != "bystander"] == []
    assert not client.is_closed
    healthy()


@pytest.mark.parametrize("text, code", [
    ("x" * 4001, "invalid-text"),
    ("한" * 4001, "invalid-text"),
    ("", "invalid-text"),
    ("   \n\t ", "invalid-text"),
])
def test_invalid_chat_text(room, clients, healthy, text, code):
    server, bystander = room
    client = clients.identified(server, "writer", "raw")
    client.chat(text)
    assert client.wait_for(is_error(), destination=REPLY)["code"] == code
    client.chat("한" * 4000, receipt="max")  # exactly the limit is fine
    bystander.wait_for(is_chat("한" * 4000, "writer"))
    healthy()


def test_chat_text_is_trimmed(room, clients, healthy):
    server, bystander = room
    client = clients.identified(server, "spacey")
    client.chat("   padded   ", receipt="t")
    assert bystander.wait_for(is_chat(user="spacey"))["text"] == "padded"
    healthy()


@pytest.mark.parametrize("kind", KINDS)
def test_chat_flood_is_rate_limited(room, clients, healthy, kind):
    server, bystander = room
    client = clients.identified(server, "flooder", kind)
    for i in range(40):
        client.chat(f"flood {i}")
    error = client.wait_for(is_error("rate-limited"), destination=REPLY)
    assert error["message"]
    client.chat("flood marker", receipt="m")  # likely dropped too; waits for order
    bystander.drain(0.5)
    delivered = [m["text"] for m in bystander.messages(is_chat(user="flooder"))]
    assert len(delivered) >= 20, "the burst (20) must get through"
    assert len(delivered) < 41, "the flood was not limited"
    assert delivered[:20] == [f"flood {i}" for i in range(20)]
    assert not client.is_closed
    time.sleep(1.0)  # tokens refill at 5/s
    client.chat("after the flood", receipt="a")
    bystander.wait_for(is_chat("after the flood", "flooder"))
    healthy()


def test_content_length_that_lies(room, clients, healthy):
    server, bystander = room
    client = anonymous(server, clients, "raw")
    client.send_text('SEND\ndestination:/app/chat\ncontent-length:5\n\n{"text":"longer than five"}\x00')
    expect_error_and_close(client)
    healthy()


@pytest.mark.parametrize("payload", [
    {"sessionId": None, "clientData": "x"},
    {"clientData": "x"},
    {"sessionId": "SELF", "clientData": 42},
    {"sessionId": "SELF"},
])
def test_identity_with_missing_or_mistyped_fields(room, clients, healthy, payload):
    server, bystander = room
    client = anonymous(server, clients, "sockjs")
    payload = {k: (client.session_id if v == "SELF" else v) for k, v in payload.items()}
    client.send_json("/app/identity", payload)
    reply = client.wait_for(is_error(), destination=REPLY)
    assert reply["code"] in ("invalid-json", "invalid-name", "session-mismatch"), reply
    bystander.drain(0.2)
    assert [m for m in bystander.messages(is_presence()) if m["user"] != "bystander"] == []
    healthy()


def test_frames_piled_behind_a_pending_chat_wait_their_turn(server, clients):
    """Frames that arrive while a chat is being stored wait in memory (past a bound the server
    stops reading instead): a client that pipelines hundreds of them behind a chat is slowed, not
    cut off, and each is handled in order after the chat went out."""
    bystander = clients.identified(server, "bystander")
    sender = clients.identified(server, "sender", "raw")
    chat = encode_frame("SEND", {"destination": "/app/chat", "content-type": "application/json"},
                        json.dumps({"text": "first"}))
    piled = encode_frame("UNSUBSCRIBE", {"id": "nothing"}) * 300
    last = encode_frame("UNSUBSCRIBE", {"id": "nothing", "receipt": "after-the-pile"})
    sender.send_stomp(chat + piled + last)
    sender.wait_receipt("after-the-pile")
    # The chat was broadcast before the frames behind it were handled.
    assert sender.wait_for(is_chat("first", "sender"))
    bystander.wait_for(is_chat("first", "sender"))
    assert not sender.is_closed
    assert not bystander.is_closed
