"""The browser page across a server restart and a quick burst of lines (issue 26, items 2-4): it
reconnects by itself with backoff (no "reload to reconnect"), shows the member list as unknown
meanwhile, says the server restarted, does not announce members who were there all along, and
paces what is typed so 30 lines all arrive in order."""

from __future__ import annotations

import subprocess
import time

from lobbytest import is_chat, is_join, server_binary


def members_known(page) -> str:
    return page.js("return document.getElementById('members').dataset.known || ''")


def test_the_page_reconnects_after_a_restart_and_keeps_members_straight(make_server, clients, pages):
    first = make_server()
    clients.identified(first, "bob")
    page = pages.open(first, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_members(["alice", "bob"])
    port = first.port
    first.kill9()

    page.wait(lambda: page.status()["state"] == "reconnecting", "status 'reconnecting'", timeout=20)
    assert "reload" not in page.status()["text"], page.status()
    page.wait(lambda: members_known(page) == "false", "the member list marked unknown")
    assert page.member_count() == "(disconnected)"

    second = make_server("--port", str(port))
    clients.identified(second, "carol")  # new while the page was away: a join
    page.wait_connected("alice", timeout=40)
    clients.identified(second, "bob")  # back after the page: 'is back'
    page.wait_members(["alice", "bob", "carol"])
    page.wait_line(lambda line: line["kind"] == "rejoin" and line["user"] == "bob", "'bob is back'")
    lines = page.lines()
    assert [line for line in lines if line["code"] == "server-restarted"], lines
    assert [line for line in lines if line["kind"] == "join" and line["user"] == "carol"], lines
    assert not [line for line in lines if line["kind"] == "join" and line["user"] == "bob"], lines
    assert members_known(page) == "true"


def test_thirty_lines_typed_quickly_all_arrive_in_order(server, clients, pages):
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    wanted = [f"quick {n:02}" for n in range(1, 31)]
    for text in wanted:
        page.type_and_send(text)
    bob.wait_for(is_chat("quick 30", user="alice"), timeout=20)
    bob.drain(0.5)
    assert [m["text"] for m in bob.messages(is_chat(user="alice"))] == wanted
    assert not [line for line in page.lines() if line["code"] == "rate-limited"], page.lines("error")


def test_a_kicked_page_lists_nobody_and_stays_away(server, clients, pages):
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_members(["alice", "bob"])
    result = subprocess.run([str(server_binary()), "kick", "alice", "--database", str(server.database)],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    page.wait(lambda: page.status()["state"] == "disconnected", "status 'disconnected'")
    assert "removed by an operator" in page.status()["text"], page.status()
    assert page.members() == [] and page.member_count() == "(disconnected)"
    time.sleep(2.5)  # longer than the first reconnect delay: a kicked page does not come back
    assert page.status()["state"] == "disconnected", page.status()
    bob.drain(0.3)
    assert len(bob.messages(is_join("alice"))) == 1, "the page came back after the kick"
