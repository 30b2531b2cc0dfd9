"""End-to-end tests of the `lobby` terminal client: the real `lobby-server`, real `lobby` clients
in real terminals (tmux panes on a private tmux server), and one `lobby --plain` on pipes.

Each test starts its own server (port 0, SQLite in a temp dir) and its own tmux server
(`tmux -L <unique>`), and kills both at the end whatever happens. Every wait polls the screen
with a deadline; a failed wait shows the screen it last captured.
"""

from __future__ import annotations

import os
import time
import unicodedata

import pytest

from lobbytest import LobbyServer, measure, wait_until
from tmuxtest import (
    PlainLobby,
    ScreenTimeout,
    TmuxServer,
    client_command,
    cpu_ticks,
    framed,
    has_chat,
    has_notice,
    member_names,
    member_title,
    message_area,
    own_member,
    process_name,
    process_state,
    restoration_problems,
    server,  # noqa: F401 (fixture)
    status_line,
    tmux,  # noqa: F401 (fixture)
)

WIDTH, HEIGHT = 100, 30
MEMBER_PANE_WIDTH = 16  # ScreenLayout.memberPaneWidth: the border sits in column WIDTH - 16


# Fixtures `server` and `tmux` come from tmuxtest.


def open_client(tmux: TmuxServer, server: LobbyServer, name: str, *extra: str, width: int = WIDTH,
                height: int = HEIGHT):
    """A `lobby --name NAME` in its own tmux session, connected (status line says so)."""
    terminal = tmux.terminal(name, client_command(server, name, *extra), width=width, height=height)
    terminal.wait_connected(name, timeout=10)
    return terminal


def session_row(server: LobbyServer, user: str, ended: bool = True) -> dict | None:
    rows = [r for r in server.sessions(all=True) if r.get("user") == user]
    rows = [r for r in rows if bool(r.get("endedAt")) == ended]
    return rows[-1] if rows else None


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1
               for ch in text)


def assert_border_aligned(screen: str, width: int = WIDTH) -> None:
    """On every message row the member pane's border is at display column width - 16, whatever
    double-width text sits left of it: nothing wrapped into or overwrote the pane."""
    rows = screen.rstrip("\n").split("\n")[1:-1]
    for index, row in enumerate(rows, start=1):
        assert "│" in row, f"row {index} has no member-pane border\n{framed(screen)}"
        left = row.rsplit("│", 1)[0]
        assert display_width(left) == width - MEMBER_PANE_WIDTH, (
            f"row {index}: border at display column {display_width(left)}, expected "
            f"{width - MEMBER_PANE_WIDTH}\n{framed(screen)}")


def assert_terminal_restored(terminal, output_path, how: str) -> None:
    """The pane's program has exited; the terminal must be back in its normal state: out of the
    alternate screen, cursor visible, keypad mode off (tmux hides a dead pane's cursor itself,
    so this reads what the program wrote, recorded with pipe-pane)."""
    assert terminal.display("#{alternate_on}") == "0", f"still in the alternate screen after {how}"

    def output():
        return output_path.read_bytes() if output_path.exists() else b""

    try:
        wait_until(lambda: not restoration_problems(output()), timeout=3, what="the terminal restored")
    except TimeoutError:
        tail = output()[-200:]
        raise AssertionError(f"terminal not restored after {how}: {restoration_problems(output())}; "
                             f"last bytes written: {tail!r}")


# ---------------------------------------------------------------------------------------------
# 1. Two users chat
# ---------------------------------------------------------------------------------------------


