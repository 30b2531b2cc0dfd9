"""Operating Lobby (docs/operations.md): health endpoints (running, store outage, back again),
JSON logs, the SQLite online backup, and `make install` laying out binaries, completions and a
systemd unit that `systemd-analyze verify` accepts."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import lobbytest
from lobbytest import REPO_ROOT, LobbyServer, http_request, identified_client, server_binary


def test_health_endpoints_answer_while_running(server):
    alive = http_request(server.port, "GET", "/healthz")
    assert alive.status == 200 and alive.text == "ok\n"
    ready = http_request(server.port, "GET", "/readyz")
    assert ready.status == 200 and ready.text == "ready\n", ready.text
    assert ready.headers["cache-control"].startswith("no-store")
    assert http_request(server.port, "POST", "/readyz").status == 405
    # They are not SockJS endpoints: no origin check, no session.
    assert http_request(server.port, "GET", "/readyz", {"Origin": "http://evil.example"}).status == 200


def test_readyz_reports_a_store_outage_and_the_recovery(tmp_path):
    """A PostgreSQL of its own, stopped under a running server: /readyz says 503 with the reason
    within the probe's deadline, /healthz stays 200, and both recover when the database does."""
    script = REPO_ROOT / "scripts" / "postgres-private.sh"
    pg_dir = Path(tempfile.mkdtemp(prefix="lobby-readyz-pg-", dir="/tmp"))
    os.chmod(pg_dir, 0o755)
    started = subprocess.run([str(script), "start", str(pg_dir), "0", "lobby"], capture_output=True, text=True,
                             timeout=120)
    if started.returncode != 0:
        pytest.fail(f"private PostgreSQL did not start: {started.stderr}")
    url = started.stdout.strip().splitlines()[-1]
    server = LobbyServer(tmp_path, args=["--heartbeat-ms", "0"], database=url)
    try:
        server.start()
        assert http_request(server.port, "GET", "/readyz").status == 200
        subprocess.run([str(script), "stop", str(pg_dir)], check=True, timeout=60)
        outage = lobbytest.wait_until(
            lambda: (r := http_request(server.port, "GET", "/readyz")).status == 503 and r,
            timeout=15, what="/readyz 503 with the database stopped")
        assert outage.text.startswith("not ready: store unavailable"), outage.text
        assert outage.text.count("\n") == 1
        assert http_request(server.port, "GET", "/healthz").status == 200
        subprocess.run([str(script), "restart", str(pg_dir)], check=True, timeout=120)
        lobbytest.wait_until(lambda: http_request(server.port, "GET", "/readyz").status == 200,
                             timeout=30, what="/readyz 200 once the database is back")
    finally:
        server.stop_quietly()
        subprocess.run([str(script), "stop", str(pg_dir)], capture_output=True, timeout=60)
        shutil.rmtree(pg_dir, ignore_errors=True)


def test_json_log_lines_parse(make_server):
    server = make_server("--log-format", "json")
    client = identified_client(server, "jsonuser")
    client.close_abruptly()
    lobbytest.wait_until(lambda: '"user left"' in server.log(), what="the leave in the log")
    lines = [line for line in server.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "message"} <= set(record) for record in records), records[:3]
    assert any(r["message"].startswith("listening on http://127.0.0.1:") for r in records)
    left = next(r for r in records if r["message"] == "user left")
    assert left["user"] == "jsonuser" and left["reason"] == "closed" and left["level"] == "info", left
    started = next(r for r in records if r["message"] == "session started")
    assert started["transport"] == "websocket" and started["session"], started
    assert time.strptime(left["time"][:19], "%Y-%m-%dT%H:%M:%S")


