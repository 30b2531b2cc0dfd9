#!/usr/bin/env bash
# make bench-compare: the `make bench` scenarios against Lobby, then the same scenarios, in the
# same run, against RabbitMQ Web-STOMP (Debian's rabbitmq-server, installed if missing, started
# as a private node with its state in a temp dir, stopped after by PID); then Lobby ÷ RabbitMQ.
#
# Output in BENCH_OUT (default .build-bench-results/): lobby.jsonl, rabbitmq.jsonl, table.md,
# compare.md, plot.svg (both peers; RabbitMQ dashed), machine.txt and logs.
# Sizes: the variables of scripts/bench.sh apply to both peers.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-.build}
SWIFT=${SWIFT:-swift}
export BUILD_DIR SWIFT
export BENCH_OUT=${BENCH_OUT:-.build-bench-results}
source scripts/bench-sizes.sh

scripts/rabbitmq.sh install

# Lobby first (builds release, writes lobby.jsonl and its table).
scripts/bench.sh

BENCH="$BUILD_DIR/release/lobby-bench"
RABBIT_DIR=$(mktemp -d /tmp/lobby-bench-rabbitmq.XXXXXX)
cleanup() {
    scripts/rabbitmq.sh stop "$RABBIT_DIR" || true
    rm -rf "$RABBIT_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# One node for every RabbitMQ scenario: it takes seconds to start, and holds no state between them.
scripts/rabbitmq.sh start "$RABBIT_DIR"
# shellcheck disable=SC1091
. "$RABBIT_DIR/env"
: > "$BENCH_OUT/rabbitmq.jsonl"

RABBIT_ARGS=(--url "$RABBIT_WS_URL" --peer rabbitmq --login guest --passcode guest
    --identity-destination "" --presence-topic "" --reply-destination ""
    --chat-destination /topic/bench --chat-topic /topic/bench
    --server-pid "$RABBIT_PID" --json-out "$BENCH_OUT/rabbitmq.jsonl")

rabbit() {
    local name=$1
    shift
    echo "bench-compare: rabbitmq $name ($*)"
    local started=$SECONDS
    if ! "$BENCH" "$@" "${RABBIT_ARGS[@]}" > "$BENCH_OUT/rabbitmq-$name.log" 2>&1; then
        echo "bench-compare: rabbitmq $name failed; see $BENCH_OUT/rabbitmq-$name.log" >&2
        tail -5 "$BENCH_OUT/rabbitmq-$name.log" >&2
    fi
    echo "bench-compare:   done in $((SECONDS - started)) s"
    # Let the node settle (closed sessions, garbage collection) before the next scenario.
    sleep 3
}

rabbit connect connect --sessions "$CONNECT_N" --idle-seconds 3
if [ "$REAL_STORM_N" != "$CONNECT_N" ] || [ "$REAL_STORM_CONCURRENCY" != 128 ]; then
    rabbit "connect-$REAL_STORM_N-c$REAL_STORM_CONCURRENCY" connect --sessions "$REAL_STORM_N" --idle-seconds 3 \
        --concurrency "$REAL_STORM_CONCURRENCY"
fi
# Not run: RabbitMQ has no /app/identity, no presence and no welcome, so there is no member list to
# keep. lobby-bench writes the row as N/A with that reason (connects nothing); the chat-only connect
# above is the comparable row.
rabbit connect-real connect --real-clients --sessions "$REAL_STORM_N" --concurrency "$REAL_STORM_CONCURRENCY" \
    --deadline "$REAL_STORM_DEADLINE"
for s in $FANOUT_S; do
    rabbit "fanout-burst-$s" fanout --mode burst --subscribers "$s" --messages "$FANOUT_M"
done
rabbit "fanout-paced-$PACED_S" fanout --mode paced --subscribers "$PACED_S" --rate "$PACED_RATE" \
    --duration "$PACED_SECONDS"
rabbit leave-close leave --kill close --victims "$LEAVE_K"
rabbit leave-sigkill leave --kill sigkill --victims "$LEAVE_KILL_K"
rabbit storm storm --sessions "$STORM_N"
# RabbitMQ has no server heart-beat option: the held sessions offer heart-beat:N,N, which it honours.
rabbit frozen frozen --sessions "$FROZEN_K" --heartbeat-ms "$FROZEN_HEARTBEAT_MS"
# Last, the longest: RabbitMQ delivers ~15 000-25 000 messages/s here, so BURST_M × BURST_S may not all
# arrive within BURST_DEADLINE; the row then reports what arrived by then and does not judge loss.
rabbit "fanout-burst-$BURST_S-$BURST_M" fanout --mode burst --subscribers "$BURST_S" --messages "$BURST_M" \
    --receipts --deadline "$BURST_DEADLINE"

"$BENCH" report "$BENCH_OUT/rabbitmq.jsonl" > "$BENCH_OUT/rabbitmq-table.md"
"$BENCH" compare --lobby "$BENCH_OUT/lobby.jsonl" --other "$BENCH_OUT/rabbitmq.jsonl" --other-name RabbitMQ \
    > "$BENCH_OUT/compare.md"
python3 scripts/plot.py "$BENCH_OUT/lobby.jsonl" "$BENCH_OUT/rabbitmq.jsonl" -o "$BENCH_OUT/plot.svg" > /dev/null
echo
cat "$BENCH_OUT/rabbitmq-table.md"
echo
cat "$BENCH_OUT/compare.md"
echo
echo "bench-compare: results in $BENCH_OUT/ (compare.md, lobby.jsonl, rabbitmq.jsonl, plot.svg)"
