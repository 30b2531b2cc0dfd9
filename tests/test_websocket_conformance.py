"""RFC 6455 conformance: the raw WebSocket test services (/echo/websocket, /close/websocket), a
fast subset of Autobahn|Testsuite against the echo (all of it: `make conformance`), and the same
close-code and UTF-8 rules on the STOMP endpoints (raw and SockJS)."""

from __future__ import annotations

import importlib.util
import os
import struct
import sys

import pytest
import websocket
from websocket import ABNF

from lobbytest import REPO_ROOT, random_session_id

_spec = importlib.util.spec_from_file_location("conformance", REPO_ROOT / "scripts/autobahn/conformance.py")
conformance = importlib.util.module_from_spec(_spec)
sys.modules["conformance"] = conformance
_spec.loader.exec_module(conformance)

# One or more cases of each group, with the behaviour each must have. Invalid UTF-8 inside a
# fragmented message is found when the message is complete, not at the first bad fragment:
# Autobahn calls that NON-STRICT (see docs/protocol.md).
AUTOBAHN_SUBSET = {
    "1.1.1": "OK", "1.1.6": "OK", "1.2.4": "OK", "1.2.8": "OK",  # text and binary echo, up to 64 KiB
    "2.1": "OK", "2.5": "OK", "2.10": "OK",  # pings, a 126-byte ping, ten pings
    "3.1": "OK", "3.3": "OK", "3.7": "OK",  # reserved bits
    "4.1.1": "OK", "4.1.5": "OK", "4.2.3": "OK",  # reserved opcodes
    "5.1": "OK", "5.6": "OK", "5.9": "OK", "5.15": "OK", "5.19": "OK",  # fragmentation
    "6.1.3": "OK", "6.2.2": "OK", "6.3.1": "OK", "6.4.1": "OK", "6.4.2": "OK", "6.4.3": "NON-STRICT", "6.6.4": "OK",  # UTF-8
    "6.12.1": "OK", "6.22.34": "OK", "6.23.7": "OK",
    "7.1.1": "OK", "7.1.6": "INFORMATIONAL", "7.3.1": "OK", "7.3.2": "OK", "7.3.6": "OK",  # closing
    "7.5.1": "OK", "7.7.10": "OK", "7.9.3": "OK", "7.13.1": "INFORMATIONAL",
    "9.1.1": "OK", "9.2.1": "OK", "10.1.1": "OK",  # 64 KiB messages, auto-fragmentation
}


@pytest.fixture
def test_services(make_server):
    return make_server("--sockjs-test-services")


def ws_url(server, path: str) -> str:
    return f"ws://127.0.0.1:{server.port}{path}"


def server_close(ws) -> tuple[int, bytes]:
    """Reads frames until the server's close frame; returns its code and reason."""
    for _ in range(50):
        opcode, frame = ws.recv_data_frame(True)
        if opcode == ABNF.OPCODE_CLOSE:
            code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else None
            return code, frame.data[2:]
    raise AssertionError("no close frame among the first 50 frames")


def send_raw_frame(ws, first_byte: int, payload: bytes = b"") -> None:
    """A masked frame with any first byte (FIN, reserved bits, opcode), which websocket-client
    refuses to build; `payload` under 126 bytes."""
    mask = os.urandom(4)
    masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
    ws.sock.sendall(bytes([first_byte, 0x80 | len(payload)]) + mask + masked)


def send_close_payload(ws, payload: bytes) -> None:
    """A close frame with any payload, valid or not (websocket-client's send_close checks)."""
    ws.send(payload, ABNF.OPCODE_CLOSE)


# -- the raw test services --


@pytest.mark.parametrize("text", ["hello", "\uffff", "𝄞 astral 😀 \U0010fffd", "한국어 👩‍👩‍👧", ""])
def test_raw_echo_sends_text_back_as_text(test_services, text):
    ws = websocket.create_connection(ws_url(test_services, "/echo/websocket"), timeout=5)
    try:
        ws.send(text)
        opcode, data = ws.recv_data()
        assert (opcode, data.decode("utf-8")) == (ABNF.OPCODE_TEXT, text)
    finally:
        ws.close()


def test_raw_echo_sends_binary_back_as_binary(test_services):
    payload = bytes(range(256)) * 300  # 76 800 bytes: more than one TCP segment, one message
    ws = websocket.create_connection(ws_url(test_services, "/echo/websocket"), timeout=5)
    try:
        ws.send_binary(payload)
        assert ws.recv_data() == (ABNF.OPCODE_BINARY, payload)
        ws.send_close()
        assert server_close(ws)[0] == 1000
    finally:
        ws.close()


