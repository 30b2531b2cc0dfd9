#!/usr/bin/env bash
# make cluster: one lobby on several lobby-server nodes, as an operator would run it, on this machine.
#
#   scripts/cluster.sh [NODES]      # default 2 nodes
#
# Starts a private PostgreSQL (scripts/postgres-private.sh: its own temp dir and port, trust
# auth, never the system cluster), NODES lobby-server nodes on 127.0.0.1:8081… (node ids
# node-1…, lease CLUSTER_LEASE_MS, default 10 000) sharing it, and a private nginx on
# 127.0.0.1:${CLUSTER_PORT:-8080} in front. nginx hashes the SockJS session id from the path, so
# every request of a session (WebSocket or the HTTP fallbacks) reaches the same node; `ip_hash`
# would send every loopback client to one node. `make client` then works as against one node.
# Ctrl-C (or SIGTERM) stops everything; logs and state live in a temp dir that is removed.
#
# Environment: BUILD_DIR (.build), CLUSTER_PORT (8080), CLUSTER_NODE_PORT_BASE (CLUSTER_PORT + 1:
# node i listens on BASE + i - 1; 0: each node picks a free port), CLUSTER_LEASE_MS (10000),
# CLUSTER_DIR (a temp dir), CLUSTER_LOG_LEVEL (info).
set -euo pipefail
cd "$(dirname "$0")/.."

NODES=${1:-2}
BUILD_DIR=${BUILD_DIR:-.build}
PORT=${CLUSTER_PORT:-8080}
LEASE_MS=${CLUSTER_LEASE_MS:-10000}
LOG_LEVEL=${CLUSTER_LOG_LEVEL:-info}
NODE_PORT_BASE=${CLUSTER_NODE_PORT_BASE:-$((PORT + 1))}
SERVER="$BUILD_DIR/debug/lobby-server"
[ -x "$SERVER" ] || { echo "cluster: $SERVER is missing (make build)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "cluster: nginx is missing (make deps installs it)" >&2; exit 1; }
case "$NODES" in '' | *[!0-9]* | 0) echo "cluster: NODES must be a positive number" >&2; exit 2 ;; esac

DIR=${CLUSTER_DIR:-$(mktemp -d /tmp/lobby-cluster.XXXXXX)}
mkdir -p "$DIR"
# PostgreSQL's own directory, under /tmp where its server user can reach it (as root it runs
# as `postgres`), whatever CLUSTER_DIR is.
PG_DIR=$(mktemp -d /tmp/lobby-cluster-pg.XXXXXX)
PIDS=()
cleanup() {
    trap - EXIT INT TERM
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -f "$DIR/nginx/nginx.pid" ]; then kill "$(cat "$DIR/nginx/nginx.pid")" 2>/dev/null || true; fi
    scripts/postgres-private.sh stop "$PG_DIR" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    [ -n "${CLUSTER_DIR:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

URL=$(scripts/postgres-private.sh start "$PG_DIR" 0 lobby)
echo "cluster: PostgreSQL at $URL"

UPSTREAMS=""
for i in $(seq "$NODES"); do
    node_port=0
    [ "$NODE_PORT_BASE" = 0 ] || node_port=$((NODE_PORT_BASE + i - 1))
    "$SERVER" --host 127.0.0.1 --port "$node_port" --database "$URL" --node-id "node-$i" \
        --node-lease-ms "$LEASE_MS" --log-level "$LOG_LEVEL" --max-connections-per-ip 100000 --claims-per-hour 0 \
        > "$DIR/node-$i.log" 2>&1 &
    PIDS+=($!)
done
for i in $(seq "$NODES"); do
    for _ in $(seq 100); do
        grep -q "listening on" "$DIR/node-$i.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -q "listening on" "$DIR/node-$i.log" || { echo "cluster: node-$i did not start:" >&2; cat "$DIR/node-$i.log" >&2; exit 1; }
    node_port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$DIR/node-$i.log" | head -n 1)
    UPSTREAMS+="        server 127.0.0.1:$node_port max_fails=1 fail_timeout=2s;"$'\n'
    echo "cluster: node-$i on 127.0.0.1:$node_port (log: $DIR/node-$i.log)"
done

mkdir -p "$DIR/nginx"
cat > "$DIR/nginx/nginx.conf" <<EOF
daemon on;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
worker_processes 1;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    # The SockJS session id: {prefix}/{server}/{session}/{transport}. Anything else (the info
    # request, static files, the raw WebSocket) may go to any node.
    map \$uri \$lobby_affinity {
        ~^/connection/[^/.]+/(?<session>[^/.]+)/[a-z_]+\$ \$session;
        default \$request_id;
    }
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        '' close;
    }
    upstream lobby {
        hash \$lobby_affinity consistent;
$UPSTREAMS    }
    server {
        listen 127.0.0.1:$PORT;
        location / {
            proxy_pass http://lobby;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            # The client's Host with its port: the nodes compare it with Origin (--allowed-origins self).
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            # Streaming transports and WebSockets: nothing buffered, nothing cut while idle
            # (the lobby's own heart-beats keep connections alive).
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 1h;
            proxy_send_timeout 1h;
            # A node that is down: the next one takes new sessions.
            proxy_next_upstream error timeout;
            proxy_connect_timeout 2s;
        }
    }
}
EOF
"$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log"
echo "cluster: nginx on http://127.0.0.1:$PORT/ in front of $NODES nodes"
echo "cluster: open a client with 'make client' (or the browser at http://127.0.0.1:$PORT/); Ctrl-C stops all"
# Stay in the foreground until interrupted. A node that exits (killed to watch the failover)
# leaves the others serving; once none is left, stop.
remaining=${#PIDS[@]}
while [ "$remaining" -gt 0 ]; do
    wait -n "${PIDS[@]}" || true
    remaining=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && remaining=$((remaining + 1)); done
    echo "cluster: a node exited; $remaining still serving" >&2
done
exit 1
