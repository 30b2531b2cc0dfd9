"""A browser's own WebSocket on the raw STOMP endpoint, offering STOMP subprotocols the way
@stomp/stompjs does: the handshake must select one, or Chromium aborts the connection."""

from __future__ import annotations

import pytest

from lobbytest import PREFIX

CONNECT_OVER_SUBPROTOCOL = """
const [url, protocols, done] = arguments;
const ws = new WebSocket(url, protocols);
const result = {protocol: null, frames: [], error: null, closed: null};
const timer = setTimeout(() => { result.error = 'timeout'; done(result); }, 8000);
ws.onopen = () => {
  result.protocol = ws.protocol;
  ws.send('CONNECT\\naccept-version:1.2\\nhost:127.0.0.1\\nheart-beat:0,0\\n\\n\\u0000');
};
ws.onmessage = (event) => {
  result.frames.push(String(event.data));
  clearTimeout(timer);
  ws.close(1000);
  done(result);
};
ws.onerror = () => { result.error = 'error'; };
ws.onclose = (event) => {
  result.closed = [event.code, event.reason];
  if (result.frames.length === 0) { clearTimeout(timer); done(result); }
};
"""


@pytest.mark.parametrize("offered, selected", [
    (["v12.stomp"], "v12.stomp"),
    (["v10.stomp", "v11.stomp", "v12.stomp"], "v12.stomp"),
    ([], ""),
])
def test_browser_websocket_with_stomp_subprotocol_connects(server, pages, offered, selected):
    page = pages.open(server, transport="websocket", name="subprotocol")
    page.wait_connected("subprotocol")
    page.driver.set_script_timeout(15)
    url = f"ws://127.0.0.1:{server.port}{PREFIX}/websocket"
    result = page.driver.execute_async_script(CONNECT_OVER_SUBPROTOCOL, url, offered)
    assert result["error"] is None, result
    assert result["protocol"] == selected, result
    assert result["frames"] and result["frames"][0].startswith("CONNECTED\n"), result
    assert "version:1.2" in result["frames"][0], result
