"""/metrics in the Prometheus text format, read with the reference parser (prometheus-client):
the series follow connects, ends, chat and HTTP requests; the endpoint is on the admin listener
(--admin-listen), off the public port, unless --metrics-public (docs/operations.md)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

import lobbytest
from lobbytest import http_request, identified_client


def scrape(server, port: int | None = None) -> dict[tuple[str, tuple], float]:
    """Every sample by (name, sorted labels), from the admin listener unless `port` says."""
    response = http_request(port or server.admin_port, "GET", "/metrics")
    assert response.status == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_series_follow_sessions_chat_and_requests(server):
    before = scrape(server)
    for reason in ("quit", "closed", "timeout", "slow", "kicked", "shutdown", "restart", "node-lost"):
        assert ("lobby_session_ends_total", (("reason", reason),)) in before, f"no series for {reason}"
    for name in ("process_resident_memory_bytes", "process_open_fds", "process_cpu_seconds_total",
                 "process_start_time_seconds"):
        assert value(before, name) > 0, name

    alice = identified_client(server, "alice")
    bob = identified_client(server, "bob")
    during = scrape(server)
    assert value(during, "lobby_sessions", transport="websocket") == value(before, "lobby_sessions",
                                                                           transport="websocket") + 2
    assert value(during, "lobby_users") == 2
    assert value(during, "lobby_sessions_started_total", transport="websocket") >= 2

    alice.chat("counted", receipt="c1")
    bob.wait_for(lobbytest.is_chat("counted"))
    after_chat = scrape(server)
    assert value(after_chat, "lobby_messages_total") == value(before, "lobby_messages_total") + 1
    assert value(after_chat, "lobby_deliveries_total") > value(before, "lobby_deliveries_total")
    assert value(after_chat, "lobby_store_commit_seconds_count") > value(before, "lobby_store_commit_seconds_count")
    assert value(after_chat, "lobby_store_batch_size_count") > 0

    bob.close_abruptly()
    alice.wait_for(lobbytest.is_leave("bob", "closed"))
    after_leave = scrape(server)
    assert value(after_leave, "lobby_session_ends_total", reason="closed") == value(
        before, "lobby_session_ends_total", reason="closed") + 1
    assert value(after_leave, "lobby_users") == 1
    assert value(after_leave, "lobby_leave_broadcast_seconds_count") >= 1

    thief = lobbytest.open_client(server)
    thief.connect(heartbeat=(0, 0))
    thief.subscribe_all()
    assert thief.identify("alice", token=None)["code"] == "name-taken"
    thief.close_abruptly()
    assert value(scrape(server), "lobby_identify_errors_total", code="name-taken") == 1

    http_request(server.port, "GET", "/connection/info")
    http_request(server.port, "GET", "/no/such/thing")
    final = scrape(server)
    assert value(final, "lobby_http_requests_total", transport="info", status="200") >= 1
    assert value(final, "lobby_http_requests_total", transport="not-found", status="404") >= 1
    assert value(final, "lobby_http_requests_total", transport="admin", status="200") >= 5


def test_kill_9_of_a_client_process_counts_one_closed_end(server, clients):
    watcher = clients.identified(server, "watcher")
    before = value(scrape(server), "lobby_session_ends_total", reason="closed")
    holder = clients.holder(server, "victim")
    watcher.wait_for(lobbytest.is_join("victim"))
    holder.kill()
    watcher.wait_for(lobbytest.is_leave("victim", "closed"))
    assert value(scrape(server), "lobby_session_ends_total", reason="closed") == before + 1


def test_metrics_are_off_the_public_port_unless_public(make_server):
    """Issue 21: behind the documented nginx every request came from loopback, so a loopback
    rule on the public port made /metrics public. The public port has neither /metrics nor
    /admin/kick; --metrics-public puts /metrics back there on purpose."""
    server = make_server()
    assert http_request(server.port, "GET", "/metrics").status == 404
    assert http_request(server.port, "POST", "/admin/kick").status == 404
    assert value(scrape(server), "process_open_fds") > 0
    public = make_server("--metrics-public")
    assert value(scrape(public, port=public.port), "process_open_fds") > 0


def test_admin_listen_takes_a_fixed_address_and_off(make_server):
    import socket
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = make_server("--admin-listen", f"127.0.0.1:{port}")
    assert http_request(port, "GET", "/metrics").status == 200
    assert http_request(port, "GET", "/connection/info").status == 404
    off = make_server("--admin-listen", "off")
    assert off.admin_port is None and "admin on" not in off.log()
