"""Fixtures for the end-to-end tests: a fresh lobby-server per test (temp dir, SQLite file,
port 0) and client bookkeeping, so every process and socket a test opens is closed after it.
On failure the server's log tail is attached to the report."""

from __future__ import annotations

import pytest

import lobbytest
from lobbytest import LobbyServer, SessionHolder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for index, server in enumerate(getattr(item, "lobby_servers", [])):
            report.sections.append(
                (f"lobby-server log #{index + 1} ({server.log_path.name})", server.log_tail(80)))


def pytest_terminal_summary(terminalreporter):
    if lobbytest.MEASUREMENTS:
        terminalreporter.section("lobby measurements")
        for line in lobbytest.MEASUREMENTS:
            terminalreporter.write_line(line)


@pytest.fixture
def make_server(tmp_path, request):
    """Factory: make_server("--history", "3", database=path) starts a server and returns it."""
    servers: list[LobbyServer] = []
    request.node.lobby_servers = servers

    def start(*args, database=None) -> LobbyServer:
        server = LobbyServer(tmp_path, args=args, database=database)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop_quietly()


@pytest.fixture
def server(make_server) -> LobbyServer:
    return make_server()


class Clients:
    """Opens clients and session holders for a test and closes them all afterwards."""

    def __init__(self):
        self.opened = []
        self.holders: list[SessionHolder] = []

    def sockjs(self, server, **options):
        return self.keep(lobbytest.SockJSClient(server, **options))

    def raw(self, server, **options):
        return self.keep(lobbytest.RawStompClient(server, **options))

    def open(self, server, kind="sockjs", **options):
        return self.keep(lobbytest.open_client(server, kind, **options))

    def identified(self, server, name, kind="sockjs", **options):
        return self.keep(lobbytest.identified_client(server, name, kind, **options))

    def holder(self, server, name, kind="sockjs", heartbeat=(0, 0)):
        holder = SessionHolder(server, name, kind, heartbeat)
        self.holders.append(holder)
        return holder

    def keep(self, client):
        self.opened.append(client)
        return client

    def close_all(self):
        for holder in self.holders:
            holder.__exit__(None, None, None)
        for client in self.opened:
            client.close_abruptly()


@pytest.fixture
def clients():
    registry = Clients()
    yield registry
    registry.close_all()


@pytest.fixture
def room(server, clients):
    """A server with a bystander session ('bystander', SockJS) that every bad-input test checks
    is undisturbed afterwards (see assert_room_healthy)."""
    bystander = clients.identified(server, "bystander")
    return server, bystander


def assert_room_healthy(server: LobbyServer, bystander, clients: Clients, label: str = "still here"):
    """The server is alive, the bystander is still connected and receives chat (its own and a
    newcomer's), and the bystander never saw itself leave."""
    assert server.alive(), f"lobby-server died:\n{server.log_tail()}"
    assert not bystander.is_closed, f"bystander was disconnected: {bystander.close_info}"
    bystander.chat(label, receipt=bystander.next_receipt_id())
    bystander.wait_for(lobbytest.is_chat(label, "bystander"))
    newcomer = clients.identified(server, "newcomer")
    newcomer.chat(label + " too")
    bystander.wait_for(lobbytest.is_chat(label + " too", "newcomer"))
    assert not bystander.messages(lobbytest.is_leave("bystander"))


@pytest.fixture
def healthy(room, clients):
    server, bystander = room
    return lambda label="still here": assert_room_healthy(server, bystander, clients, label)