def test_raw_echo_sends_no_sockjs_frames(test_services):
    ws = websocket.create_connection(ws_url(test_services, "/echo/websocket"), timeout=5)
    try:
        ws.send('["not unwrapped"]')
        assert ws.recv() == '["not unwrapped"]'  # the first frame is the echo, not SockJS's "o"
    finally:
        ws.close()


def test_raw_close_service_closes_with_3000_go_away(test_services):
    ws = websocket.create_connection(ws_url(test_services, "/close/websocket"), timeout=5)
    try:
        assert server_close(ws) == (3000, b"Go away!")
    finally:
        ws.close()


# -- Autobahn|Testsuite, a subset --


def test_autobahn_subset(test_services, tmp_path):
    if not (conformance.autobahn_dir() / "autobahntestsuite").exists():
        pytest.fail(f"Autobahn|Testsuite is not in {conformance.autobahn_dir()}: run `make deps-autobahn`")
    results = conformance.run_wstest(
        ws_url(test_services, "/echo/websocket"), sorted(AUTOBAHN_SUBSET), tmp_path, timeout=120)
    behaviours = {case: entry["behavior"] for case, entry in results.items()}
    assert behaviours == AUTOBAHN_SUBSET, conformance.format_summary(results)


# -- the same rules on every endpoint --


def open_endpoint(server, kind: str):
    """A WebSocket on one of the endpoints: the raw echo, raw STOMP, or SockJS's transport."""
    if kind == "echo":
        return websocket.create_connection(ws_url(server, "/echo/websocket"), timeout=5)
    if kind == "raw-stomp":
        return websocket.create_connection(server.raw_url(), timeout=5)
    ws = websocket.create_connection(server.sockjs_url(random_session_id()), timeout=5)
    assert ws.recv() == "o"
    return ws


ENDPOINTS = ["echo", "raw-stomp", "sockjs"]


@pytest.mark.parametrize("kind", ENDPOINTS)
@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_a_bad_close_code_is_answered_1002(test_services, kind, code):
    ws = open_endpoint(test_services, kind)
    try:
        send_close_payload(ws, struct.pack("!H", code))
        assert server_close(ws)[0] == 1002
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_a_one_byte_close_payload_is_answered_1002(test_services, kind):
    ws = open_endpoint(test_services, kind)
    try:
        send_close_payload(ws, b"\x03")
        assert server_close(ws)[0] == 1002
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
@pytest.mark.parametrize("code", [1000, 1001, 3000, 4999])
def test_a_valid_close_code_is_echoed(test_services, kind, code):
    ws = open_endpoint(test_services, kind)
    try:
        send_close_payload(ws, struct.pack("!H", code) + "bye ✓".encode())
        assert server_close(ws)[0] == code
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_a_close_reason_that_is_not_utf8_is_answered_1007(test_services, kind):
    ws = open_endpoint(test_services, kind)
    try:
        send_close_payload(ws, struct.pack("!H", 1000) + b"\xce\xba\xed\xa0\x80")
        assert server_close(ws)[0] == 1007
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_text_that_is_not_utf8_fails_the_connection_with_1007(test_services, kind):
    ws = open_endpoint(test_services, kind)
    try:
        ws.send(b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80", ABNF.OPCODE_TEXT)  # a surrogate
        assert server_close(ws)[0] == 1007
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
@pytest.mark.parametrize("first_byte", [0x80 | 0x40 | 0x1, 0x80 | 0x10 | 0x1, 0x80 | 0x3, 0x80 | 0xB],
                         ids=["rsv1-text", "rsv3-text", "opcode-3", "opcode-11"])
def test_reserved_bits_and_opcodes_fail_the_connection_with_1002(test_services, kind, first_byte):
    ws = open_endpoint(test_services, kind)
    try:
        send_raw_frame(ws, first_byte, b"x")
        assert server_close(ws)[0] == 1002
    finally:
        ws.close()


@pytest.mark.parametrize("kind", ENDPOINTS)
def test_a_continuation_without_a_message_fails_the_connection_with_1002(test_services, kind):
    ws = open_endpoint(test_services, kind)
    try:
        send_raw_frame(ws, 0x80 | 0x0, b"orphan")
        assert server_close(ws)[0] == 1002
    finally:
        ws.close()
