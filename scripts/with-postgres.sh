#!/usr/bin/env bash
# Runs a command with a throw-away PostgreSQL server, e.g.
#
#     scripts/with-postgres.sh cargo test
#
# The cluster lives in a temp folder, listens on loopback only (127.0.0.1, a
# free port) and is stopped and removed when the command ends, however it
# ends. The command sees its URL in POSTGRES_TEST_URL (the tests that
# need PostgreSQL read it, and fail with instructions without it; not a
# LECTERN_ name, which `lectern` would read as configuration). The
# server binaries come from Debian's `postgresql` package; with
# WITH_POSTGRES_INSTALL=1 (CI sets it) they are installed when missing.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]   (e.g. $0 cargo test)" >&2
  exit 2
fi

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if ! bin=$(find_bin); then
  if [ "${WITH_POSTGRES_INSTALL:-0}" = 1 ]; then
    echo "== installing PostgreSQL (Debian's postgresql package)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    # The package starts its own cluster; these tests use their own.
    if command -v pg_ctlcluster >/dev/null; then
      pg_lsclusters -h 2>/dev/null | while read -r version name _; do
        pg_ctlcluster "$version" "$name" stop 2>/dev/null || true
      done
    fi
  fi
  if ! bin=$(find_bin); then
    echo "PostgreSQL's server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin." >&2
    echo "Install them (Debian/Ubuntu: sudo apt-get install postgresql), or run with" >&2
    echo "WITH_POSTGRES_INSTALL=1 to have this script install them." >&2
    exit 1
  fi
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/lectern-pg.XXXXXX")
# initdb refuses to run as root: the cluster then belongs to `postgres`.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  if ! id "$owner" >/dev/null 2>&1; then
    useradd --system --no-create-home "$owner"
  fi
  chown "$owner" "$dir"
  chmod 700 "$dir"
  as_owner=(runuser -u "$owner" --)
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U lectern --auth=trust \
  --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
  cat "$dir/initdb.log" >&2
  exit 1
}
# Loopback only; enough connections for parallel tests, each with its own
# database, and two bot processes. synchronous_commit stays on (the default).
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400 -c shared_buffers=128MB" \
  start >/dev/null || {
  cat "$dir/server.log" >&2
  exit 1
}

export POSTGRES_TEST_URL="postgres://lectern@127.0.0.1:$port/postgres"
echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $POSTGRES_TEST_URL" >&2
"$@"
