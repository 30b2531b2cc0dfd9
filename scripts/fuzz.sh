#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (address sanitizer on) and runs each one for FUZZ_SECONDS
# on a copy of its committed seed corpus, one target at a time, then prints executions and crashes
# per target. Exits non-zero when any target crashed (or did not run); crash inputs are kept in
# .fuzz-artifacts/<target>/. The committed corpus is never changed.
#
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   which targets (default: all five)
#   FUZZ_RSS_MB    libFuzzer's -rss_limit_mb (default 2048)
#   FUZZ_ARGS      extra libFuzzer flags, e.g. "-max_len=8192"
#   SWIFT          the swift driver (default swift)
set -euo pipefail
# The Swift runtime's crash backtracer trips over ASan (and can hang); libFuzzer prints the stack.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-stomp-parser stomp-server sockjs-json sockjs-route name-rules}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
BUILD_PATH=.build-fuzz
ARTIFACTS=.fuzz-artifacts

# The coverage kind is spelled out: with SwiftPM's --sanitize flags alone, some builds came out
# with no coverage instrumentation at all (the fuzzer then mutates blind), and a bare
# -sanitize-coverage=edge gives trace-pc-guard, which this libFuzzer no longer accepts.
FLAGS=(-c release --sanitize=fuzzer --sanitize=address
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp)
echo "fuzz: building Fuzz/ (release, -sanitize=fuzzer,address, inline 8-bit counters)"
"$SWIFT" build --package-path Fuzz --build-path "$BUILD_PATH" "${FLAGS[@]}" 2>&1 | grep -v "prohibited flag" || true
BIN_DIR=$("$SWIFT" build --package-path Fuzz --build-path "$BUILD_PATH" "${FLAGS[@]}" --show-bin-path 2>/dev/null)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lobby-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ARTIFACTS"

rows=()
failed=0
for target in $FUZZ_TARGETS; do
    binary="$BIN_DIR/$target"
    if [ ! -x "$binary" ]; then
        echo "fuzz: $binary was not built" >&2
        rows+=("$target|-|-|-|-|build failed")
        failed=1
        continue
    fi
    # Refuse to fuzz blind (see FLAGS above).
    # (Not `| grep -q`: grep stopping early makes readelf die of SIGPIPE, and pipefail then
    # reads that as "not instrumented".)
    if ! readelf -S "$binary" | grep -c __sancov_cntrs >/dev/null; then
        echo "fuzz: $binary has no coverage instrumentation; rebuild (rm -rf $BUILD_PATH)" >&2
        rows+=("$target|-|-|-|-|not instrumented")
        failed=1
        continue
    fi
    corpus="$WORK/corpus-$target"
    mkdir -p "$corpus" "$ARTIFACTS/$target"
    cp Fuzz/corpus/"$target"/* "$corpus"/
    log="$WORK/$target.log"
    echo "fuzz: $target for ${FUZZ_SECONDS}s"
    stamp="$WORK/started-$target"
    touch "$stamp"
    start=$(date +%s)
    status=0
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags
    "$binary" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb="$FUZZ_RSS_MB" -print_final_stats=1 \
        -artifact_prefix="$ARTIFACTS/$target/" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1 || status=$?
    seconds=$(($(date +%s) - start))
    executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
    crashes=$(find "$ARTIFACTS/$target" -type f -newer "$stamp" \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        echo "fuzz: $target exited $status; its log ends:" >&2
        tail -40 "$log" >&2
        cp "$log" "$ARTIFACTS/$target/last.log"
    fi
    rows+=("$target|${executions:-?}|${rate:-?}|${coverage:-?}|$seconds|$crashes")
done

echo
printf '%-14s %14s %10s %9s %8s %8s\n' target executions exec/s coverage seconds crashes
for row in "${rows[@]}"; do
    IFS='|' read -r target executions rate coverage seconds crashes <<<"$row"
    printf '%-14s %14s %10s %9s %8s %8s\n' "$target" "$executions" "$rate" "$coverage" "$seconds" "$crashes"
done
if [ "$failed" -ne 0 ]; then
    echo "fuzz: FAILED: crash inputs are in $ARTIFACTS/ (see docs/fuzzing.md)" >&2
    exit 1
fi
echo "fuzz: no crashes"
