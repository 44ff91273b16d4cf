#!/usr/bin/env bash
# The SQLite run and the PostgreSQL run of the tests side by side, a core each (make test):
# each line of their output as it comes, labelled with its run; fails when either fails.
set -uo pipefail
cd "$(dirname "$0")/.."
status=$(mktemp -d)
trap 'rm -rf "$status"' EXIT

run() {  # run TARGET LABEL: make TARGET, each line of its output labelled, its exit code kept
  { PYTHONUNBUFFERED=1 make --no-print-directory "$1" 2>&1; echo $? > "$status/$2"; } | sed -u "s/^/[$2] /"
}

run pytest sqlite &
run pytest-postgres postgresql &
wait
failed=0
for label in sqlite postgresql; do
  code=$(cat "$status/$label" 2>/dev/null || echo 1)
  if [ "$code" != 0 ]; then
    echo "The $label run failed (exit code $code): its failures are the lines labelled [$label] above."
    failed=1
  fi
done
exit "$failed"
