#!/usr/bin/env bash
# A private PostgreSQL for tests: its own data directory, its own port on 127.0.0.1 only, its
# unix socket inside that directory, trust authentication. It never touches the system cluster.
#
#   scripts/postgres-private.sh start DIR [PORT [DBNAME]]   # initdb in DIR/data, start, create DBNAME (lobby);
#                                                          # prints the URL on stdout (PORT 0 or absent: a free one)
#   scripts/postgres-private.sh stop DIR                    # stops the server started in DIR, by its PID (fast)
#   scripts/postgres-private.sh restart DIR                 # starts a stopped DIR again: same port, same data
#   scripts/postgres-private.sh run [--] COMMAND [ARGS…]    # start in a temp dir, run COMMAND with
#                                                          # LOBBY_TEST_POSTGRES_URL set, stop and remove, even
#                                                          # when COMMAND fails; exits with COMMAND's status
#
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` OS user
# (Debian's postgresql package creates it) and DIR is handed to that user; DIR must then be
# reachable by it (a directory under /tmp is). As any other user it runs as that user.
# The server is tuned for throwaway test data (fsync off): never point it at data you keep.
set -euo pipefail

usage() {
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "postgres-private: $*" >&2
    exit 1
}

# The newest installed server's binaries (Debian: /usr/lib/postgresql/VERSION/bin).
find_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] \
        || die "no PostgreSQL server under /usr/lib/postgresql/*/bin (make deps installs Debian's postgresql)"
    echo "$dir"
}

# Runs a command as the user the server runs as, from DIR (the caller's directory may be unreadable to it).
as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

absolute_dir() {
    mkdir -p "$1"
    (cd "$1" && pwd)
}

cmd_start() {
    [ $# -ge 1 ] && [ $# -le 3 ] || usage
    DIR=$(absolute_dir "$1")
    local port=${2:-0} dbname=${3:-lobby} bindir
    [ "$port" = 0 ] && port=$(free_port)
    case "$port" in '' | *[!0-9]*) die "PORT must be a number, not '$port'" ;; esac
    case "$dbname" in '' | *[!A-Za-z0-9_]*) die "DBNAME must be letters, digits and _, not '$dbname'" ;; esac
    bindir=$(find_bindir)
    [ ! -e "$DIR/data/postmaster.pid" ] || die "a server already runs in $DIR (stop it first)"

    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' OS user to run the server as (make deps installs postgresql)"
        chown postgres: "$DIR"
        runuser -u postgres -- test -x "$DIR" -a -w "$DIR" \
            || die "the postgres user cannot reach $DIR: use a directory under /tmp"
    fi
    mkdir -p "$DIR/socket"
    [ "$(id -u)" != 0 ] || chown postgres: "$DIR/socket"

    if [ ! -s "$DIR/data/PG_VERSION" ]; then
        as_server_user "$bindir/initdb" --pgdata="$DIR/data" --username=postgres --auth=trust \
            --encoding=UTF8 --locale=C --no-sync >"$DIR/initdb.log" 2>&1 \
            || { cat "$DIR/initdb.log" >&2; die "initdb failed in $DIR/data"; }
    fi
    as_server_user tee -a "$DIR/data/postgresql.conf" >/dev/null <<EOF
# postgres-private.sh: loopback only, private socket, throwaway data.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR/socket'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    if ! as_server_user "$bindir/pg_ctl" --pgdata="$DIR/data" --log="$DIR/postgres.log" --wait --timeout=60 \
        start >/dev/null; then
        tail -n 20 "$DIR/postgres.log" >&2 || true
        die "the server did not start (port $port taken?); log: $DIR/postgres.log"
    fi
    if ! as_server_user "$bindir/createdb" --host="$DIR/socket" --port="$port" --username=postgres "$dbname"; then
        cmd_stop "$DIR" || true
        die "could not create the database $dbname"
    fi
    local url="postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
    echo "$url" >"$DIR/url"
    echo "postgres-private: PostgreSQL $(basename "$(dirname "$bindir")") (pid $(head -n 1 "$DIR/data/postmaster.pid")) at $url" >&2
    echo "$url"
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    DIR=$(cd "$1" 2>/dev/null && pwd) || die "no directory $1"
    local pidfile="$DIR/data/postmaster.pid" bindir pid
    if [ ! -e "$pidfile" ]; then
        echo "postgres-private: no server running in $DIR" >&2
        return 0
    fi
    pid=$(head -n 1 "$pidfile")
    bindir=$(find_bindir)
    # pg_ctl signals the PID in DIR's own postmaster.pid: only this server, never the system cluster.
    if ! as_server_user "$bindir/pg_ctl" --pgdata="$DIR/data" --mode=fast --wait --timeout=30 stop >/dev/null; then
        if kill -0 "$pid" 2>/dev/null; then
            echo "postgres-private: pg_ctl stop failed; sending SIGQUIT to $pid" >&2
            kill -QUIT "$pid" 2>/dev/null || true
        fi
    fi
    echo "postgres-private: stopped (pid $pid)" >&2
}

cmd_restart() {
    [ $# -eq 1 ] || usage
    DIR=$(cd "$1" 2>/dev/null && pwd) || die "no directory $1"
    [ -s "$DIR/data/PG_VERSION" ] || die "no server was started in $DIR"
    [ ! -e "$DIR/data/postmaster.pid" ] || die "a server already runs in $DIR"
    if ! as_server_user "$(find_bindir)/pg_ctl" --pgdata="$DIR/data" --log="$DIR/postgres.log" --wait --timeout=60 \
        start >/dev/null; then
        tail -n 20 "$DIR/postgres.log" >&2 || true
        die "the server did not start again; log: $DIR/postgres.log"
    fi
    echo "postgres-private: started again (pid $(head -n 1 "$DIR/data/postmaster.pid"))" >&2
}

cmd_run() {
    [ "${1:-}" != "--" ] || shift
    [ $# -ge 1 ] || usage
    local dir url status=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/lobby-postgres.XXXXXX")
    # shellcheck disable=SC2064  # expand $dir now
    trap "'$0' stop '$dir' >/dev/null 2>&1 || true; rm -rf '$dir'" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    url=$(cmd_start "$dir") || die "the private PostgreSQL did not start"
    LOBBY_TEST_POSTGRES_URL=$url "$@" || status=$?
    return "$status"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
restart) cmd_restart "$@" ;;
run) cmd_run "$@" ;;
*) usage ;;
esac
