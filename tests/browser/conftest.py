"""Fixtures for the browser tests: `pages` opens Lobby pages in headless Chromium and closes them
after the test; when a test fails, every page's status, debug log and browser console is added to
the report (the server's log tail comes from tests/conftest.py)."""

from __future__ import annotations

import pytest

import browsertest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.when == "call":
        for index, page in enumerate(getattr(item, "lobby_pages", [])):
            report.sections.append((f"browser page #{index + 1} ({page.transport or 'any transport'})",
                                    page.diagnostics()))


class Pages:
    def __init__(self, node):
        self.opened: list[browsertest.LobbyPage] = []
        node.lobby_pages = self.opened

    def open(self, server, transport=None, name=None, **extra) -> browsertest.LobbyPage:
        page = browsertest.LobbyPage(server, transport=transport, name=name, extra=extra)
        self.opened.append(page)
        return page

    def close_all(self):
        for page in self.opened:
            try:
                page.close()
            except Exception:
                pass


@pytest.fixture
def pages(request):
    missing = browsertest.missing_tools()
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: run scripts/deps-browser.sh (make deps)")
    registry = Pages(request.node)
    yield registry
    registry.close_all()
