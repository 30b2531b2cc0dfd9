"""Unit tests of the page's own JavaScript (session-id.js, stomp.js, presence.js, commands.js,
history.js), run with node's
test runner (tests/browser/js/*.test.js), and a check that the same files work inside Chromium."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_js_units_under_node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for the JavaScript unit tests (Debian: nodejs)")
    tests = sorted(str(path) for path in (HERE / "js").glob("*.test.js"))
    assert tests
    result = subprocess.run([node, "--test", *tests], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
    assert "# fail 0" in result.stdout, result.stdout


def test_helpers_in_chromium(server, pages):
    """The page's helpers as Chromium runs them (URL parsing and TextEncoder are the browser's)."""
    page = pages.open(server, transport="websocket", name="unit")
    page.wait_connected("unit")
    results = page.js("""
        const parse = LobbySessionId.sessionIdFromTransportUrl;
        const p = new LobbyStomp.Parser();
        return {
          ws: parse('ws://h:1/connection/123/abcd1234/websocket', '/connection'),
          http: parse('http://h:1/connection/123/abcd1234', '/connection'),
          query: parse('https://h/connection/1/xyz/jsonp?c=x', '/connection'),
          bad: parse('http://h:1/connection/123', '/connection'),
          frames: p.feed('MESSAGE\\ncontent-length:4\\n\\n\\u00e9\\u00e9\\u0000\\n').length,
          batch: LobbyPresence.eventsOf({type: 'batch', events: [{type: 'join'}, {type: 'leave'}]}).length,
          away: Array.from(LobbyPresence.awayOf({members: [{user: 'a', away: 'x'}, {user: 'b'}]}).keys()),
          msg: LobbyCommands.parse('/msg bob two\\nlines'),
          page: new LobbyHistory.Pager(7).next(),
          date: LobbyHistory.dateTime(new Date(2026, 1, 3, 4, 5).toISOString()),
        };""")
    assert results == {"ws": "abcd1234", "http": "abcd1234", "query": "xyz", "bad": None, "frames": 2, "batch": 2,
                       "away": ["a"], "msg": {"kind": "direct", "to": "bob", "text": "two\nlines"},
                       "page": {"limit": 7}, "date": "2026-02-03 04:05"}
