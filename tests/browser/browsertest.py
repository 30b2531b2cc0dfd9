"""Headless Chromium driving Lobby's browser page, for the browser tests and the README screenshot.

- `new_driver()`: Debian's chromium + chromium-driver through selenium (`--headless=new --no-sandbox`),
  with the browser console captured (`goog:loggingPrefs`). No download: both paths are fixed.
- `LobbyPage`: one tab on `http://127.0.0.1:PORT/?transport=…&name=…`, with waits that read the
  page's data attributes (#status, #messages li, #members li) and fail with the page's console
  log and its own debug log (window.lobbyDebug) in the message.

Install what this needs with scripts/deps-browser.sh (make deps).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import urllib.parse
from typing import Any, Callable

CHROMIUM = os.environ.get("LOBBY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LOBBY_CHROMEDRIVER", "/usr/bin/chromedriver")
WAIT = 10.0

# Our ?transport= value → the name sockjs-client reports in sock.transport.
TRANSPORTS = {
    "websocket": "websocket",
    "xhr_streaming": "xhr-streaming",
    "xhr_polling": "xhr-polling",
    "eventsource": "eventsource",
    "iframe-htmlfile": "iframe-htmlfile",
    "jsonp-polling": "jsonp-polling",
}


def missing_tools() -> list[str]:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(path)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (python)")
    return missing


def new_driver(width: int = 1000, height: int = 640):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never try to fetch a browser or driver: both are given explicitly.
    os.environ.setdefault("SE_OFFLINE", "true")
    profile = tempfile.mkdtemp(prefix="lobby-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-extensions", "--disable-background-networking",
                     f"--window-size={width},{height}", f"--user-data-dir={profile}", "--lang=en-US"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.lobby_profile = profile  # removed by quit_driver
    return driver


def quit_driver(driver) -> None:
    try:
        driver.quit()
    finally:
        shutil.rmtree(getattr(driver, "lobby_profile", ""), ignore_errors=True)


class LobbyPage:
    """The Lobby page in one headless Chromium. Every wait is bounded and explains itself."""

    def __init__(self, server, transport: str | None = None, name: str | None = None,
                 extra: dict[str, str] | None = None, driver=None):
        self.server = server
        self.transport = transport
        self.driver = driver or new_driver()
        self.console: list[dict] = []  # browser console entries read so far (the log is drained on read)
        self.closed = False
        query = {key: value for key, value in (("transport", transport), ("name", name)) if value is not None}
        query.update(extra or {})
        self.url = f"http://127.0.0.1:{server.port}/" + (("?" + urllib.parse.urlencode(query)) if query else "")
        self.driver.get(self.url)

    # -- reading the page --

    def js(self, script: str, *args) -> Any:
        return self.driver.execute_script(script, *args)

    def status(self) -> dict:
        return self.js("""
            const s = document.getElementById('status');
            return {state: s.dataset.state, text: s.textContent, user: s.dataset.user || null,
                    session: s.dataset.session || null, transport: s.dataset.transport || null};""")

    def members(self) -> list[dict]:
        return self.js("""
            return Array.from(document.querySelectorAll('#members li')).map(li => ({
                user: li.dataset.user, me: li.classList.contains('me'), text: li.textContent}));""")

    def member_count(self) -> str:
        return self.js("return document.getElementById('member-count').textContent;")

    def lines(self, kind: str | None = None) -> list[dict]:
        """#messages li as dicts: kind, user, id, reason, code, text (the whole line's text)."""
        lines = self.js("""
            return Array.from(document.querySelectorAll('#messages li')).map(li => ({
                kind: li.dataset.kind, user: li.dataset.user || null, id: li.dataset.id || null,
                reason: li.dataset.reason || null, code: li.dataset.code || null, text: li.textContent,
                html: li.innerHTML}));""")
        return [line for line in lines if kind is None or line["kind"] == kind]

    def sockjs_transport(self) -> str | None:
        return self.status()["transport"]

    def read_console(self) -> list[dict]:
        if not self.closed:
            try:
                self.console.extend(self.driver.get_log("browser"))
            except Exception as error:  # the browser may already be gone
                self.console.append({"level": "HARNESS", "message": f"get_log failed: {error!r}"})
        return self.console

    def diagnostics(self) -> str:
        """What to print when something did not happen: status, debug log, console, lines."""
        parts = [f"page {self.url}"]
        if not self.closed:
            try:
                parts.append(f"status: {self.status()}")
                parts.append("page debug log:\n  " + "\n  ".join(self.js("return window.lobbyDebug || []")[-60:]))
                parts.append("message lines:\n  " + "\n  ".join(
                    f"[{line['kind']}] {line['text']}" for line in self.lines()[-20:]))
            except Exception as error:
                parts.append(f"(page unreadable: {error!r})")
        console = self.read_console()
        parts.append("browser console:\n  " + "\n  ".join(
            f"{entry.get('level')} {entry.get('message')}" for entry in console[-60:]))
        return "\n".join(parts)

    def wait(self, condition: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
        deadline = time.monotonic() + timeout
        last_error = None
        while True:
            try:
                value = condition()
                if value:
                    return value
            except Exception as error:  # a page mid-navigation, a stale element: try again
                last_error = error
            if time.monotonic() >= deadline:
                raise AssertionError(
                    f"browser ({self.transport or 'any transport'}): {what} did not happen within {timeout}s"
                    + (f" (last error {last_error!r})" if last_error else "") + "\n" + self.diagnostics())
            time.sleep(0.05)

    def wait_connected(self, name: str, timeout: float = WAIT) -> dict:
        return self.wait(
            lambda: (lambda s: s if s["state"] == "connected" and s["user"] == name else None)(self.status()),
            f"status 'connected as {name}'", timeout)

    def wait_members(self, names: list[str], timeout: float = WAIT) -> list[dict]:
        return self.wait(
            lambda: (lambda m: m if [x["user"] for x in m] == names else None)(self.members()),
            f"member list {names}", timeout)

    def wait_line(self, predicate: Callable[[dict], bool], what: str, timeout: float = WAIT) -> dict:
        return self.wait(lambda: next((line for line in self.lines() if predicate(line)), None), what, timeout)

    # -- acting --

    def type_and_send(self, text: str) -> None:
        """Types into #input and presses Enter, as a person would."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys

        self.wait(lambda: self.js("return !document.getElementById('input').disabled"), "input enabled")
        box = self.driver.find_element(By.ID, "input")
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def close(self) -> list[dict]:
        """Closes the browser (the tab goes away with it, no goodbye); returns its console log."""
        if not self.closed:
            self.read_console()
            self.closed = True
            quit_driver(self.driver)
        return self.console
