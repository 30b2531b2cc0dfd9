"""Helpers for the end-to-end tests of the `lobby` terminal client in tmux.

- `TmuxServer`: a private tmux server on its own socket (`tmux -L <unique>`, `-f` a config of our
  own), so the tests never see or touch the user's tmux; `kill()` ends it and every pane in it.
- `Terminal`: one tmux session running one `lobby` client (argv executed directly, no shell, so
  the pane's pid is the client's pid). Reads the screen with `capture-pane -p`, types with
  `send-keys -l`, polls the screen until a predicate holds (bounded), and parses the member pane.
- `PlainLobby`: `lobby --plain` as a subprocess with pipes; its stdout is read by a thread.

Every wait is bounded; a failed wait raises `ScreenTimeout` with the screen it last saw.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

import pytest

from lobbytest import REPO_ROOT, LobbyServer

WAIT = 5.0
TMUX = shutil.which("tmux") or "tmux"

_counter = itertools.count(1)


def client_binary() -> Path:
    bin_dir = Path(os.environ.get("LOBBY_BIN", ".build/debug"))
    if not bin_dir.is_absolute():
        bin_dir = REPO_ROOT / bin_dir
    return bin_dir / "lobby"


def client_command(server: LobbyServer, name: str, *extra: str) -> list[str]:
    return [str(client_binary()), "--server", server.http_url(), "--name", name, *extra]


class ScreenTimeout(AssertionError):
    pass


def framed(screen: str, title: str = "screen") -> str:
    """A captured screen between rulers, trailing blanks trimmed, for assertion messages."""
    lines = screen.rstrip("\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    width = max([len(line.rstrip()) for line in lines] + [20])
    rule = "+" + "-" * width + "+"
    body = "\n".join("|" + line.rstrip() for line in lines)
    return f"--- {title} ---\n{rule}\n{body}\n{rule}"


class TmuxServer:
    """A tmux server of our own: `tmux -L lobbytest-<pid>-<n>-<time> -f <our config>`."""

    CONFIG = "\n".join([
        "set -g status off",              # the pane gets every row of the window
        "set -g remain-on-exit on",       # an exited client's pane stays, dead, to be inspected
        "set -g history-limit 2000",
        "set -g escape-time 0",
        "set -g exit-empty on",
        "",
    ])

    def __init__(self, workdir: Path):
        self.socket = f"lobbytest-{os.getpid()}-{next(_counter)}-{time.monotonic_ns() % 1_000_000}"
        self.config = Path(workdir) / f"{self.socket}.tmux.conf"
        # The clients' name tokens go to the test's folder, never to the user's home.
        self.state_home = Path(workdir) / "xdg-state"
        self.config.write_text(self.CONFIG)
        self.terminals: list[Terminal] = []
        self.socket_path: str | None = None

    def tmux(self, *args: str, check: bool = True, timeout: float = 10) -> str:
        command = [TMUX, "-L", self.socket, "-f", str(self.config), *args]
        result = subprocess.run(command, capture_output=True, timeout=timeout,
                                env=dict(os.environ, TMUX=""))  # never nest into an outer tmux
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): "
                               f"{result.stderr.decode(errors='replace')}")
        return result.stdout.decode("utf-8", errors="replace")

    def succeeds(self, *args: str) -> bool:
        command = [TMUX, "-L", self.socket, "-f", str(self.config), *args]
        return subprocess.run(command, capture_output=True, timeout=10,
                              env=dict(os.environ, TMUX="")).returncode == 0

    def terminal(self, name: str, argv: list[str], width: int = 100, height: int = 30,
                 env: dict[str, str] | None = None) -> "Terminal":
        environment = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color",
                       "XDG_STATE_HOME": str(self.state_home), **(env or {})}
        # `env` execs the client, so the pane's pid is the client's own.
        command = ["env", *(f"{k}={v}" for k, v in environment.items()), *argv]
        self.tmux("new-session", "-d", "-x", str(width), "-y", str(height), "-s", name, "--", *command)
        terminal = Terminal(self, name)
        self.terminals.append(terminal)
        if self.socket_path is None:
            self.socket_path = terminal.display("#{socket_path}")
        return terminal

    def kill(self) -> None:
        """Ends the server and every pane in it (the clients get SIGHUP)."""
        try:
            self.tmux("kill-server", check=False, timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for path in (self.config, self.socket_path):
            try:
                if path:
                    os.unlink(path)  # tmux leaves its socket file behind
            except FileNotFoundError:
                pass


class Terminal:
    """One tmux session holding one pane that runs one program."""

    def __init__(self, server: TmuxServer, name: str):
        self.server = server
        self.name = name
        self.target = f"={name}:"  # exact session name, its current window/pane
        self.last_screen = ""
        self.pid = int(self.display("#{pane_pid}"))

    # -- tmux plumbing --

    def display(self, format: str) -> str:
        return self.server.tmux("display-message", "-p", "-t", self.target, format).rstrip("\n")

    def capture(self) -> str:
        """The visible screen as text: one line per row (double-width characters are one char)."""
        self.last_screen = self.server.tmux("capture-pane", "-p", "-t", self.target)
        return self.last_screen

    def type(self, text: str) -> None:
        """Types `text` literally (UTF-8, Korean included)."""
        self.server.tmux("send-keys", "-t", self.target, "-l", text)

    def keys(self, *keys: str) -> None:
        """Sends tmux key names: Enter, C-c, BSpace, Left…"""
        self.server.tmux("send-keys", "-t", self.target, *keys)

    def say(self, text: str) -> None:
        self.type(text)
        time.sleep(0.05)  # let the client read the text before the Enter
        self.keys("Enter")

    def resize(self, width: int, height: int) -> None:
        self.server.tmux("resize-window", "-t", self.target, "-x", str(width), "-y", str(height))

    def size(self) -> tuple[int, int]:
        width, height = self.display("#{pane_width} #{pane_height}").split()
        return int(width), int(height)

    def kill(self) -> None:
        """`tmux kill-session`: the pane closes, the client gets SIGHUP (a closed terminal)."""
        self.server.tmux("kill-session", "-t", f"={self.name}")

    def exists(self) -> bool:
        return self.server.succeeds("has-session", "-t", f"={self.name}")

    def record_output(self, path: Path) -> None:
        """Appends everything the program writes to its terminal from now on to `path`
        (`tmux pipe-pane`), to check the escape sequences it leaves with."""
        self.server.tmux("pipe-pane", "-o", "-t", self.target, f"cat >> '{path}'")

    def dead(self) -> bool:
        return self.display("#{pane_dead}") == "1"

    def dead_status(self, timeout: float = 3.0) -> str:
        """The exit status of a dead pane's program ("" if it has none, e.g. killed by a signal).

        tmux marks a pane dead when its pty closes but learns the status only when it reaps the
        child, and tmux 3.3a sometimes leaves the zombie unreaped until its next SIGCHLD. A
        `run-shell true` gives it one (its waitpid loop then reaps every child)."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.display("#{pane_dead_status}")
            if status or time.monotonic() >= deadline:
                return status
            self.server.tmux("run-shell", "true", check=False)
            time.sleep(0.02)

    # -- waiting on the screen --

    def wait_for(self, predicate: Callable[[str], object], what: str, timeout: float = WAIT,
                 interval: float = 0.03) -> str:
        """Polls the screen until `predicate(screen)` is truthy; returns that screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if predicate(screen):
                return screen
            if time.monotonic() >= deadline:
                raise ScreenTimeout(
                    f"{self.name}: timed out after {timeout}s waiting for {what}\n"
                    + framed(screen, f"{self.name}'s screen ({self.size_text()})"))
            time.sleep(interval)

    def wait_for_text(self, text: str, timeout: float = WAIT) -> str:
        return self.wait_for(lambda screen: text in screen, f"{text!r} on screen", timeout)

    def wait_connected(self, name: str, timeout: float = 10.0) -> str:
        return self.wait_for(lambda s: f"connected as {name}" in status_line(s),
                             f"status line 'connected as {name}'", timeout)

    def wait_members(self, expected: list[str], timeout: float = WAIT) -> str:
        return self.wait_for(lambda s: member_names(s) == sorted(expected),
                             f"member pane listing exactly {sorted(expected)}", timeout)

    def size_text(self) -> str:
        try:
            width, height = self.size()
            return f"{width}x{height}, dead={self.display('#{pane_dead}')}"
        except Exception:  # noqa: BLE001 - only for a message
            return "gone"

    def screen_text(self) -> str:
        return framed(self.last_screen, f"{self.name}'s screen")


# ---------------------------------------------------------------------------------------------
# Reading the screen
# ---------------------------------------------------------------------------------------------

BORDER = "│"


def status_line(screen: str) -> str:
    return screen.split("\n", 1)[0]


def member_pane(screen: str) -> list[str]:
    """The member pane's rows (right of the `│` border), message rows 1…h-2; [] if there is none."""
    rows = screen.rstrip("\n").split("\n")[1:-1]
    if not rows or not all(BORDER in row for row in rows):
        return []
    return [row.rsplit(BORDER, 1)[1].strip() for row in rows]