def test_two_users_chat(server, tmux):
    alice = open_client(tmux, server, "alice")
    alice.wait_members(["alice"])
    assert "connected as alice (session " in status_line(alice.last_screen), alice.screen_text()

    bob = open_client(tmux, server, "bob")
    alice.wait_for(lambda s: has_notice(s, "--> bob joined"), "'--> bob joined'")
    for terminal, own in ((alice, "alice"), (bob, "bob")):
        screen = terminal.wait_members(["alice", "bob"])
        assert own_member(screen) == own, f"own name not marked with '*'\n{terminal.screen_text()}"
        assert member_title(screen) == "2 members", terminal.screen_text()
        assert "2 members" in status_line(screen), terminal.screen_text()

    alice.say("hello bob")
    bob.wait_for(lambda s: has_chat(s, "alice", "hello bob"), "'<alice> hello bob' on bob's screen")
    screen = alice.wait_for(lambda s: has_chat(s, "alice", "hello bob"), "alice's own message echoed")
    assert screen.rstrip("\n").split("\n")[-1].rstrip() == ">", \
        f"the input line is not cleared after Enter\n{alice.screen_text()}"

    bob.say("hi alice")
    alice.wait_for(lambda s: has_chat(s, "bob", "hi alice"), "'<bob> hi alice' on alice's screen")

    bob.say("/me waves")
    alice.wait_for(lambda s: any(r.strip().endswith("* bob waves") for r in message_area(s)),
                   "'* bob waves' (a /me action)")


# ---------------------------------------------------------------------------------------------
# 2. Korean round-trip
# ---------------------------------------------------------------------------------------------


def test_korean_round_trip(server, tmux):
    alice = open_client(tmux, server, "alice")
    bob = open_client(tmux, server, "bob")
    alice.wait_members(["alice", "bob"])
    bob.wait_members(["alice", "bob"])

    text = "안녕하세요 세계"
    bob.type(text)
    # The input line holds the text and the cursor sits after its true width (2 cells a syllable).
    bob.wait_for(lambda s: s.rstrip("\n").split("\n")[-1].rstrip() == "> " + text, "Korean on bob's input line")
    expected_cursor = 2 + display_width(text)
    wait_until(lambda: bob.display("#{cursor_x}") == str(expected_cursor), timeout=3,
               what=f"bob's cursor at column {expected_cursor} (got {bob.display('#{cursor_x}')})")
    bob.keys("Enter")

    screen = alice.wait_for(lambda s: has_chat(s, "bob", text), f"'<bob> {text}' on alice's screen")
    assert_border_aligned(screen)
    screen = bob.wait_for(lambda s: has_chat(s, "bob", text), "bob's own Korean message")
    assert_border_aligned(screen)

    reply = "반가워요, 밥! 한글 잘 보여요"
    alice.say(reply)
    screen = bob.wait_for(lambda s: has_chat(s, "alice", reply), f"'<alice> {reply}' on bob's screen")
    assert_border_aligned(screen)


# ---------------------------------------------------------------------------------------------
# 3. A third user joins and quits
# ---------------------------------------------------------------------------------------------


def test_third_user_joins_and_quits(server, tmux, tmp_path):
    alice = open_client(tmux, server, "alice")
    bob = open_client(tmux, server, "bob")
    for terminal in (alice, bob):
        terminal.wait_members(["alice", "bob"])

    carol = open_client(tmux, server, "carol")
    for terminal in (alice, bob):
        terminal.wait_for(lambda s: has_notice(s, "--> carol joined"), "'--> carol joined'")
        screen = terminal.wait_members(["alice", "bob", "carol"])
        assert member_title(screen) == "3 members", terminal.screen_text()
    carol.wait_members(["alice", "bob", "carol"])
    assert carol.display("#{alternate_on}") == "1", "a full-screen client should use the alternate screen"

    carol_output = tmp_path / "carol.out"
    carol.record_output(carol_output)
    carol.say("/quit")
    for terminal in (alice, bob):
        terminal.wait_for(lambda s: has_notice(s, "<-- carol left (quit)"), "'<-- carol left (quit)'")
        terminal.wait_members(["alice", "bob"])

    # carol's program ended by itself, successfully, and gave the terminal back.
    wait_until(carol.dead, timeout=5, what="carol's pane to be dead (the client exited)")
    assert carol.dead_status() == "0", f"lobby exited with status {carol.dead_status()}\n{carol.screen_text()}"
    assert_terminal_restored(carol, carol_output, "/quit")

    row = wait_until(lambda: session_row(server, "carol"), timeout=5, what="carol's ended session row")
    assert row["reason"] == "quit", row


# ---------------------------------------------------------------------------------------------
# 4. Closing a client's terminal
# ---------------------------------------------------------------------------------------------


