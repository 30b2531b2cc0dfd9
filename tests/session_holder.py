"""Child process for the end-to-end tests: holds one identified Lobby session.

usage: session_holder.py PORT NAME sockjs|raw CX,CY LIFETIME_SECONDS

Connects (STOMP heart-beat CX,CY), subscribes, identifies as NAME, prints `READY <session id>`
and then keeps the session alive (the client's reader thread answers pings and sends the
negotiated heart-beats) until it is killed or frozen by the test, or LIFETIME_SECONDS pass.
"""

import sys
import time

import lobbytest


class _Port:
    """The bits of LobbyServer that the clients need, for a server this process did not start."""

    def __init__(self, port: int):
        self.port = port

    sockjs_url = lobbytest.LobbyServer.sockjs_url
    raw_url = lobbytest.LobbyServer.raw_url


def main() -> int:
    port, name, kind, heartbeat, lifetime = sys.argv[1:6]
    cx, cy = (int(part) for part in heartbeat.split(","))
    client = lobbytest.identified_client(_Port(int(port)), name, kind, heartbeat=(cx, cy))
    print(f"READY {client.session_id}", flush=True)
    deadline = time.monotonic() + float(lifetime)
    while time.monotonic() < deadline and not client.is_closed:
        time.sleep(0.05)
    client.close_abruptly()
    return 0


if __name__ == "__main__":
    sys.exit(main())
