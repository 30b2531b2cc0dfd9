"""STOMP sessions over both transports: CONNECTED, identity and welcome, framing details."""

import re
import time

import pytest

from lobbytest import (
    ALL_DESTINATIONS, REPLY, encode_frame, is_chat, is_join, is_welcome, random_session_id,
)

KINDS = ["sockjs", "raw"]


@pytest.mark.parametrize("kind", KINDS)
def test_connected_headers(server, clients, kind):
    client = clients.open(server, kind)
    connected = client.connect(heartbeat=(0, 0))
    assert connected.command == "CONNECTED"
    assert connected.headers["version"] == "1.2"
    assert re.fullmatch(r"\d+,\d+", connected.headers["heart-beat"])
    assert connected.headers["server"].startswith("lobby/")
    session = connected.headers["session"]
    assert session
    if kind == "sockjs":
        # The SockJS session id (from the URL) is the STOMP session id.
        assert session == client.url_session_id


def test_sockjs_session_header_matches_a_long_url_id(server, clients):
    session_id = random_session_id(32)
    client = clients.sockjs(server, session_id=session_id, server_id="917")
    assert client.connect().headers["session"] == session_id


def test_raw_endpoint_session_ids_are_distinct(server, clients):
    ids = {clients.raw(server).connect().headers["session"] for _ in range(3)}
    assert len(ids) == 3


def test_connected_offers_the_configured_heartbeat(make_server, clients):
    server = make_server("--heartbeat-ms", "1500")
    client = clients.sockjs(server)
    connected = client.connect(heartbeat=(1000, 1000))
    sends, wants = (int(x) for x in connected.headers["heart-beat"].split(","))
    assert (sends, wants) == (1500, 1500)


@pytest.mark.parametrize("accept, expected", [("1.0,1.1,1.2", "1.2"), ("1.1", "1.1"), ("1.0", "1.0"), (None, "1.0")])
def test_version_negotiation(server, clients, accept, expected):
    client = clients.raw(server)
    assert client.connect(accept_version=accept).headers["version"] == expected


def test_stomp_command_is_accepted_like_connect(server, clients):
    client = clients.sockjs(server)
    assert client.connect(command="STOMP").command == "CONNECTED"


@pytest.mark.parametrize("kind", KINDS)
def test_identify_gets_welcome(server, clients, kind):
    client = clients.open(server, kind)
    client.connect()
    client.subscribe_all()
    welcome = client.identify("  alice  ")  # names are trimmed
    assert welcome["type"] == "welcome"
    assert welcome["sessionId"] == client.session_id
    assert welcome["user"] == "alice"
    assert welcome["members"] == [{"user": "alice", "sessions": 1}]
    assert welcome["history"] == []


def test_welcome_lists_every_member_once_with_session_counts(server, clients):
    clients.identified(server, "bob")
    clients.identified(server, "carol", "raw")
    clients.identified(server, "carol")
    dave = clients.identified(server, "dave", "raw")
    members = {m["user"]: m["sessions"] for m in dave.welcome["members"]}
    assert members == {"bob": 1, "carol": 2, "dave": 1}
    assert len(dave.welcome["members"]) == 3


def test_identity_32_characters_is_accepted(server, clients):
    name = "x" * 31 + "한"
    client = clients.identified(server, name)
    assert client.welcome["user"] == name


def test_receipts_for_subscribe_and_send(server, clients):
    client = clients.sockjs(server)
    client.connect()
    client.subscribe("/topic/chat", "c", receipt="sub-receipt")  # waits for it
    client.send_json("/app/identity", {"sessionId": client.session_id, "clientData": "rita"}, receipt="id-receipt")
    client.wait_receipt("id-receipt")
    client.chat("with receipt", receipt="chat-receipt")
    client.wait_for(is_chat("with receipt", "rita"))