def test_killed_pane_is_a_closed_connection(server, tmux):
    alice = open_client(tmux, server, "alice")
    bob = open_client(tmux, server, "bob")
    alice.wait_members(["alice", "bob"])
    bob.wait_members(["alice", "bob"])
    bob_pid = bob.pid
    assert process_name(bob_pid) == "lobby", f"pane pid {bob_pid} is {process_name(bob_pid)!r}, not lobby"

    started = time.monotonic()
    bob.kill()  # tmux kill-session: the pty goes away, bob's client gets SIGHUP
    screen = alice.wait_for(lambda s: has_notice(s, "<-- bob left (connection closed)"),
                            "'<-- bob left (connection closed)'", timeout=10, interval=0.01)
    latency = time.monotonic() - started
    measure(f"tmux: pane kill -> '<-- bob left (connection closed)' on alice's screen: {latency * 1000:.0f} ms")
    assert latency < 2.0, f"the leave took {latency:.2f}s to show (limit 2 s)\n{framed(screen)}"
    alice.wait_members(["alice"])

    wait_until(lambda: process_state(bob_pid) in ("", "Z") or process_name(bob_pid) != "lobby",
               timeout=5, what="bob's client process to exit after SIGHUP")
    row = wait_until(lambda: session_row(server, "bob"), timeout=5, what="bob's ended session row")
    assert row["reason"] == "closed", row


# ---------------------------------------------------------------------------------------------
# 5. Resize
# ---------------------------------------------------------------------------------------------


def screen_rows(screen: str) -> list[str]:
    return screen.rstrip("\n").split("\n")


def message_rows(screen: str) -> list[str]:
    return [row.strip() for row in message_area(screen)]


def test_resize_down_to_too_small_and_back(server, tmux):
    alice = open_client(tmux, server, "alice")
    bob = open_client(tmux, server, "bob")
    alice.wait_members(["alice", "bob"])
    bob.say("before the resize")
    alice.wait_for(lambda s: has_chat(s, "bob", "before the resize"), "bob's first message")
    problems: list[str] = []  # layout problems are collected so one run reports every size

    def check(what: str, predicate) -> str | None:
        try:
            return alice.wait_for(predicate, what, timeout=3)
        except ScreenTimeout as failure:
            problems.append(str(failure))
            return None

    # 40×10: too narrow for the member pane; status, messages and input still there.
    alice.resize(40, 10)
    alice.wait_for(lambda s: len(screen_rows(s)) == 10 and "alice" in status_line(s), "a 40x10 status line")
    check("the 40x10 layout: no member pane, bob's message in the message area, '>' input line",
          lambda s: "│" not in s and screen_rows(s)[-1].startswith(">")
          and any(row.endswith("<bob> before the resize") for row in message_rows(s)))
    assert not alice.dead(), "the client died at 40x10"

    # 20×5: the smallest supported size; the message wraps, its end is in view above the input.
    alice.resize(20, 5)
    alice.wait_for(lambda s: len(screen_rows(s)) == 5 and "alice" in status_line(s), "a 20x5 status line")
    screen = check("the 20x5 layout: message rows end with 'the resize', only the last row is '>'",
                   lambda s: screen_rows(s)[-1].startswith(">")
                   and not any(row.startswith(">") for row in screen_rows(s)[1:-1])
                   and "the resize" in screen_rows(s)[-2])
    assert not alice.dead(), "the client died at 20x5"
    if screen:
        assert all(display_width(row.rstrip()) <= 20 for row in screen_rows(screen)), framed(screen)

    # 19×4: too small.
    alice.resize(19, 4)
    alice.wait_for(lambda s: "terminal too small" in s, "'terminal too small' at 19x4")
    assert not alice.dead(), "the client died at 19x4"

    # Something happens while alice's terminal is too small; she sees it once it grows.
    bob.say("while you were small")
    bob.wait_for(lambda s: has_chat(s, "bob", "while you were small"), "bob's second message sent")
    time.sleep(0.2)  # alice's client receives it while tiny
    alice.wait_for(lambda s: "terminal too small" in s and "small" not in s.replace("terminal too small", ""),
                   "'terminal too small' alone while tiny")

    alice.resize(WIDTH, HEIGHT)
    screen = alice.wait_for(
        lambda s: len(screen_rows(s)) == HEIGHT and member_names(s) == ["alice", "bob"]
        and has_chat(s, "bob", "while you were small") and has_chat(s, "bob", "before the resize"),
        f"the full {WIDTH}x{HEIGHT} layout back, with the member pane and both messages")
    assert "connected as alice" in status_line(screen), framed(screen)
    assert_border_aligned(screen)
    assert not alice.dead()

    alice.say("still here")
    bob.wait_for(lambda s: has_chat(s, "alice", "still here"), "alice can still chat after the resizes")
    assert not problems, "\n\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 6. Idle CPU
