#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on loopback, then stop and remove it.
#   scripts/postgres.sh .venv/bin/pytest tests/web
# Installs Debian's postgresql package when it is missing. The command sees DATABASE_URL.
set -euo pipefail

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN=$(find_bin)
if [ -z "$BIN" ]; then
  echo "Installing PostgreSQL (Debian package postgresql) ..."
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin)
fi

# initdb refuses to run as root: run the server as the postgres user, connect over TCP.
AS=()
if [ "$(id -u)" = 0 ]; then AS=(runuser -u postgres --); fi

DIR=$(mktemp -d)
[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT

"${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-h 127.0.0.1 -p $PORT -k $DIR" start >/dev/null

echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres" "$@"
