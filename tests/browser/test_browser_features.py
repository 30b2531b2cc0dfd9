"""The browser page's chat features in headless Chromium against a real lobby-server, next to
terminal-protocol test clients (docs/protocol.md, issue 13): private messages (`/msg` and a click
on a member), away (`/away`, `/back`, the member list), older history when the message list is
scrolled to its top, `/search`, and multi-line text kept as text."""

from __future__ import annotations

import datetime

import lobbytest
from lobbytest import PRESENCE, is_chat

DIRECT = "/user/queue/direct"


def is_direct(text: str | None = None):
    return lambda m: m.get("type") == "direct" and (text is None or m.get("text") == text)


def is_status(user: str):
    return lambda m: m.get("type") == "status" and m.get("user") == user


def subscribed_to_directs(clients, server, name):
    client = clients.identified(server, name)
    client.subscribe(DIRECT, "direct", receipt=f"sub-direct-{name}")
    return client


def member(page, name):
    return next((m for m in page.js("""
        return Array.from(document.querySelectorAll('#members li')).map(li => ({
            user: li.dataset.user, away: li.dataset.away || null, dimmed: li.classList.contains('away'),
            title: li.title, text: li.textContent, color: getComputedStyle(li).color}));""")
                 if m["user"] == name), None)


def test_private_messages_between_the_page_and_terminal_users(server, clients, pages):
    from selenium.webdriver.common.by import By

    bob = subscribed_to_directs(clients, server, "bob")
    carol = subscribed_to_directs(clients, server, "carol")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_members(["alice", "bob", "carol"])

    # A click on bob in the member list starts a private message to him.
    page.driver.find_element(By.CSS_SELECTOR, '#members li[data-user="bob"]').click()
    assert page.js("return document.getElementById('input').value") == "/msg bob "
    page.type_and_send("psst from the browser")
    sent = bob.wait_for(is_direct("psst from the browser"), destination=DIRECT)
    assert sent["from"] == "alice" and sent["to"] == "bob", sent
    line = page.wait_line(lambda l: l["kind"] == "direct" and l["id"] == str(sent["id"]), "the sent private line")
    assert line["text"].endswith("-> *bob* psst from the browser"), line

    # Typed /msg, and a multi-line answer that keeps its line breaks as text.
    page.type_and_send("/msg carol hi carol")
    carol.wait_for(is_direct("hi carol"), destination=DIRECT)
    bob.send_json("/app/direct", {"to": "alice", "text": "line one\nline <b>two</b>"}, receipt="d-bob")
    bob.wait_receipt("d-bob")
    answer = page.wait_line(lambda l: l["kind"] == "direct" and "line one" in l["text"], "bob's private answer")
    assert answer["text"].endswith("*bob* line one\nline <b>two</b>") and "-> " not in answer["text"], answer
    assert "<br" not in answer["html"] and "<b>" not in answer["html"], answer["html"]
    heights = page.js("""
        const lines = Array.from(document.querySelectorAll('#messages li[data-kind="direct"]'));
        return lines.map(li => li.getBoundingClientRect().height);""")
    assert heights[2] > 1.5 * heights[0], f"the two-line message is not drawn on two lines: {heights}"

    # carol got only what was meant for her; nothing reached the room.
    carol.drain(0.5)
    assert [m["text"] for m in carol.messages(is_direct())] == ["hi carol"]
    assert not bob.messages(is_chat()), bob.messages(is_chat())

    # A user who is not here is an error in plain words; an unknown command stays on the page.
    page.type_and_send("/msg nobody are you there?")
    error = page.wait_line(lambda l: l["kind"] == "error" and l["code"] == "not-here", "the not-here error")
    assert "nobody" in error["text"] and "(not-here)" not in error["text"], error
    page.type_and_send("/frobnicate now")
    page.wait_line(lambda l: l["kind"] == "error" and "unknown command /frobnicate" in l["text"], "unknown command")

    # A rename and back brings welcomes repeating the private messages: each is shown once.
    page.type_and_send("/nick alice2")
    page.wait_connected("alice2")
    page.type_and_send("/nick alice")
    page.wait_connected("alice")
    ids = [line["id"] for line in page.lines("direct")]
    assert len(ids) == 3 and len(set(ids)) == 3, page.lines("direct")
    bob.drain(0.3)
    assert not bob.messages(is_chat()), "a command reached the room"


