#!/usr/bin/env bash
# The whole suite on SQLite and on PostgreSQL at the same time: two pytest processes, each
# with its own temporary folder and log. Much of the suite waits on subprocesses, sockets and
# the browser, so the two runs overlap well on two cores. Each log is printed when both are
# done; the exit status fails if either run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTEST=${PYTEST:-.venv/bin/pytest}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/hotline}
logs=$(mktemp -d /tmp/hotline-test-logs.XXXXXX)

"$PYTEST" -p no:cacheprovider --basetemp="$logs/tmp-sqlite" "$@" >"$logs/sqlite.log" 2>&1 &
sqlite_pid=$!
DATABASE_URL=$PG_URL \
  "$PYTEST" -p no:cacheprovider --basetemp="$logs/tmp-postgres" "$@" >"$logs/postgres.log" 2>&1 &
postgres_pid=$!

wait "$sqlite_pid"; sqlite_rc=$?
wait "$postgres_pid"; postgres_rc=$?

echo "==================== SQLite suite (exit $sqlite_rc) ===================="
cat "$logs/sqlite.log"
echo "==================== PostgreSQL suite (exit $postgres_rc) ===================="
cat "$logs/postgres.log"
rm -rf "$logs/tmp-sqlite" "$logs/tmp-postgres"
if [ "$sqlite_rc" -ne 0 ] || [ "$postgres_rc" -ne 0 ]; then
  echo "FAILED: SQLite exit $sqlite_rc, PostgreSQL exit $postgres_rc (logs in $logs)" >&2
  exit 1
fi
rm -rf "$logs"
