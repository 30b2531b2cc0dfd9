"""The browser page (GET /) in headless Chromium against a real lobby-server, next to a
terminal-protocol test client (lobbytest.SockJSClient): joining, chatting both ways, the member
list, notices, and the leave the others see when the tab goes away — on every SockJS transport."""

from __future__ import annotations

import time

import pytest

import lobbytest
from browsertest import TRANSPORTS
from lobbytest import is_chat, is_join, is_leave
from swarm import Swarm

# A tab that vanishes: the WebSocket's TCP connection closes at once, and so does a held receiving request;
# a polling transport between two polls is closed by the 5 s disconnect delay, so allow for that.
LEAVE_WAIT = 12.0


@pytest.mark.parametrize("transport", list(TRANSPORTS))
def test_browser_user_chats_with_terminal_user_and_leaves(server, clients, pages, transport):
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport=transport, name="alice")

    status = page.wait_connected("alice")
    assert page.sockjs_transport() == TRANSPORTS[transport], page.diagnostics()
    assert status["session"] and f"session {status['session']}" in status["text"]
    page.wait_members(["alice", "bob"])
    assert page.member_count() == "2"
    assert [m["user"] for m in page.members() if m["me"]] == ["alice"]
    bob.wait_for(is_join("alice"))

    # The session the page identified is the one the server holds for this transport's URL. (The
    # store's row is written just after the welcome goes out, hence the bounded wait.)
    lobbytest.wait_until(
        lambda: any(row["id"] == status["session"] and row.get("user") == "alice"
                    for row in server.sessions(all=False)),
        what=f"an open session {status['session']} of alice in `lobby-server sessions`")

    page.type_and_send("hello from the browser")
    bob.wait_for(is_chat("hello from the browser", "alice"))
    mine = page.wait_line(lambda l: l["kind"] == "message" and l["user"] == "alice", "own message shown")
    assert mine["text"].endswith("<alice> hello from the browser")

    bob.chat("hello from the terminal")
    line = page.wait_line(lambda l: l["kind"] == "message" and l["user"] == "bob", "bob's message shown")
    assert line["text"].endswith("<bob> hello from the terminal"), line

    started = time.monotonic()
    page.close()
    leave = bob.wait_for(is_leave("alice"), timeout=LEAVE_WAIT)
    assert leave["reason"] == "closed", leave
    lobbytest.measure(f"browser {transport}: leave seen {time.monotonic() - started:.1f}s after the tab closed")


def test_page_renders_history_actions_notices_and_never_html(server, clients, pages):
    bob = clients.identified(server, "bob")
    bob.chat("from before", receipt="r-history")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_line(lambda l: l["kind"] == "message" and l["text"].endswith("<bob> from before"), "history")

    bob.chat("/me waves")
    action = page.wait_line(lambda l: l["kind"] == "action", "the /me action")
    assert action["text"].endswith("* bob waves"), action
    assert action["text"][:5].count(":") == 1  # "HH:MM" first

    hostile = '<img src=x onerror="window.pwned=1"><b>bold</b> & "quotes"'
    bob.chat(hostile)
    line = page.wait_line(lambda l: l["kind"] == "message" and "bold" in l["text"], "the hostile text")
    assert line["text"].endswith("<bob> " + hostile), line
    assert "<img" not in line["html"] and "<b>" not in line["html"], line["html"]
    assert page.js("return window.pwned === undefined")

    carol = clients.identified(server, "carol")
    page.wait_line(lambda l: l["kind"] == "join" and l["user"] == "carol", "carol's join notice")
    page.wait_members(["alice", "bob", "carol"])
    carol.disconnect()
    quit_line = page.wait_line(lambda l: l["kind"] == "leave" and l["user"] == "carol", "carol's leave notice")
    assert quit_line["reason"] == "quit" and quit_line["text"].endswith("carol left (quit)"), quit_line
    bob.close_abruptly()
    closed = page.wait_line(lambda l: l["kind"] == "leave" and l["user"] == "bob", "bob's leave notice")
    assert closed["text"].endswith("bob left (connection closed)"), closed
    page.wait_members(["alice"])
    assert page.member_count() == "1"


