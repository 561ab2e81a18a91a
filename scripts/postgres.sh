#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (test/stdlib/postgres.test.ts).
#
#   scripts/postgres.sh start   install Debian's postgresql if missing (needs root), create a cluster
#                               in $SKEIN_PG_DIR, start it on 127.0.0.1 at the first free port from
#                               $SKEIN_PG_PORT (default 55432), create the user and database "skein"
#                               (password "skein"), and print the URL, also written to
#                               $SKEIN_PG_DIR/url. Starting twice reuses the running server.
#   scripts/postgres.sh stop    stop the server that start started there, and delete the folder
#   scripts/postgres.sh url     print the URL of the running server
#   scripts/postgres.sh dir     print the folder
#
# SKEIN_PG_DIR defaults to /tmp/skein-postgres-UID-HASH, UID being the user's id and HASH a
# checksum of this checkout's path, so two users or two checkouts each get their own server.
# stop only stops the server whose process id start recorded in that folder, and only when the
# folder is the same user's.
#
# Use:  export SKEIN_TEST_POSTGRES=$(scripts/postgres.sh start)
# Everything but the URL goes to stderr.
set -euo pipefail
checkout=$(cd "$(dirname "$0")/.." && pwd -P)
dir=${SKEIN_PG_DIR:-/tmp/skein-postgres-$(id -u)-$(printf '%s' "$checkout" | cksum | cut -d ' ' -f 1)}
first_port=${SKEIN_PG_PORT:-55432}
data=$dir/data
sock=$dir/sock
owner=$dir/owner          # made by start, as the user who ran it
started=$dir/server.pid   # the process id of the server that start started

log() { echo "postgres.sh: $*" >&2; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $d && -x $d/initdb ]] && { echo "$d"; return; }
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

install() {
  bindir >/dev/null && return
  [[ $(id -u) == 0 ]] || { log "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"; exit 1; }
  log "installing PostgreSQL (apt-get install postgresql)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  bindir >/dev/null || { log "installed postgresql but found no initdb"; exit 1; }
}

# Runs a command as the cluster's owner: "postgres" when we are root (PostgreSQL refuses root).
ensure_owner() {
  [[ $(id -u) == 0 ]] || return 0
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
}
as_owner() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when $dir was made by start, run by this user.
ours() { [[ -f $owner && -O $owner ]]; }

# The process id in the server's own pid file, or nothing.
server_pid() { [[ -f $data/postmaster.pid ]] && head -n 1 "$data/postmaster.pid" || true; }

running() { [[ -n $(server_pid) ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

# Starts the server on port $1; fails when the port turned out to be taken, exits on other failures.
start_on() {
  rm -f "$dir/server.log"
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $1 -k $sock -c fsync=off -c max_connections=100" start >&2 && return
  grep -q "could not create any TCP/IP sockets" "$dir/server.log" && { log "port $1 was taken meanwhile"; return 1; }
  cat "$dir/server.log" >&2; log "the server did not start"; exit 1
}

start() {
  if [[ -e $dir ]] && ! ours; then
    log "$dir exists and was not made by scripts/postgres.sh start as $(id -un); set SKEIN_PG_DIR to another folder"
    exit 1
  fi
  install
  ensure_owner
  bin=$(bindir)
  if [[ -e $dir ]]; then
    if running && [[ -f $dir/url ]]; then cat "$dir/url"; return; fi
    rm -rf "$dir"
  fi
  mkdir -p -- "$(dirname "$dir")"
  mkdir -m 700 -- "$dir" || { log "cannot make $dir"; exit 1; }
  mkdir "$sock"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$dir"
  touch "$owner"
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }
  # the first free port; one that another server takes between the check and the start is skipped too
  local port=$first_port
  while ! { port_free "$port" && start_on "$port"; }; do
    port=$((port + 1))
    (( port < first_port + 100 )) || { log "no free port from $first_port"; exit 1; }
  done
  server_pid >"$started"
  as_owner "$bin/psql" -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE skein LOGIN PASSWORD 'skein'" -c "CREATE DATABASE skein OWNER skein" >&2
  echo "postgres://skein:skein@127.0.0.1:$port/skein" | tee "$dir/url"
  log "running on 127.0.0.1:$port (data in $data)"
}

stop() {
  [[ -e $dir ]] || { log "nothing to stop: no $dir"; return 0; }
  ours || { log "$dir was not made by scripts/postgres.sh start as $(id -un); leaving it alone"; exit 1; }
  local pid
  pid=$(server_pid)
  if [[ -n $pid ]]; then
    [[ -f $started && $(cat "$started") == "$pid" ]] \
      || { log "the server running in $data (pid $pid) is not the one start started there; leaving it alone"; exit 1; }
    if bin=$(bindir); then as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >&2 || true; fi
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) cat "$dir/url" ;;
  dir) echo "$dir" ;;
  *) echo "usage: $0 start|stop|url|dir" >&2; exit 2 ;;
esac