def test_away_and_back_in_the_member_list(server, clients, pages):
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait_members(["alice", "bob"])

    page.type_and_send("/away lunch")
    event = bob.wait_for(is_status("alice"), destination=PRESENCE)
    assert event["away"] == "lunch", event
    page.wait(lambda: (member(page, "alice") or {}).get("away") == "lunch", "alice shown away")

    bob.send_json("/app/status", {"away": "in a meeting"})
    shown = page.wait(lambda: (lambda m: m if m and m["away"] == "in a meeting" else None)(member(page, "bob")),
                      "bob shown away in the member list")
    assert shown["dimmed"] and "in a meeting" in shown["title"] and shown["text"] == "bob (away: in a meeting)", shown
    page.wait_line(lambda l: l["kind"] == "status" and l["text"].endswith("bob is away: in a meeting"), "notice")

    bob.send_json("/app/status", {"away": None})
    back = page.wait(lambda: (lambda m: m if m and m["away"] is None else None)(member(page, "bob")), "bob back")
    assert not back["dimmed"] and back["text"] == "bob", back
    assert back["color"] != member(page, "alice")["color"], "an away member is not dimmed"
    page.wait_line(lambda l: l["kind"] == "status" and l["text"].endswith("bob is back"), "bob's back notice")

    page.type_and_send("/back")
    event = bob.wait_for(lambda m: is_status("alice")(m) and m.get("away") is None, destination=PRESENCE)
    page.wait(lambda: (member(page, "alice") or {}).get("away") is None and not member(page, "alice")["dimmed"],
              "alice back")

    # A page that comes later learns bob's away message from its welcome.
    bob.send_json("/app/status", {"away": "gone fishing"}, receipt="s-bob")
    bob.wait_receipt("s-bob")
    later = pages.open(server, transport="websocket", name="dave")
    later.wait_connected("dave")
    later.wait(lambda: (member(later, "bob") or {}).get("away") == "gone fishing", "bob away from the welcome")


def first_message(page) -> dict | None:
    return page.js("""
        const li = document.querySelector('#messages li[data-kind="message"]');
        return li ? {id: Number(li.dataset.id)} : null;""")


def test_older_history_on_scroll_reaches_the_first_message(make_server, clients, pages):
    server = make_server("--chat-rate", "10000", "--chat-burst", "10000", "--history", "20")
    bob = clients.identified(server, "bob")
    for index in range(149):
        bob.send_json("/app/chat", {"text": f"m{index}"})
    bob.chat("m149", receipt="last")

    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.wait(lambda: len(page.lines("message")) >= 20, "the replayed history")
    kept = 0  # pages that came in while the user was at the top, the view staying put
    for _ in range(10):  # bounded: 150 messages are two pages and an empty one
        if page.lines("history-start"):
            break
        # Scrolled to the top: where the first line is now, before anything older comes in.
        before = page.js("""
            document.getElementById('messages').scrollTop = 0;
            const li = document.querySelector('#messages li[data-kind="message"]');
            return {id: Number(li.dataset.id), top: li.getBoundingClientRect().top};""")
        page.wait(lambda: page.lines("history-start") or first_message(page)["id"] < before["id"],
                  f"older messages than id {before['id']} after scrolling to the top")
        after = page.js("""
            const li = document.querySelector('#messages li[data-id="' + arguments[0] + '"]');
            return li.getBoundingClientRect().top;""", str(before["id"]))
        if not page.lines("history-start"):
            # The view stays on what the user was reading: the older lines went in above it.
            assert abs(after - before["top"]) < 3, (before, after)
            kept += 1
    # Only a view too short to scroll loads on its own: the rest came as the user scrolled up.
    assert kept >= 1, "every page came without scrolling"
    lines = page.lines()
    assert lines[0]["kind"] == "history-start" and lines[0]["text"].endswith("-- beginning of history --"), lines[:2]
    texts = [line["text"].split("<bob> ", 1)[1] for line in lines if line["kind"] == "message"]
    assert texts == [f"m{index}" for index in range(150)], texts[:5]
    requests = [line for line in page.js("return window.lobbyDebug") if "history request" in line]
    assert len(requests) == 3, requests  # pages of 100: ids 31–130, 1–30, then the empty one

    # Live chat still lands at the bottom.
    bob.chat("after paging")
    page.wait_line(lambda l: l["kind"] == "message" and l["text"].endswith("<bob> after paging"), "a live message")
    assert page.lines("message")[-1]["text"].endswith("after paging")


