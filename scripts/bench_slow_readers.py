#!/usr/bin/env python3
"""Outbound memory under clients that never read (issue 21): N clients with 4 KiB receive
buffers keep asking for 256 KiB history pages of the largest messages and never read. Each
must be ended `slow` once its queue would pass --max-queued-bytes; the figure is the server's
RSS growth for all of them (target: < 64 MiB for 40). Prints one Markdown table.

    bench_slow_readers.py --binary .build-bench/release/lobby-server [--clients 40]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import lobbytest  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--server-arg", action="append", default=[], help="passed to lobby-server (repeatable)")
    options = parser.parse_args()
    os.environ["LOBBY_BIN"] = str(Path(options.binary).resolve().parent)
    workdir = Path(tempfile.mkdtemp(prefix="lobby-bench-slow-"))
    server = lobbytest.LobbyServer(
        workdir, args=["--heartbeat-ms", "0", "--chat-rate", "100000", "--chat-burst", "100000",
                       "--max-connections-per-ip", "100000", "--log-level", "warning", *options.server_arg]).start()
    try:
        lobbytest.store_largest_messages(server, timeout=120)
        time.sleep(1)
        before = lobbytest.rss_kib(server.process.pid)
        sleepers = [lobbytest.non_reading_client(server, f"sleeper{index}") for index in range(options.clients)]
        peak = before
        started = time.monotonic()
        for _ in range(80):
            open_sleepers = [s for s in sleepers if not s.is_closed]
            if not open_sleepers:
                break
            for sleeper in open_sleepers:
                try:
                    sleeper.send_json("/app/history", {"limit": 200})
                except Exception:
                    pass
            time.sleep(0.1)
            peak = max(peak, lobbytest.rss_kib(server.process.pid))
        seconds = time.monotonic() - started
        time.sleep(1)
        after = lobbytest.rss_kib(server.process.pid)
        ended = [s for s in server.sessions(all=True) if (s.get("user") or "").startswith("sleeper")]
        slow = sum(1 for s in ended if s.get("reason") == "slow")
        print("| scenario | clients | ended slow | RSS before | peak RSS | RSS after | growth (peak) | target |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        growth = (peak - before) / 1024
        print(f"| non-reading history readers | {options.clients} | {slow} | {before / 1024:.1f} MiB | "
              f"{peak / 1024:.1f} MiB | {after / 1024:.1f} MiB | {growth:.1f} MiB | < 64 MiB "
              f"{'met' if growth < 64 else 'MISSED'} |")
        print(f"\n(all {slow} cut off within {seconds:.1f} s)")
        for sleeper in sleepers:
            sleeper.close_abruptly()
        return 0
    finally:
        server.stop_quietly()


if __name__ == "__main__":
    sys.exit(main())