def test_bad_log_format_is_refused(tmp_path):
    result = subprocess.run([str(server_binary()), "--log-format", "xml", "--database", str(tmp_path / "x.sqlite")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "--log-format must be text or json" in result.stderr


def test_online_backup_holds_the_messages(server, tmp_path):
    client = identified_client(server, "writer")
    for index in range(20):
        client.chat(f"keep me {index}", receipt=f"r{index}")
    target = tmp_path / "backup.sqlite"
    done = subprocess.run([str(server_binary()), "backup", str(target), "--database", str(server.database)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as db:
        texts = [row[0] for row in db.execute("SELECT text FROM messages WHERE to_user IS NULL ORDER BY id")]
        assert texts == [f"keep me {index}" for index in range(20)]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = subprocess.run([str(server_binary()), "backup", str(target), "--database", str(server.database)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "exists" in again.stderr
    postgres = subprocess.run([str(server_binary()), "backup", str(tmp_path / "pg"), "--database",
                               "postgres://u@127.0.0.1:1/x"], capture_output=True, text=True, timeout=60)
    assert postgres.returncode != 0 and "pg_dump" in postgres.stderr


def test_make_install_lays_out_the_files_and_a_valid_unit(tmp_path):
    bin_dir = server_binary().parent
    staged = tmp_path / "stage"
    environment = dict(os.environ, INSTALL_BIN=str(bin_dir), DESTDIR=str(staged), PREFIX="/usr/local")
    subprocess.run(["make", "-s", "install"], cwd=REPO_ROOT, env=environment, check=True, timeout=300,
                   capture_output=True)
    root = staged / "usr/local"
    for program in ("lobby-server", "lobby", "lobby-bench"):
        link = root / "bin" / program
        assert link.is_symlink() and os.readlink(link) == f"../libexec/lobby/{program}"
        assert os.access(root / "libexec/lobby" / program, os.X_OK)
        assert (root / "share/bash-completion/completions" / program).read_text().startswith("#!/bin/bash")
        assert "#compdef" in (root / "share/zsh/site-functions" / f"_{program}").read_text()
        assert "complete -c" in (root / "share/fish/vendor_completions.d" / f"{program}.fish").read_text()
    assert (root / "libexec/lobby/Lobby_LobbyServer.resources").is_dir()
    unit = (root / "lib/systemd/system/lobby-server.service").read_text()
    for line in ("ExecStart=/usr/local/bin/lobby-server serve", "StateDirectory=lobby", "Restart=on-failure",
                 "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                 "EnvironmentFile=-/etc/default/lobby-server", "User=lobby"):
        assert line in unit, line
    assert (staged / "etc/default/lobby-server").exists()

    # The installed server runs from its new home and serves its web page (the resource bundle).
    (tmp_path / "run").mkdir()
    process = subprocess.Popen([str(root / "bin/lobby-server"), "--port", "0", "--database",
                                str(tmp_path / "run/db.sqlite")], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        port = int(line.rsplit(":", 1)[1].split("/")[0])
        page = http_request(port, "GET", "/")
        assert page.status == 200 and "<html" in page.text.lower()
    finally:
        process.terminate()
        process.wait(timeout=20)

    # An install with a real prefix lets systemd-analyze check every line of the unit.
    if shutil.which("systemd-analyze"):
        prefix = tmp_path / "prefix"
        subprocess.run(["scripts/install.sh", "install"], cwd=REPO_ROOT, check=True, timeout=300, capture_output=True,
                       env=dict(os.environ, INSTALL_BIN=str(bin_dir), PREFIX=str(prefix),
                                SYSCONFDIR=str(prefix / "etc")))
        verify = subprocess.run(["systemd-analyze", "verify", str(prefix / "lib/systemd/system/lobby-server.service")],
                                capture_output=True, text=True, timeout=60)
        assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr
    else:
        lobbytest.measure("make install: systemd-analyze not installed, unit not verified")

    subprocess.run(["make", "-s", "uninstall"], cwd=REPO_ROOT, env=environment, check=True, timeout=60,
                   capture_output=True)
    assert not (root / "libexec/lobby").exists() and not (root / "bin/lobby-server").exists()
    assert not (root / "lib/systemd/system/lobby-server.service").exists()
    assert (staged / "etc/default/lobby-server").exists(), "the admin's options are kept"


def test_lobby_server_help_shows_the_serve_options():
    """Issue 26: `lobby-server --help` listed the subcommands only; the options of the command
    that runs by default were behind `lobby-server help serve`."""
    result = subprocess.run([str(server_binary()), "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    for option in ("--port", "--database", "--admin-listen", "--public-url", "--claims-per-hour"):
        assert option in result.stdout, option
    assert "sessions" in result.stdout and "kick" in result.stdout