def test_search_shows_dated_matches_older_than_the_replayed_history(make_server, clients, pages):
    server = make_server("--chat-rate", "10000", "--chat-burst", "10000", "--history", "5")
    bob = clients.identified(server, "bob")
    bob.chat("the quick brown fox")
    bob.chat("a brown bear")
    for index in range(20):
        bob.send_json("/app/chat", {"text": f"filler {index}"})
    bob.chat("a FOX again", receipt="last")
    replayed = lobbytest.identified_client(server, "carol")
    try:
        oldest_replayed = min(message["id"] for message in replayed.welcome["history"])
    finally:
        replayed.close_abruptly()

    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.type_and_send("/search fox")
    header = page.wait_line(lambda l: l["kind"] == "search", "the search header")
    assert header["text"].endswith("-- search: fox (2 results) --"), header
    results = page.wait(lambda: page.lines("search-result") if len(page.lines("search-result")) == 2 else None,
                        "two search results")
    today = page.js("const d = new Date(); const p = n => String(n).padStart(2, '0');"
                    "return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());")
    assert [r["text"].split(" ", 1)[0] for r in results] == [today, today], results  # "YYYY-MM-DD HH:MM <bob> …"
    assert results[0]["text"].endswith("<bob> a FOX again") and results[1]["text"].endswith("<bob> the quick brown fox")
    assert int(results[1]["id"]) < oldest_replayed, (results[1], oldest_replayed)

    page.type_and_send("/search zebra")
    page.wait_line(lambda l: l["kind"] == "search" and l["text"].endswith("-- search: zebra (0 results) --"), "none")
    page.type_and_send("/search ?!")
    page.wait_line(lambda l: l["kind"] == "error" and l["code"] == "invalid-request", "the refused query")


def test_shift_enter_sends_one_multi_line_message(server, clients, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    box = page.driver.find_element(By.ID, "input")
    box.send_keys("first line", Keys.SHIFT, Keys.ENTER, Keys.NULL, "  second <i>line</i>")
    assert page.js("return document.getElementById('input').value") == "first line\n  second <i>line</i>"
    box.send_keys(Keys.ENTER)
    message = bob.wait_for(is_chat(user="alice"))
    assert message["text"] == "first line\n  second <i>line</i>", message
    line = page.wait_line(lambda l: l["kind"] == "message" and l["user"] == "alice", "the multi-line message")
    assert line["text"].endswith("<alice> first line\n  second <i>line</i>") and "<i>" not in line["html"], line
    assert page.js("return document.getElementById('input').value") == ""
    bob.chat("one line", receipt="r")
    heights = page.wait(lambda: page.js("""
        const lines = Array.from(document.querySelectorAll('#messages li[data-kind="message"]'));
        return lines.length === 2 ? lines.map(li => li.getBoundingClientRect().height) : null;"""), "both lines")
    assert heights[0] > 1.5 * heights[1], heights
