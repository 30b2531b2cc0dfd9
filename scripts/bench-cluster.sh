#!/usr/bin/env bash
# make bench-cluster: lobby-bench against two lobby-server nodes sharing one private PostgreSQL.
#
#   paced fan-out, subscribers and publisher on one node   (the single-node baseline, on PostgreSQL)
#   paced fan-out, subscribers on node A, publisher on B   (cross-node: one NOTIFY + one log read more)
#   burst with receipts, publisher on B                     (chat throughput through the database;
#                                                             the batch size from pg_stat_database)
#   node-lost: N sessions on B, observer on A, B SIGKILLed  (failover: every leave within lease + 2 s)
#
# Each scenario gets fresh nodes on a fresh database. Output in BENCH_OUT (default
# .build-bench-results/cluster/): lobby.jsonl, table.md, batch.txt, logs.
# Sizes: CLUSTER_PACED_S (1000), PACED_RATE (10), PACED_SECONDS (10), CLUSTER_BURST_S (100),
# CLUSTER_BURST_M (10000), CLUSTER_LOST_N (5000), CLUSTER_LEASE_MS (2000).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-.build}
SWIFT=${SWIFT:-swift}
BENCH_OUT=${BENCH_OUT:-.build-bench-results/cluster}
PACED_S=${CLUSTER_PACED_S:-1000}
PACED_RATE=${PACED_RATE:-10}
PACED_SECONDS=${PACED_SECONDS:-10}
BURST_S=${CLUSTER_BURST_S:-100}
BURST_M=${CLUSTER_BURST_M:-10000}
LOST_N=${CLUSTER_LOST_N:-5000}
LEASE_MS=${CLUSTER_LEASE_MS:-2000}

if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    echo "bench-cluster: building release (lobby-server, lobby-bench) in $BUILD_DIR"
    $SWIFT build -c release --build-path "$BUILD_DIR" --product lobby-server
    $SWIFT build -c release --build-path "$BUILD_DIR" --product lobby-bench
fi
SERVER="$BUILD_DIR/release/lobby-server"
BENCH="$BUILD_DIR/release/lobby-bench"
mkdir -p "$BENCH_OUT"
: > "$BENCH_OUT/lobby.jsonl"
: > "$BENCH_OUT/batch.txt"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PG_DIR=$(mktemp -d /tmp/lobby-bench-cluster-pg.XXXXXX)
NODE_PIDS=()
stop_nodes() {
    for pid in "${NODE_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    NODE_PIDS=()
}
cleanup() {
    stop_nodes
    scripts/postgres-private.sh stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

BASE_URL=$(scripts/postgres-private.sh start "$PG_DIR" 0 lobby)
ROUND=0

# start_nodes NAME: a fresh database and two nodes on it; sets URL, A_PORT, B_PORT, A_PID, B_PID.
start_nodes() {
    local name=$1
    stop_nodes
    ROUND=$((ROUND + 1))
    local db="bench_${ROUND}"
    psql -X -q -d "$BASE_URL" -c "CREATE DATABASE $db" >/dev/null
    URL="${BASE_URL%/lobby*}/$db?sslmode=disable"
    for node in a b; do
        "$SERVER" --host 127.0.0.1 --port 0 --database "$URL" --node-id "$node" --node-lease-ms "$LEASE_MS" \
            --log-level warning --chat-rate 100000 --chat-burst 100000 --max-connections-per-ip 1000000 --claims-per-hour 0 \
            > "$BENCH_OUT/server-$name-$node.log" 2>&1 &
        NODE_PIDS+=($!)
    done
    A_PID=${NODE_PIDS[0]}
    B_PID=${NODE_PIDS[1]}
    for node in a b; do
        for _ in $(seq 200); do
            grep -q "listening on" "$BENCH_OUT/server-$name-$node.log" 2>/dev/null && break
            sleep 0.1
        done
    done
    A_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$BENCH_OUT/server-$name-a.log")
    B_PORT=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$BENCH_OUT/server-$name-b.log")
    [ -n "$A_PORT" ] && [ -n "$B_PORT" ] || { echo "bench-cluster: a node did not start" >&2; exit 1; }
}

commits() {
    psql -X -q -A -t -d "$URL" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
}

# run NAME SERVER-PID a|b -- BENCH-ARGS…: sessions on A; with b, publishers (fanout) or the
# observer (storm) on B.
run() {
    local name=$1 pid=$2 other=$3
    shift 4
    local url="http://127.0.0.1:$A_PORT/connection" other_args=()
    [ "$other" = b ] && other_args=(--other-url "http://127.0.0.1:$B_PORT/connection")
    echo "bench-cluster: $name ($*)"
    local started=$SECONDS
    if ! "$BENCH" "$@" --url "$url" "${other_args[@]}" --peer lobby --server-pid "$pid" \
        --json-out "$BENCH_OUT/lobby.jsonl" > "$BENCH_OUT/$name.log" 2>&1; then
        echo "bench-cluster: $name failed; see $BENCH_OUT/$name.log" >&2
        tail -5 "$BENCH_OUT/$name.log" >&2
    fi
    echo "bench-cluster:   done in $((SECONDS - started)) s"
}

start_nodes paced-one
run paced-one-node "$A_PID" a -- fanout --mode paced --subscribers "$PACED_S" --rate "$PACED_RATE" \
    --duration "$PACED_SECONDS"

start_nodes paced-cross
run paced-cross-node "$A_PID" b -- fanout --mode paced --subscribers "$PACED_S" --rate "$PACED_RATE" \
    --duration "$PACED_SECONDS"

start_nodes burst
before=$(commits)
run burst-cross-node "$B_PID" b -- fanout --mode burst --subscribers "$BURST_S" --messages "$BURST_M" --receipts \
    --deadline 180
after=$(commits)
stored=$(psql -X -q -A -t -d "$URL" -c "SELECT count(*) FROM messages")
echo "burst: $stored messages stored in $((after - before)) committed transactions (all kinds, both nodes):" \
    "$(python3 -c "print(f'{$stored / max(1, $after - $before):.1f}')") messages per transaction" | tee -a "$BENCH_OUT/batch.txt"

# The sessions go to B (--url is B here); the observer to A; B is killed.
start_nodes node-lost
A_SAVED=$A_PORT
A_PORT=$B_PORT
B_PORT=$A_SAVED
run node-lost "$B_PID" b -- storm --sessions "$LOST_N" --kill-server --deadline 60
echo "node-lost: lease $LEASE_MS ms; target: every leave within lease + 2 s = $((LEASE_MS + 2000)) ms" \
    | tee -a "$BENCH_OUT/batch.txt"

"$BENCH" report "$BENCH_OUT/lobby.jsonl" > "$BENCH_OUT/table.md"
echo
cat "$BENCH_OUT/table.md"
cat "$BENCH_OUT/batch.txt"
echo "bench-cluster: results in $BENCH_OUT/"