def test_member_list_through_a_storm_of_joins_and_leaves(server, clients, pages):
    """Forty sessions identify at once, then drop at once: presence reaches the page as single
    events and batches (`{"type":"batch","events":[…]}`); its member list ends exact each time and
    every join and leave is shown once."""
    listener = clients.identified(server, "listener")  # subscribed before the storm, like the page
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_members(["alice", "listener"])
    names = [f"storm{index:02d}" for index in range(40)]
    swarm = Swarm(server, names)

    def page_members() -> list[str]:
        return [member["user"] for member in page.members()]

    try:
        swarm.start()
        everyone = sorted(["alice", "listener", *names])
        swarm.run_until(
            lambda: all(client.members.keys() == set(everyone) for client in swarm.clients)
            and page_members() == everyone, 30, "every member list, the page's included, complete")
        assert page.member_count() == str(len(everyone))
        joins = [line["user"] for line in page.lines("join")]
        assert sorted(joins) == names, "each join shown once"

        for client in swarm.clients:
            client.drop()
        page.wait(lambda: page_members() == ["alice", "listener"], "the member list back to two", timeout=15)
        leaves = page.wait(lambda: (found := page.lines("leave")) and len(found) >= len(names) and found,
                           "a leave line for everyone who left", timeout=10)
        assert sorted(line["user"] for line in leaves) == names, "each leave shown once"
        assert all(line["text"].endswith(f"{line['user']} left (connection closed)") for line in leaves)
        batches = listener.presence_batches()
        lobbytest.measure(
            f"browser: 40 joins and 40 leaves reached a page that saw the same presence MESSAGEs as a listener: "
            f"{len(listener.presence_bodies())} of them, {len(batches)} batches")
        assert page.status()["state"] == "connected"
    finally:
        swarm.close()


def test_name_form_rename_and_private_errors(server, clients, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket")
    page.wait(lambda: page.js("return !document.getElementById('name-form').hidden"), "the name form")
    assert page.status()["state"] == "identifying"
    name_box = page.driver.find_element(By.ID, "name-input")
    name_box.send_keys("Carol")
    name_box.send_keys(Keys.ENTER)
    page.wait_connected("Carol")
    assert page.js("return document.getElementById('name-form').hidden")
    bob.wait_for(is_join("Carol"))
    page.wait_members(["bob", "Carol"])  # sorted without regard to case

    page.type_and_send("/nick dave")
    page.wait_connected("dave")
    bob.wait_for(is_leave("Carol", "renamed"))
    bob.wait_for(is_join("dave"))
    page.wait_members(["bob", "dave"])

    page.type_and_send("/nick " + "x" * 40)
    error = page.wait_line(lambda l: l["kind"] == "error", "the invalid-name error")
    assert error["code"] == "invalid-name", error
    assert page.status()["user"] == "dave"

    page.type_and_send("/quit")
    bob.wait_for(is_leave("dave", "quit"))
    page.wait(lambda: page.status()["state"] == "disconnected", "status 'disconnected'")


@pytest.mark.parametrize("transport", ["websocket", "xhr_streaming"])
def test_page_keeps_heart_beats_going(make_server, clients, pages, transport):
    """With 1 s heart-beats (the server declares a session dead after 2 s of silence) the idle page
    stays connected: it sends `\\n` on time and accepts the server's."""
    server = make_server("--heartbeat-ms", "1000")
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport=transport, name="alice", heartbeat="1000")
    page.wait_connected("alice")
    bob.wait_for(is_join("alice"))
    time.sleep(5)
    assert page.status()["state"] == "connected", page.diagnostics()
    assert not bob.messages(is_leave("alice")), bob.messages(is_leave("alice"))
    assert any("heart-beats" in line and '"send":1000' in line for line in page.js("return window.lobbyDebug"))


def test_page_keeps_its_name_token_across_a_reload(server, clients, pages):
    page = pages.open(server, transport="websocket", name="erin")
    page.wait_connected("erin")
    token = page.js("return window.localStorage.getItem('lobby.nameToken.erin')")
    assert token and len(token) >= 22, token

    # Someone else (no token) is refused the name.
    thief = clients.open(server)
    thief.connect(heartbeat=(0, 0))
    thief.subscribe_all()
    assert thief.identify("erin", token=None)["code"] == "name-taken"

    # The same browser after a reload is erin again: the page sent the stored token.
    page.driver.refresh()
    page.wait_connected("erin")
    assert page.js("return window.localStorage.getItem('lobby.nameToken.erin')") == token

    # Another browser (its own storage) is told plainly that the name is taken.
    other = pages.open(server, transport="websocket", name="erin")
    error = other.wait_line(lambda l: l["kind"] == "error", "the name-taken error")
    assert error["code"] == "name-taken" and "erin is taken on this server" in error["text"], error
    assert other.status()["state"] != "connected"
