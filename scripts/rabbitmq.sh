#!/usr/bin/env bash
# A private RabbitMQ node with rabbitmq_web_stomp, for `make bench-compare`.
#
#   scripts/rabbitmq.sh install      install Debian's rabbitmq-server if missing (apt-get, idempotent)
#   scripts/rabbitmq.sh start DIR    start node lobbybench@localhost with all state in DIR; writes DIR/env:
#                                    RABBIT_WS_URL=ws://127.0.0.1:PORT/ws  RABBIT_PID=<beam pid>
#   scripts/rabbitmq.sh stop DIR     stop that node (rabbitmqctl stop, then SIGKILL by PID) and its epmd
#
# Every port is private (picked free on 127.0.0.1, epmd included), the node never touches
# /var/lib/rabbitmq, and nothing is left running after `stop`.
set -euo pipefail

NODE=lobbybench@localhost
RABBIT_BIN=/usr/lib/rabbitmq/bin

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

node_env() {
    local dir=$1
    export HOME="$dir/home"
    export RABBITMQ_NODENAME=$NODE
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/rabbit.pid"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    # shellcheck disable=SC1091
    . "$dir/ports"
    export RABBITMQ_NODE_PORT=$AMQP_PORT
    export RABBITMQ_DIST_PORT=$DIST_PORT
    export ERL_EPMD_PORT=$EPMD_PORT
    export ERL_EPMD_ADDRESS=127.0.0.1
}

case "${1:-}" in
install)
    if ! dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null | grep -q "install ok installed"; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
        echo "rabbitmq: installing Debian's rabbitmq-server"
        $SUDO apt-get update -qq
        # policy-rc.d may refuse to start the system service; that is what we want anyway.
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends rabbitmq-server
    fi
    ;;
start)
    dir=${2:?usage: rabbitmq.sh start DIR}
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    cat > "$dir/ports" <<EOF
AMQP_PORT=$(free_port)
STOMP_PORT=$(free_port)
WS_PORT=$(free_port)
DIST_PORT=$(free_port)
EPMD_PORT=$(free_port)
EOF
    node_env "$dir"
    echo '[rabbitmq_web_stomp].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
    : > "$RABBITMQ_CONF_ENV_FILE"
    cat > "$RABBITMQ_CONFIG_FILE" <<EOF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
stomp.listeners.tcp.1 = 127.0.0.1:$STOMP_PORT
web_stomp.tcp.port = $WS_PORT
web_stomp.tcp.ip = 127.0.0.1
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
    # The daemon epmd the node starts lives on the private port; stop kills it.
    "$RABBIT_BIN/rabbitmq-server" > "$dir/server.out" 2>&1 &
    echo $! > "$dir/launcher.pid"
    if ! timeout 120 "$RABBIT_BIN/rabbitmqctl" -n $NODE wait --timeout 90 "$RABBITMQ_PID_FILE" > "$dir/wait.out" 2>&1; then
        echo "rabbitmq: node did not start; see $dir/server.out and $dir/log" >&2
        tail -20 "$dir/server.out" >&2 || true
        "$0" stop "$dir" || true
        exit 1
    fi
    printf 'RABBIT_WS_URL=ws://127.0.0.1:%s/ws\nRABBIT_PID=%s\n' "$WS_PORT" "$(cat "$RABBITMQ_PID_FILE")" > "$dir/env"
    echo "rabbitmq: node $NODE up, Web-STOMP at ws://127.0.0.1:$WS_PORT/ws, beam PID $(cat "$RABBITMQ_PID_FILE")"
    ;;
stop)
    dir=${2:?usage: rabbitmq.sh stop DIR}
    [ -f "$dir/ports" ] || exit 0
    node_env "$dir"
    pid=$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)
    timeout 60 "$RABBIT_BIN/rabbitmqctl" -n $NODE stop "$RABBITMQ_PID_FILE" > /dev/null 2>&1 || true
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    launcher=$(cat "$dir/launcher.pid" 2>/dev/null || true)
    if [ -n "$launcher" ] && kill -0 "$launcher" 2>/dev/null; then kill -KILL "$launcher" 2>/dev/null || true; fi
    # epmd started by this node, on its private port only.
    epmd -port "$EPMD_PORT" -kill > /dev/null 2>&1 || true
    sleep 0.2
    for epmd_pid in $(pgrep -x epmd || true); do
        if { tr '\0' ' ' < "/proc/$epmd_pid/environ"; } 2>/dev/null | grep -q "ERL_EPMD_PORT=$EPMD_PORT "; then
            kill "$epmd_pid" 2>/dev/null || true
        fi
    done
    echo "rabbitmq: node $NODE stopped"
    ;;
*)
    echo "usage: $0 install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
