# Scenario sizes shared by scripts/bench.sh and scripts/bench-compare.sh (both peers run the
# same sizes). They fit a 2-core machine in a few minutes; override any of them from the
# environment, e.g. CONNECT_N=2000 STORM_N=1000 make bench.
CONNECT_N=${CONNECT_N:-10000}
FANOUT_S=${FANOUT_S:-"100 1000"}
FANOUT_M=${FANOUT_M:-200}
PACED_S=${PACED_S:-1000}
PACED_RATE=${PACED_RATE:-10}
PACED_SECONDS=${PACED_SECONDS:-10}
LEAVE_K=${LEAVE_K:-200}
LEAVE_KILL_K=${LEAVE_KILL_K:-20}
STORM_N=${STORM_N:-5000}
FROZEN_K=${FROZEN_K:-20}
FROZEN_HEARTBEAT_MS=${FROZEN_HEARTBEAT_MS:-1000}
# Real-client storm (issue 10): N sessions that each keep their member list, beside a chat-only
# connect of the same N and the same handshakes in flight (REAL_STORM_CONCURRENCY, each until its
# identity's receipt; 128 is what the connect row uses); it gives up after REAL_STORM_DEADLINE s.
REAL_STORM_N=${REAL_STORM_N:-10000}
REAL_STORM_CONCURRENCY=${REAL_STORM_CONCURRENCY:-128}
REAL_STORM_DEADLINE=${REAL_STORM_DEADLINE:-600}
# Pipelined burst (issue 10): one publisher writes BURST_M SENDs at once (a receipt asked for each,
# none waited for) to BURST_S subscribers; BURST_DEADLINE bounds a peer that is still delivering.
BURST_S=${BURST_S:-1000}
BURST_M=${BURST_M:-10000}
BURST_DEADLINE=${BURST_DEADLINE:-180}
export CONNECT_N FANOUT_S FANOUT_M PACED_S PACED_RATE PACED_SECONDS LEAVE_K LEAVE_KILL_K STORM_N FROZEN_K \
    FROZEN_HEARTBEAT_MS REAL_STORM_N REAL_STORM_CONCURRENCY REAL_STORM_DEADLINE BURST_S BURST_M BURST_DEADLINE