def member_names(screen: str) -> list[str]:
    """The names listed in the member pane (own name unmarked), in screen order."""
    pane = member_pane(screen)
    names = []
    for row in pane[1:]:  # row 0 is the title, `2 members`
        row = row.strip()
        if not row or row.startswith("+"):
            continue
        names.append(row[2:].strip() if row.startswith("* ") else row)
    return names


def own_member(screen: str) -> str | None:
    for row in member_pane(screen)[1:]:
        if row.strip().startswith("* "):
            return row.strip()[2:].strip()
    return None


def member_title(screen: str) -> str:
    pane = member_pane(screen)
    return pane[0] if pane else ""


CHAT_LINE = re.compile(r"^\d\d:\d\d <(?P<user>[^>]+)> (?P<text>.*)$")


def message_area(screen: str) -> list[str]:
    """The message area's rows (left of the member pane when there is one), trailing blanks cut."""
    rows = screen.rstrip("\n").split("\n")[1:-1]
    has_pane = rows and all(BORDER in row for row in rows)
    return [(row.rsplit(BORDER, 1)[0] if has_pane else row).rstrip() for row in rows]


def has_chat(screen: str, user: str, text: str) -> bool:
    """A `HH:MM <user> text` line in the message area."""
    for row in message_area(screen):
        match = CHAT_LINE.match(row.strip())
        if match and match.group("user") == user and match.group("text").rstrip() == text:
            return True
    return False


