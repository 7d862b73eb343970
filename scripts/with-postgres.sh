#!/usr/bin/env bash
# Usage: bash scripts/with-postgres.sh CMD ARGS…
#
# Starts a throwaway PostgreSQL 15 server (data in a fresh temp folder, listening only on
# 127.0.0.1 on a free port, durability off for speed), exports
#   HUBDAY_TEST_PG_URL=postgres://postgres@127.0.0.1:PORT/postgres
# runs CMD, then always stops the server and deletes the folder. Exits with CMD's exit code.
#   HUBDAY_PG_OPTIONS: more server options, e.g. "-c log_min_duration_statement=300" (diagnosis).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash scripts/with-postgres.sh CMD ARGS…" >&2
  exit 2
fi

PG_BIN=/usr/lib/postgresql/15/bin

if [ ! -x "$PG_BIN/postgres" ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "with-postgres: installing postgresql-15 with apt-get" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 >&2
  fi
  if [ ! -x "$PG_BIN/postgres" ]; then
    echo "with-postgres: PostgreSQL 15 is not installed ($PG_BIN missing); install postgresql-15" >&2
    exit 1
  fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hubday-pg.XXXXXX")
DATA="$WORK/data"
SOCK="$WORK/sock"
LOG="$WORK/server.log"
mkdir -p "$SOCK"

# PostgreSQL refuses to run as root: run the server as the postgres user then.
if [ "$(id -u)" -eq 0 ]; then
  chown -R postgres: "$WORK"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

cleanup() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Same collation as PGlite (C, with a UTF-8 ctype) so both stores sort text alike.
as_pg "$PG_BIN/initdb" -D "$DATA" -A trust -U postgres --no-sync -E UTF8 --locale=C --lc-ctype=C.UTF-8 >"$WORK/initdb.log" 2>&1 || {
  cat "$WORK/initdb.log" >&2
  exit 1
}

port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Pick a free port and start; retry with another port if someone takes it in between.
started=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  PORT=$((54329 + RANDOM % 2000))
  port_is_free "$PORT" || continue
  if as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 -s start -o "\
 -c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$SOCK\
 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\
 -c max_connections=300 -c shared_buffers=128MB ${HUBDAY_PG_OPTIONS:-}" >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "with-postgres: could not start PostgreSQL; its log:" >&2
  cat "$LOG" >&2 || true
  exit 1
fi

for _ in $(seq 1 100); do
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres && break
  sleep 0.1
done

export HUBDAY_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$PORT (data in $DATA)" >&2

# Run CMD in the background (keeping our stdin) and wait for it, so that a SIGTERM/SIGINT sent
# to this script is forwarded to CMD at once and the EXIT trap still stops the server.
set +e
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
trap 'kill -INT "$child" 2>/dev/null' INT
wait "$child"
status=$?
# wait returns early (128+signal) when a trap ran: wait again until CMD has really ended.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  status=$?
done
exit "$status"
