#!/usr/bin/env bash
# Start the machine's PostgreSQL on 127.0.0.1:5432 for tests and create the test role and databases.
# Prints nothing on success; safe to run twice. Tests read TEST_DATABASE_URL (see .ci/run).
set -euo pipefail
if ! command -v pg_ctlcluster >/dev/null; then
  apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
[ -d "/etc/postgresql/$version/main" ] || pg_createcluster "$version" main >/dev/null
pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start
as_postgres() { su postgres -c "$*"; }
as_postgres "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='todo'\"" | grep -q 1 ||
  as_postgres "psql -qc \"CREATE ROLE todo LOGIN PASSWORD 'todo' CREATEDB\""
for db in todo_test todo_e2e; do
  as_postgres "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" | grep -q 1 ||
    as_postgres "createdb -O todo $db"
done