def has_notice(screen: str, notice: str) -> bool:
    """`--> bob joined` / `<-- bob left (quit)` in the message area (after its timestamp)."""
    return any(row.strip().endswith(notice) for row in message_area(screen))


# ---------------------------------------------------------------------------------------------
# Terminal state from recorded output (xterm-256color's terminfo)
# ---------------------------------------------------------------------------------------------

LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"  # rmcup
SHOW_CURSOR = b"\x1b[?25h"               # the end of cnorm
HIDE_CURSOR = b"\x1b[?25l"               # civis
KEYPAD_OFF = b"\x1b[?1l"                 # rmkx
KEYPAD_ON = b"\x1b[?1h"                  # smkx


def restoration_problems(output: bytes) -> list[str]:
    """What a program's last output leaves wrong with the terminal: still in the alternate
    screen, cursor hidden, keypad transmit mode on. [] when it was all undone."""
    problems = []
    if LEAVE_ALTERNATE_SCREEN not in output:
        problems.append("never left the alternate screen (no rmcup)")
    if output.rfind(HIDE_CURSOR) > output.rfind(SHOW_CURSOR):
        problems.append("left the cursor hidden (civis after the last cnorm)")
    if output.rfind(KEYPAD_ON) > output.rfind(KEYPAD_OFF):
        problems.append("left keypad transmit mode on (smkx after the last rmkx)")
    return problems


# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        data = stat.read()
    fields = data[data.rindex(")") + 2:].split()  # after `pid (comm) `: field 3 is index 0
    return int(fields[11]) + int(fields[12])


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:
        return ""


def process_state(pid: int) -> str:
    """The state letter from /proc/<pid>/stat (R, S, Z…), or "" once the process is gone."""
    try:
        data = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return ""
    return data[data.rindex(")") + 2:].split()[0]


class PlainLobby:
    """`lobby --plain` with its stdin, stdout and stderr on pipes; stdout lines are collected by a
    thread."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", **(env or {})))
        self.lines: list[str] = []
        self.raw = bytearray()  # stdout exactly as written, to look for bytes a decoder would hide
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            with self._lock:
                self.raw += raw
                self.lines.append(line)

    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_line(self, predicate: Callable[[str], bool], what: str, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for line in self.lines:
                    if predicate(line):
                        return line
            if time.monotonic() >= deadline:
                raise ScreenTimeout(f"--plain: timed out after {timeout}s waiting for {what}; "
                                    f"exit={self.process.poll()}; stdout so far:\n{self.output()}\n"
                                    f"stderr: {self.stderr_so_far()}")
            time.sleep(0.03)

    def stderr_so_far(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace")

    def write_line(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def close_stdin(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        self._reader.join(timeout=2)


# Fixtures shared by the terminal-client test files (they import them by name): a fresh server
# for a client that must exist, and a private tmux server killed afterwards.


@pytest.fixture
def server(tmp_path, request):
    if not client_binary().exists():
        pytest.fail(f"{client_binary()} does not exist (build the `lobby` product, or set LOBBY_BIN)")
    lobby_server = LobbyServer(tmp_path)
    request.node.lobby_servers = [lobby_server]  # conftest attaches its log to a failure report
    lobby_server.start()
    try:
        yield lobby_server
    finally:
        lobby_server.stop_quietly()


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed (`make deps` installs it)")
    tmux_server = TmuxServer(tmp_path)
    try:
        yield tmux_server
    finally:
        tmux_server.kill()
