"""`make cluster` as a newcomer runs it: scripts/cluster.sh (private PostgreSQL, two nodes, nginx
in front hashing the SockJS session id), then clients through the proxy only."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from lobbytest import HOST, PREFIX, REPO_ROOT, identified_client, is_chat, is_join, server_binary, wait_until
from sockjshttp import HTTPStompClient
from tmuxtest import client_command, has_notice, tmux  # noqa: F401 (tmux is a fixture)

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
                                reason="nginx is not installed (make deps installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Proxy:
    """What the client helpers need of a server: where to connect."""

    def __init__(self, port: int):
        self.port = port

    def websocket_sslopt(self) -> None:
        return None  # nginx here speaks plain HTTP

    def sockjs_url(self, session_id: str, server_id: str = "000", prefix: str = PREFIX) -> str:
        return f"ws://{HOST}:{self.port}{prefix}/{server_id}/{session_id}/websocket"

    def raw_url(self, prefix: str = PREFIX) -> str:
        return f"ws://{HOST}:{self.port}{prefix}/websocket"

    def http_url(self, path: str = PREFIX) -> str:
        return f"http://{HOST}:{self.port}{path}"


@pytest.fixture
def cluster(tmp_path):
    port = free_port()
    directory = tmp_path / "cluster"
    environment = dict(os.environ, BUILD_DIR=str(server_binary().parent.parent), CLUSTER_PORT=str(port), CLUSTER_NODE_PORT_BASE="0",
                       CLUSTER_DIR=str(directory), CLUSTER_LEASE_MS="3000")
    log = open(tmp_path / "cluster.log", "wb")
    process = subprocess.Popen([str(REPO_ROOT / "scripts" / "cluster.sh"), "2"], stdout=log, stderr=subprocess.STDOUT,
                               env=environment, cwd=REPO_ROOT, start_new_session=True)
    try:
        wait_until(lambda: b"nginx on" in (tmp_path / "cluster.log").read_bytes() or process.poll() is not None,
                   timeout=60, what="cluster.sh to start")
        assert process.poll() is None, (tmp_path / "cluster.log").read_text()
        yield Proxy(port), directory
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()
    assert not (directory / "nginx" / "nginx.pid").exists() or not _alive(directory / "nginx" / "nginx.pid")


def _alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text().strip()), 0)
        return True
    except (OSError, ValueError):
        return False


def node_of(directory: Path, session_id: str) -> str:
    """The node whose log shows the session start; `session_id` may be cut short with "…"
    (the terminal client's status line shows the first characters)."""
    prefix = session_id.rstrip("…")
    pattern = re.compile(rf"session={re.escape(prefix)}\S* transport=")
    if not prefix:
        return "?"
    for log in sorted(directory.glob("node-*.log")):
        if pattern.search(log.read_text(errors="replace")):
            return log.stem
    return "?"


def test_clients_through_the_proxy_share_one_lobby_across_nodes(cluster):
    proxy, directory = cluster
    clients = [identified_client(proxy, f"user{i}") for i in range(8)]
    # A SockJS HTTP transport too: its requests must all reach the same node.
    streaming = HTTPStompClient(proxy, "xhr_streaming")
    try:
        streaming.connect()
        streaming.subscribe_all()
        assert streaming.identify("streamer")["type"] == "welcome"
        wait_until(lambda: {node_of(directory, c.session_id) for c in clients} == {"node-1", "node-2"},
                   timeout=10, what="the sessions to be spread over both nodes")
        for client in clients:
            client.wait_for(is_join("streamer"), timeout=10)
        clients[0].chat("through nginx")
        for client in clients[1:]:
            assert client.wait_for(is_chat("through nginx"), timeout=10)["user"] == "user0"
        assert streaming.wait_for(is_chat("through nginx"), timeout=10)["user"] == "user0"
    finally:
        for client in clients:
            client.close_abruptly()
        streaming.close_abruptly()


def session_on_screen(screen: str) -> str:
    """The session id the status line shows: `connected as NAME (session ID) …`."""
    match = re.search(r"\(session ([^)\s]+)\)", screen.split("\n", 1)[0])
    return match.group(1) if match else ""


def node_pid(directory: Path, node: str) -> int:
    result = subprocess.run(["pgrep", "-f", "--", f"--node-id {node} "], capture_output=True, text=True, timeout=10)
    pids = [int(p) for p in result.stdout.split()]
    assert len(pids) == 1, f"pgrep for {node}: {result.stdout!r}"
    return pids[0]


def test_terminal_clients_see_a_lost_node_leave_with_its_reason(cluster, tmux):
    proxy, directory = cluster
    alice = tmux.terminal("alice", client_command(proxy, "alice"), width=100, height=30)
    alice.wait_connected("alice", timeout=15)
    alice_node = node_of(directory, session_on_screen(alice.capture()))
    assert alice_node != "?", f"alice's session is on no node\n{alice.last_screen}"
    # Users that do not reconnect (these test clients have no retry), until some land on the
    # other node: the proxy hashes their random session ids.
    users = []
    try:
        for i in range(12):
            users.append(identified_client(proxy, f"user{i}"))
        placed = {client.user: node_of(directory, client.session_id) for client in users}
        away = sorted(name for name, node in placed.items() if node not in (alice_node, "?"))
        assert away, f"every user landed on alice's node: {placed}"
        lost_node = placed[away[0]]
        alice.wait_members(["alice", *placed])
        os.kill(node_pid(directory, lost_node), signal.SIGKILL)
        for name in away:
            alice.wait_for(lambda s: has_notice(s, f"<-- {name} left (server node lost)"),
                           f"'<-- {name} left (server node lost)'", timeout=15)
        alice.wait_members(["alice", *(name for name in placed if name not in away)])
        assert "connected as alice" in alice.capture().split("\n", 1)[0], "alice's node is still serving her"
    finally:
        for client in users:
            client.close_abruptly()
