#!/usr/bin/env bash
# make bench: build release, run every lobby-bench scenario against a fresh lobby-server (temp
# database, private port), print the Markdown table, write the JSON lines and the plot.
#
# Output (BENCH_OUT, default .build-bench-results/, gitignored):
#   lobby.jsonl   one JSON line per scenario       table.md   the Markdown table
#   plot.svg      latency distributions, RSS       machine.txt  nproc, lscpu, memory
#   *.log         each scenario's full output and the server's log
#
# Sizes are in scripts/bench-sizes.sh; override them from the environment, e.g.
#   CONNECT_N=2000 REAL_STORM_N=2000 STORM_N=1000 BURST_M=1000 scripts/bench.sh
# The real-client storm (connect --real-clients) sits beside the chat-only connect of the same N in
# table.md; when REAL_STORM_N differs from CONNECT_N (or REAL_STORM_CONCURRENCY from 128), a
# chat-only connect of that size and concurrency runs too.
# BENCH_TRANSPORT=sockjs runs every scenario over the SockJS WebSocket transport instead of raw STOMP.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-.build}
SWIFT=${SWIFT:-swift}
BENCH_OUT=${BENCH_OUT:-.build-bench-results}
source scripts/bench-sizes.sh
BENCH_TRANSPORT=${BENCH_TRANSPORT:-raw}
SKIP_BUILD=${SKIP_BUILD:-0}

if [ "$SKIP_BUILD" != 1 ]; then
    echo "bench: building release (lobby-server, lobby-bench) in $BUILD_DIR"
    $SWIFT build -c release --build-path "$BUILD_DIR" --product lobby-server
    $SWIFT build -c release --build-path "$BUILD_DIR" --product lobby-bench
fi
BIN="$BUILD_DIR/release"
SERVER="$BIN/lobby-server"
BENCH="$BIN/lobby-bench"

mkdir -p "$BENCH_OUT"
: > "$BENCH_OUT/lobby.jsonl"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
{
    echo "nproc: $(nproc)"
    lscpu | grep -v "^Flags" | head -n 15
    free -h
    echo "RLIMIT_NOFILE: $(ulimit -n)"
    echo "load at start: $(cut -d" " -f1-3 /proc/loadavg)"
} > "$BENCH_OUT/machine.txt"

TRANSPORT_FLAG=()
[ "$BENCH_TRANSPORT" = sockjs ] && TRANSPORT_FLAG=(--sockjs)

SERVER_PID=""
DB_DIR=$(mktemp -d /tmp/lobby-bench.XXXXXX)

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    rm -rf "$DB_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME [server options…]: a fresh server with its own database; sets PORT and SERVER_PID.
start_server() {
    local name=$1
    shift
    stop_server
    rm -f "$DB_DIR"/*.sqlite*
    PORT=$(free_port)
    "$SERVER" --host 127.0.0.1 --port "$PORT" --database "$DB_DIR/$name.sqlite" --log-level warning \
        --chat-rate 100000 --chat-burst 100000 --max-connections-per-ip 1000000 --claims-per-hour 0 "$@" \
        > "$BENCH_OUT/server-$name.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "bench: lobby-server did not listen on $PORT; see $BENCH_OUT/server-$name.log" >&2
    exit 1
}

# scenario NAME SERVER-OPTIONS -- BENCH-ARGS…: fresh server, one scenario, result appended to lobby.jsonl.
scenario() {
    local name=$1
    shift
    local server_args=()
    while [ "$1" != "--" ]; do server_args+=("$1"); shift; done
    shift
    start_server "$name" "${server_args[@]}"
    echo "bench: $name ($*)"
    local started=$SECONDS
    if ! "$BENCH" "$@" --url "http://127.0.0.1:$PORT/connection" "${TRANSPORT_FLAG[@]}" --peer lobby \
        --server-pid "$SERVER_PID" --json-out "$BENCH_OUT/lobby.jsonl" > "$BENCH_OUT/$name.log" 2>&1; then
        echo "bench: $name failed; see $BENCH_OUT/$name.log" >&2
        tail -5 "$BENCH_OUT/$name.log" >&2
    fi
    echo "bench:   done in $((SECONDS - started)) s"
    stop_server
}

scenario connect -- connect --sessions "$CONNECT_N" --idle-seconds 3
if [ "$REAL_STORM_N" != "$CONNECT_N" ] || [ "$REAL_STORM_CONCURRENCY" != 128 ]; then
    scenario "connect-$REAL_STORM_N-c$REAL_STORM_CONCURRENCY" -- connect --sessions "$REAL_STORM_N" --idle-seconds 3 \
        --concurrency "$REAL_STORM_CONCURRENCY"
fi
scenario connect-real -- connect --real-clients --sessions "$REAL_STORM_N" --idle-seconds 5 \
    --concurrency "$REAL_STORM_CONCURRENCY" --deadline "$REAL_STORM_DEADLINE"
for s in $FANOUT_S; do
    scenario "fanout-burst-$s" -- fanout --mode burst --subscribers "$s" --messages "$FANOUT_M"
done
scenario "fanout-burst-$BURST_S-$BURST_M" -- fanout --mode burst --subscribers "$BURST_S" --messages "$BURST_M" \
    --receipts --deadline "$BURST_DEADLINE"
scenario "fanout-paced-$PACED_S" -- fanout --mode paced --subscribers "$PACED_S" --rate "$PACED_RATE" \
    --duration "$PACED_SECONDS"
scenario leave-close -- leave --kill close --victims "$LEAVE_K"
scenario leave-sigkill -- leave --kill sigkill --victims "$LEAVE_KILL_K"
scenario storm -- storm --sessions "$STORM_N"
scenario frozen --heartbeat-ms "$FROZEN_HEARTBEAT_MS" -- frozen --sessions "$FROZEN_K" \
    --heartbeat-ms "$FROZEN_HEARTBEAT_MS"

"$BENCH" report "$BENCH_OUT/lobby.jsonl" > "$BENCH_OUT/table.md"
python3 scripts/plot.py "$BENCH_OUT/lobby.jsonl" -o "$BENCH_OUT/plot.svg" > /dev/null
# Outbound memory under clients that never read (issue 21); needs websocket-client from .venv.
stop_server
PYTHON=${VENV_PYTHON:-.venv/bin/python}
echo "bench: slow readers"
if "$PYTHON" scripts/bench_slow_readers.py --binary "$SERVER" > "$BENCH_OUT/slow-readers.md" 2>"$BENCH_OUT/slow-readers.log"; then
    { echo; echo "Outbound memory:"; echo; cat "$BENCH_OUT/slow-readers.md"; } >> "$BENCH_OUT/table.md"
else
    echo "bench: slow readers failed; see $BENCH_OUT/slow-readers.log" >&2
fi
echo
cat "$BENCH_OUT/table.md"
echo
echo "bench: results in $BENCH_OUT/ (lobby.jsonl, table.md, plot.svg, machine.txt)"