# ---------------------------------------------------------------------------------------------


def test_idle_client_uses_no_cpu(server, tmux):
    alice = open_client(tmux, server, "alice")
    alice.wait_members(["alice"])
    pid = alice.pid
    assert process_name(pid) == "lobby", f"pane pid {pid} is {process_name(pid)!r}, not lobby"
    time.sleep(0.5)  # let start-up work (first renders, welcome) finish

    ticks_per_second = os.sysconf("SC_CLK_TCK")
    before, started = cpu_ticks(pid), time.monotonic()
    time.sleep(3.0)  # the measurement window: nothing happens
    after, wall = cpu_ticks(pid), time.monotonic() - started
    cpu_seconds = (after - before) / ticks_per_second
    share = cpu_seconds / wall
    measure(f"tmux: idle lobby client CPU over {wall:.1f} s: {cpu_seconds * 1000:.0f} ms ({share * 100:.1f} %)")
    assert share < 0.05, f"idle client used {cpu_seconds:.2f}s of CPU in {wall:.1f}s: busy polling?"
    assert not alice.dead()


# ---------------------------------------------------------------------------------------------
# 7. --plain mode on pipes
# ---------------------------------------------------------------------------------------------


def test_plain_mode_over_pipes(server, tmux):
    alice = open_client(tmux, server, "alice")
    alice.wait_members(["alice"])

    bob = PlainLobby(client_command(server, "bob", "--plain"))
    try:
        bob.wait_line(lambda line: "connected as bob" in line, "'connected as bob'", timeout=10)
        alice.wait_for(lambda s: has_notice(s, "--> bob joined"), "'--> bob joined'")
        alice.wait_members(["alice", "bob"])

        bob.write_line("hello from a pipe")
        alice.wait_for(lambda s: has_chat(s, "bob", "hello from a pipe"), "'<bob> hello from a pipe'")

        bob.write_line("파이프로 보낸 한글")
        alice.wait_for(lambda s: has_chat(s, "bob", "파이프로 보낸 한글"), "bob's Korean line")

        alice.say("hello plain bob")
        bob.wait_line(lambda line: line.endswith("<alice> hello plain bob"), "'<alice> hello plain bob'")

        bob.close_stdin()  # end of input: goodbye (DISCONNECT)
        alice.wait_for(lambda s: has_notice(s, "<-- bob left (quit)"), "'<-- bob left (quit)'")
        alice.wait_members(["alice"])
        try:
            code = bob.process.wait(timeout=5)
        except Exception:  # noqa: BLE001
            raise AssertionError(f"lobby --plain did not exit after its stdin closed\n{bob.output()}")
        assert code == 0, f"lobby --plain exited with {code}\n{bob.output()}\n{bob.stderr_so_far()}"
    finally:
        bob.kill()

    row = wait_until(lambda: session_row(server, "bob"), timeout=5, what="bob's ended session row")
    assert row["reason"] == "quit", row


# ---------------------------------------------------------------------------------------------
# 8. Ctrl-C
# ---------------------------------------------------------------------------------------------


def test_ctrl_c_quits_with_goodbye(server, tmux, tmp_path):
    alice = open_client(tmux, server, "alice")
    bob = open_client(tmux, server, "bob")
    alice.wait_members(["alice", "bob"])

    bob_output = tmp_path / "bob.out"
    bob.record_output(bob_output)
    bob.keys("C-c")
    alice.wait_for(lambda s: has_notice(s, "<-- bob left (quit)"), "'<-- bob left (quit)' after bob's Ctrl-C")
    alice.wait_members(["alice"])
    wait_until(bob.dead, timeout=5, what="bob's pane to be dead after Ctrl-C")
    assert bob.dead_status() == "0", f"lobby exited with status {bob.dead_status()} on Ctrl-C"
    assert_terminal_restored(bob, bob_output, "Ctrl-C")