def test_frames_split_across_sockjs_messages_and_batched(server, clients):
    client = clients.sockjs(server)
    connect = encode_frame("CONNECT", {"accept-version": "1.2", "heart-beat": "0,0"})
    client.send_sockjs(connect[:9])
    time.sleep(0.05)
    client.send_sockjs(connect[9:20], connect[20:])
    assert client.next_frame().command == "CONNECTED"
    # Three SUBSCRIBEs and an identity in one SockJS message, the last frame split in two strings.
    subscribes = [encode_frame("SUBSCRIBE", {"id": f"s{i}", "destination": d}) for i, d in enumerate(ALL_DESTINATIONS)]
    identity = encode_frame(
        "SEND", {"destination": "/app/identity"}, f'{{"sessionId":"{client.session_id}","clientData":"splitter"}}')
    client.send_sockjs(subscribes[0] + subscribes[1], subscribes[2] + identity[:15], identity[15:])
    assert client.wait_for(is_welcome(), destination=REPLY)["user"] == "splitter"


def test_raw_frames_split_across_websocket_messages(server, clients):
    client = clients.raw(server)
    connect = encode_frame("CONNECT", {"accept-version": "1.2", "heart-beat": "0,0"})
    client.send_text(connect[:7])
    client.send_text(connect[7:])
    assert client.next_frame().command == "CONNECTED"


def test_frames_without_content_length(server, clients):
    client = clients.raw(server)
    client.connect()
    client.send_frame("SUBSCRIBE", {"id": "r", "destination": REPLY}, content_length=False)
    client.send_frame(
        "SEND", {"destination": "/app/identity"},
        f'{{"sessionId":"{client.session_id}","clientData":"nolength"}}', content_length=False)
    assert client.wait_for(is_welcome())["user"] == "nolength"


def test_client_heartbeats_are_accepted(server, clients):
    client = clients.sockjs(server)
    client.connect()
    client.send_sockjs("\n", "\n")
    client.send_sockjs("\r\n")
    client.subscribe_all()
    assert client.identify("beater")["type"] == "welcome"


def test_join_is_not_sent_to_the_joiner(server, clients):
    bob = clients.identified(server, "bob")
    alice = clients.identified(server, "alice", "raw")
    assert bob.wait_for(is_join("alice")) ["sessions"] == 1
    alice.drain(0.5)
    assert alice.messages(is_join()) == []


def test_unsubscribe_stops_delivery(server, clients):
    alice = clients.identified(server, "alice")
    bob = clients.identified(server, "bob", "raw")
    bob.send_frame("UNSUBSCRIBE", {"id": "sub-0", "receipt": "unsub"})  # sub-0 is /topic/chat
    bob.wait_receipt("unsub")
    alice.chat("after unsubscribe", receipt="c1")
    alice.wait_for(is_chat("after unsubscribe"))
    bob.drain(0.5)
    assert bob.messages(is_chat()) == []


@pytest.mark.parametrize("destination, payload, expected", [
    ("/app/identity", "VALID", "welcome"),
    ("/app/identity", "{broken", "error"),
    ("/app/nowhere", '{"text":"x"}', "error"),
])
def test_private_reply_arrives_before_the_receipt_of_its_frame(server, clients, destination, payload, expected):
    """A RECEIPT says the frame was processed: the reply it caused must not come after it
    (else a client that stops reading at the RECEIPT, or DISCONNECTs, loses the reply)."""
    client = clients.raw(server)
    client.connect()
    client.subscribe_all()
    start = len(client.received)
    if payload == "VALID":
        payload = f'{{"sessionId":"{client.session_id}","clientData":"orderly"}}'
    client.send_json(destination, payload, receipt="after-reply")
    client.wait_receipt("after-reply")
    client.drain(0.3)
    sequence = [f.command if f.command != "MESSAGE" else f.json()["type"] for f in client.received[start:]]
    assert sequence == [expected, "RECEIPT"], f"frames in order of arrival: {sequence}"


def test_replies_to_frames_before_disconnect_are_delivered(server, clients):
    client = clients.identified(server, "leaver", "raw")
    client.send_json("/app/nowhere", {"text": "x"})
    client.disconnect(receipt="bye")
    client.drain(0.3)
    assert client.messages(lambda m: m.get("code") == "unknown-destination"), \
        f"the error for the frame before DISCONNECT was lost; got {client.received[3:]}"
