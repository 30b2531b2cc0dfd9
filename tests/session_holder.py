"""Child process for the end-to-end tests: holds one identified Lobby session.

usage: session_holder.py PORT NAME sockjs|raw CX,CY LIFETIME_SECONDS

Connects (STOMP heart-beat CX,CY), subscribes, identifies as NAME (with the name's claim token
from $LOBBY_TEST_NAME_TOKEN, if set), prints `READY <session id> [<new claim token>]`
and then keeps the session alive (the client's reader thread answers pings and sends the
negotiated heart-beats) until it is killed or frozen by the test, or LIFETIME_SECONDS pass.
"""

import os
import sys
import time

import lobbytest


class _Port:
    """The bits of LobbyServer that the clients need, for a server this process did not start."""

    ws_scheme = "ws"  # the holder's servers speak plain HTTP

    def __init__(self, port: int):
        self.port = port

    def websocket_sslopt(self) -> None:
        return None

    sockjs_url = lobbytest.LobbyServer.sockjs_url
    raw_url = lobbytest.LobbyServer.raw_url


def main() -> int:
    port, name, kind, heartbeat, lifetime = sys.argv[1:6]
    cx, cy = (int(part) for part in heartbeat.split(","))
    if "LOBBY_TEST_NAME_TOKEN" in os.environ:
        lobbytest.NAME_TOKENS[name.strip()] = os.environ["LOBBY_TEST_NAME_TOKEN"]
    client = lobbytest.identified_client(_Port(int(port)), name, kind, heartbeat=(cx, cy))
    # The token of a claim this welcome made, for the test process to send next time.
    token = (client.welcome or {}).get("token", "")
    print(f"READY {client.session_id} {token}".rstrip(), flush=True)
    deadline = time.monotonic() + float(lifetime)
    while time.monotonic() < deadline and not client.is_closed:
        time.sleep(0.05)
    client.close_abruptly()
    return 0


if __name__ == "__main__":
    sys.exit(main())
