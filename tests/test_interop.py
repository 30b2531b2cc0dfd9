"""Interop with third-party clients: stomp.py's WSStompConnection over the raw endpoint, and
websocket-client over the SockJS transport (that is what SockJSClient is built on)."""

import json
import socket
import threading
import time

import stomp

from lobbytest import HOST, is_chat, is_join, is_leave


class Recorder(stomp.ConnectionListener):
    """Collects what stomp.py hands its listener; waits are bounded."""

    def __init__(self):
        self.connected_headers = None
        self.messages = []
        self.receipts = []
        self.errors = []
        self.disconnected = threading.Event()
        self._changed = threading.Condition()

    def on_connected(self, frame):
        with self._changed:
            self.connected_headers = dict(frame.headers)
            self._changed.notify_all()

    def on_message(self, frame):
        with self._changed:
            self.messages.append((frame.headers.get("destination"), json.loads(frame.body)))
            self._changed.notify_all()

    def on_receipt(self, frame):
        with self._changed:
            self.receipts.append(frame.headers.get("receipt-id"))
            self._changed.notify_all()

    def on_error(self, frame):
        with self._changed:
            self.errors.append(frame)
            self._changed.notify_all()

    def on_disconnected(self):
        self.disconnected.set()

    def wait(self, condition, timeout=5.0, what="condition"):
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"stomp.py: no {what} within {timeout}s; messages {self.messages}")
                self._changed.wait(remaining)

    def message(self, predicate, timeout=5.0, what="message"):
        found = []

        def check():
            found[:] = [body for _, body in self.messages if predicate(body)]
            return bool(found)
        self.wait(check, timeout, what)
        return found[0]


def stomp_py_connection(server):
    connection = stomp.WSStompConnection(
        [(HOST, server.port)], ws_path="/connection/websocket", timeout=5, reconnect_attempts_max=1)
    recorder = Recorder()
    connection.set_listener("recorder", recorder)
    connection.connect(wait=True, headers={"heart-beat": "0,0"})
    return connection, recorder


def test_stomp_py_over_the_raw_endpoint(server, clients):
    observer = clients.identified(server, "observer")
    connection, recorder = stomp_py_connection(server)
    try:
        headers = recorder.connected_headers
        assert headers["version"] == "1.2"
        assert headers["server"].startswith("lobby/")
        session_id = headers["session"]
        for index, destination in enumerate(("/topic/chat", "/topic/presence", "/user/queue/reply")):
            connection.subscribe(destination, id=f"py-{index}", ack="auto")
        connection.send("/app/identity", json.dumps({"sessionId": session_id, "clientData": "pyuser"}),
                        content_type="application/json", headers={"receipt": "id-1"})
        welcome = recorder.message(lambda m: m.get("type") == "welcome", what="welcome")
        assert welcome["user"] == "pyuser" and welcome["sessionId"] == session_id
        assert {"user": "observer", "sessions": 1} in welcome["members"]
        assert observer.wait_for(is_join("pyuser"))["sessions"] == 1

        text = "stomp.py says 안녕 👋"
        connection.send("/app/chat", json.dumps({"text": text}, ensure_ascii=False),
                        content_type="application/json", headers={"receipt": "chat-1"})
        recorder.wait(lambda: "chat-1" in recorder.receipts, what="chat receipt")
        assert recorder.message(lambda m: m.get("type") == "message" and m.get("text") == text)["user"] == "pyuser"
        assert observer.wait_for(is_chat(text))["user"] == "pyuser"

        observer.chat("hello stomp.py", receipt="o1")
        recorder.message(lambda m: m.get("text") == "hello stomp.py", what="chat from observer")
        assert recorder.errors == []
    finally:
        connection.disconnect(receipt="py-bye")
    assert observer.wait_for(is_leave("pyuser"))["reason"] == "quit"


def test_stomp_py_closing_the_socket_is_closed(server, clients):
    observer = clients.identified(server, "observer", "raw")
    connection, recorder = stomp_py_connection(server)
    session_id = recorder.connected_headers["session"]
    connection.subscribe("/user/queue/reply", id="r", ack="auto")
    connection.send("/app/identity", json.dumps({"sessionId": session_id, "clientData": "dropper"}))
    recorder.message(lambda m: m.get("type") == "welcome", what="welcome")
    # No DISCONNECT frame: shut the TCP connection down under stomp.py (its own
    # disconnect_socket() only close()s the fd, which sends no FIN while its reader thread
    # is blocked in recv on it).
    connection.transport.socket.sock.shutdown(socket.SHUT_RDWR)
    try:
        assert observer.wait_for(is_leave("dropper"), timeout=2)["reason"] == "closed"
    finally:
        connection.transport.disconnect_socket()


def test_websocket_client_over_sockjs_transport(server, clients):
    """SockJSClient is websocket-client + SockJS framing: the full flow through it."""
    alice = clients.identified(server, "alice")
    bob = clients.identified(server, "bob")
    alice.chat("over sockjs", receipt="s")
    assert bob.wait_for(is_chat("over sockjs"))["user"] == "alice"
    assert alice.raw_messages[0] == "o"
    assert all(m[:1] in "oahc" for m in alice.raw_messages)
