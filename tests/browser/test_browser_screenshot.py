"""The README screenshot's tooling still works: browser_screenshot.py, into a temporary file."""

from __future__ import annotations

import browsertest
from browser_screenshot import take_screenshot


def test_screenshot_tooling(tmp_path):
    missing = browsertest.missing_tools()
    assert not missing, f"needs {missing}: run scripts/deps-browser.sh"
    png = take_screenshot(tmp_path / "shot.png", tmp_path)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000, len(data)
