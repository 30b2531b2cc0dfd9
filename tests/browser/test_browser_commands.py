"""The two clients offer the same commands and one person can use both (issue 26, item 12): the
page's /who, /clear and /filter, and a token printed by `lobby --show-token` pasted into the
page's name form makes the page the same claimed name as the terminal client."""

from __future__ import annotations

import os
import subprocess

from lobbytest import is_join, is_leave
from tmuxtest import PlainLobby, client_command


def test_show_token_in_the_terminal_then_the_same_name_in_the_browser(server, clients, pages, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    bob = clients.identified(server, "bob")
    erin = PlainLobby(client_command(server, "erin", "--plain"), env=env)
    try:
        erin.wait_line(lambda line: line.startswith("*** connected as erin"), "erin connected (the claim made)")
        erin.write_line("/quit")
        bob.wait_for(is_leave("erin", "quit"))
    finally:
        erin.kill()
    shown = subprocess.run(
        client_command(server, "erin", "--show-token"), capture_output=True, text=True, timeout=20,
        env={**os.environ, **env})
    assert shown.returncode == 0, shown.stderr
    token = shown.stdout.strip()
    assert len(token) == 43, shown.stdout

    missing = subprocess.run(
        client_command(server, "nobody", "--show-token"), capture_output=True, text=True, timeout=20,
        env={**os.environ, **env})
    assert missing.returncode != 0 and "no token for nobody" in missing.stderr, missing

    page = pages.open(server, transport="websocket")
    page.wait(lambda: page.js("return !document.getElementById('name-form').hidden"), "the name form")
    page.driver.find_element(By.ID, "token-input").send_keys(token)
    name_box = page.driver.find_element(By.ID, "name-input")
    name_box.send_keys("erin")
    name_box.send_keys(Keys.ENTER)
    page.wait_connected("erin")
    bob.wait_for(is_join("erin"))
    assert page.js("return window.localStorage.getItem('lobby.nameToken.erin')") == token


def test_who_clear_and_filter_in_the_browser(server, clients, pages):
    bob = clients.identified(server, "bob")
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    bob.chat("hello from bob", receipt="hello")
    page.wait_line(lambda line: line["kind"] == "message" and "hello from bob" in line["text"], "bob's line")

    page.type_and_send("/who")
    who = page.wait_line(lambda line: line["kind"] == "who", "the /who line")
    assert who["text"].endswith("2 members: alice (you), bob"), who

    page.type_and_send("/clear")
    page.wait(lambda: page.lines() == [], "an empty message list")

    page.type_and_send("/filter smart")
    page.wait_line(lambda line: "filter smart" in line["text"], "the filter notice")
    carol = clients.identified(server, "carol")  # never spoke: hidden
    carol.close()
    bob.close()  # spoke a moment ago: shown
    page.wait_line(lambda line: line["kind"] == "leave" and line["user"] == "bob", "bob's leave")
    assert not [line for line in page.lines() if line["user"] == "carol"], page.lines()
    page.type_and_send("/filter all")
    page.wait_line(lambda line: "filter all" in line["text"], "the filter notice")


def test_own_away_state_and_away_notices_in_the_browser(server, clients, pages):
    bob = clients.identified(server, "bob")
    bob.send_json("/app/status", {"away": "lunch"})
    page = pages.open(server, transport="websocket", name="alice")
    page.wait_connected("alice")
    page.type_and_send("/msg bob are you there?")
    page.wait_line(lambda line: line["kind"] == "status" and line["text"].endswith("bob is away: lunch"),
                   "bob's away message after /msg")
    page.type_and_send("/away")
    page.wait(lambda: "[away]" in page.status()["text"], "'[away]' on the status line")
    page.wait_line(lambda line: line["kind"] == "status" and line["text"].endswith("alice is away"), "'alice is away'")
    assert not [line for line in page.lines() if "is away: away" in line["text"]], page.lines()
    page.type_and_send("/back")
    page.wait(lambda: "[away" not in page.status()["text"], "the status line without [away]")
