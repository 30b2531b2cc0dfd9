"""/metrics in the Prometheus text format, read with the reference parser (prometheus-client):
the series follow connects, ends, chat and HTTP requests; the endpoint is for loopback clients
unless --metrics-public (docs/operations.md)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

import lobbytest
from lobbytest import http_request, identified_client


def scrape(server) -> dict[tuple[str, tuple], float]:
    """Every sample by (name, sorted labels)."""
    response = http_request(server.port, "GET", "/metrics")
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
    assert value(final, "lobby_http_requests_total", transport="metrics", status="200") >= 5


def test_kill_9_of_a_client_process_counts_one_closed_end(server, clients):
    watcher = clients.identified(server, "watcher")
    before = value(scrape(server), "lobby_session_ends_total", reason="closed")
    holder = clients.holder(server, "victim")
    watcher.wait_for(lobbytest.is_join("victim"))
    holder.kill()
    watcher.wait_for(lobbytest.is_leave("victim", "closed"))
    assert value(scrape(server), "lobby_session_ends_total", reason="closed") == before + 1


def test_metrics_public_flag_is_accepted_and_loopback_is_served(make_server):
    # Tests speak to 127.0.0.1 only; the refusal of other addresses is HTTPHandler.isLoopback's,
    # unit-tested in Swift (MetricsAccessTests).
    server = make_server("--metrics-public")
    assert value(scrape(server), "process_open_fds") > 0
