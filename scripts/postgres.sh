#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests (test/stdlib/postgres.test.ts).
#
#   scripts/postgres.sh start   install Debian's postgresql if missing (needs root), create a cluster
#                               under $SKEIN_PG_DIR (default /tmp/skein-postgres), start it on
#                               127.0.0.1 at the first free port from $SKEIN_PG_PORT (default 55432),
#                               create the user and database "skein" (password "skein"), and print
#                               the URL, also written to $SKEIN_PG_DIR/url. Starting twice reuses it.
#   scripts/postgres.sh stop    stop the server and delete its directory
#   scripts/postgres.sh url     print the URL of the running server
#
# Use:  export SKEIN_TEST_POSTGRES=$(scripts/postgres.sh start)
# Everything but the URL goes to stderr.
set -euo pipefail
dir=${SKEIN_PG_DIR:-/tmp/skein-postgres}
first_port=${SKEIN_PG_PORT:-55432}
data=$dir/data
sock=$dir/sock

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

running() { [[ -f $data/postmaster.pid ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  install
  ensure_owner
  bin=$(bindir)
  if running && [[ -f $dir/url ]]; then cat "$dir/url"; return; fi
  rm -rf "$dir"
  mkdir -p "$dir" "$sock"
  [[ $(id -u) == 0 ]] && chown -R postgres: "$dir"
  local port=$first_port
  while ! port_free "$port"; do
    port=$((port + 1))
    (( port < first_port + 100 )) || { log "no free port from $first_port"; exit 1; }
  done
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $sock -c fsync=off -c max_connections=100" start >&2 \
    || { cat "$dir/server.log" >&2; log "the server did not start"; exit 1; }
  as_owner "$bin/psql" -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE skein LOGIN PASSWORD 'skein'" -c "CREATE DATABASE skein OWNER skein" >&2
  echo "postgres://skein:skein@127.0.0.1:$port/skein" | tee "$dir/url"
  log "running on 127.0.0.1:$port (data in $data)"
}

stop() {
  if bin=$(bindir) && [[ -f $data/postmaster.pid ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop >&2 || true
  fi
  rm -rf "$dir"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) cat "$dir/url" ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
