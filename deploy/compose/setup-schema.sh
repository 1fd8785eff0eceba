#!/bin/sh
set -eu
# Creates (first run) or upgrades (later runs) Temporal's two Postgres databases with the schema files
# shipped in this admin-tools image. Every step is safe to repeat: create accepts an existing database,
# setup-schema keeps a newer recorded version, update-schema applies only what is missing.

host=${POSTGRES_HOST:-postgresql}
port=${POSTGRES_PORT:-5432}
user=${POSTGRES_USER:-temporal}
schema_root=${TEMPORAL_SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}
attempts=${SETUP_ATTEMPTS:-30}
# temporal-sql-tool reads the password from SQL_PASSWORD; it is not put on the command line
: "${SQL_PASSWORD:?set SQL_PASSWORD to the Postgres password}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$host" -p "$port" -u "$user" "$@"
}

setup_database() {
  db=$1
  versioned=$2
  sql_tool --db "$db" create &&
    sql_tool --db "$db" setup-schema -v 0.0 &&
    sql_tool --db "$db" update-schema -d "$schema_root/$versioned/versioned"
}

try=1
until setup_database temporal temporal && setup_database temporal_visibility visibility; do
  if [ "$try" -ge "$attempts" ]; then
    echo "schema setup failed $try times against $host:$port; giving up (see the errors above)" >&2
    exit 1
  fi
  echo "schema setup failed (attempt $try of $attempts); retrying in 2s" >&2
  try=$((try + 1))
  sleep 2
done
echo "Temporal schemas are up to date on $host:$port"
