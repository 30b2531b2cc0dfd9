"""Takes the README's screenshot of the browser page: a real lobby-server, two terminal-protocol
users and the page in headless Chromium, a short conversation (with an away member, private
messages and a /search), then a PNG.

    .venv/bin/python tests/browser/browser_screenshot.py [docs/screenshot-browser.png]

(LOBBY_BIN selects the server build, as for the tests.) test_browser_screenshot.py runs the same
code into a temporary file, so the tooling stays working.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import browsertest  # noqa: E402
import lobbytest  # noqa: E402
from lobbytest import LobbyServer, is_chat, is_join  # noqa: E402


def take_screenshot(output: Path, workdir: Path) -> Path:
    with LobbyServer(workdir) as server:
        bob = lobbytest.identified_client(server, "bob")
        carol = lobbytest.identified_client(server, "carol")
        page = None
        try:
            bob.chat("morning! has anyone tried the browser client yet?", receipt="r1")
            carol.chat("not yet, is it the same lobby as the terminal one?", receipt="r2")
            page = browsertest.LobbyPage(server, name="alice", driver=browsertest.new_driver(900, 640))
            page.wait_connected("alice")
            bob.wait_for(is_join("alice"))
            page.type_and_send("it is: same server, STOMP over SockJS, right here in a tab")
            bob.wait_for(is_chat(user="alice"))
            bob.chat("/me waves at alice", receipt="r3")
            dave = lobbytest.identified_client(server, "dave")
            page.wait_line(lambda l: l["kind"] == "join" and l["user"] == "dave", "dave's join")
            dave.close_abruptly()
            page.wait_line(lambda l: l["kind"] == "leave" and l["user"] == "dave", "dave's leave", timeout=15)
            carol.chat("nice, and it shows who left and why", receipt="r4")
            page.wait_line(lambda l: l["kind"] == "message" and "who left" in l["text"], "carol's message")
            page.wait_members(["alice", "bob", "carol"])
            # An away member (dimmed in the list), a private message each way and a search.
            carol.send_json("/app/status", {"away": "lunch"}, receipt="r5")
            carol.wait_receipt("r5")
            page.wait(lambda: any(m["user"] == "carol" and "away" in m["text"] for m in page.members()), "carol away")
            bob.send_json("/app/direct", {"to": "alice", "text": "psst: standup moved to 10:30"}, receipt="r6")
            bob.wait_receipt("r6")
            page.type_and_send("/msg bob thanks, see you there")
            page.wait_line(lambda l: l["kind"] == "direct" and "thanks" in l["text"], "alice's private answer")
            page.type_and_send("/search browser")
            page.wait_line(lambda l: l["kind"] == "search-result", "a search result")
            # A message being typed, so the input box is part of the picture.
            page.js("document.getElementById('input').value = 'see you all at the standup'")
            output.parent.mkdir(parents=True, exist_ok=True)
            if not page.driver.save_screenshot(str(output)):
                raise RuntimeError(f"Chromium could not save {output}")
            return output
        finally:
            if page is not None:
                page.close()
            for client in (bob, carol):
                client.close_abruptly()


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else lobbytest.REPO_ROOT / "docs" / "screenshot-browser.png")
    with tempfile.TemporaryDirectory(prefix="lobby-screenshot-") as directory:
        print(take_screenshot(target.resolve(), Path(directory)))
