#!/usr/bin/env bash
# What a database's size adds to `flaredeploy plan` when a pending migration depends on its rows (the
# pre-deploy checks read each database's schema and probe its rows, never copy them; bench/data-size.sh
# times plan and deploy of a migration that needs no probe): the example deployed twice on the local target, one database left empty
# and one filled with ROWS notes (default 1,000,000; sqlite3 writes them into the local D1 file), then, side
# by side in one run, RUNS plans of each with one tiny pending migration (ADD COLUMN: no probe), and with a
# UNIQUE index over an indexed column (one bounded duplicate probe of the rows).
# Usage: bench/plan-data-size.sh [RUNS] [ROWS]   (defaults 3, 1000000). Needs sqlite3. Stops what it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
rows="${2:-1000000}"
command -v sqlite3 >/dev/null || { echo "needs sqlite3 on PATH" >&2; exit 2; }
"$root/flaredeploy" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
export FLAREDEPLOY_HOME="$work/home"
trap 'for s in bench-empty bench-big; do "$root/flaredeploy" local stop "$s" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

project() { # project NAME: a copy of the example named NAME on a free port, deployed
  local dir="$work/$1" port=$((20000 + RANDOM % 20000))
  cp -r "$root/examples/hello-d1" "$dir"
  rm -rf "$dir/node_modules" "$dir/.wrangler"
  sed -i "s/^name = \"hello-d1\"/name = \"$1\"/" "$dir/wrangler.toml"
  sed -i "s/^port = 8787/port = $port/" "$dir/flaredeploy.toml"
  "$root/flaredeploy" deploy "$dir" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  "$root/flaredeploy" local stop "$1" >/dev/null 2>&1
}
database() { # the local D1 file of service $1
  find "$FLAREDEPLOY_HOME/local/$1/default/state/v3/d1" -name '*.sqlite' ! -name metadata.sqlite | head -1
}
elapsed() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || [ $? -eq 2 ] || { cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  printf '%d.%02d' $(((e - s) / 1000000000)) $((((e - s) / 10000000) % 100))
}

project bench-empty
project bench-big
sqlite3 "$(database bench-big)" "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $rows)
  INSERT INTO notes (body, author) SELECT 'note ' || x, 'author ' || (x % 100000) FROM n;"
printf 'database files: empty %s, big %s\n' "$(du -h "$(database bench-empty)" | cut -f1)" \
  "$(du -h "$(database bench-big)" | cut -f1)"

measure() { # measure LABEL MIGRATION-FILE SQL: RUNS plans of each database with SQL pending in MIGRATION-FILE
  local empty=() big=() name
  for name in bench-empty bench-big; do echo "$3" > "$work/$name/migrations/$2"; done
  for i in $(seq 1 "$runs"); do
    empty+=("$(elapsed "$root/flaredeploy" plan "$work/bench-empty")")
    big+=("$(elapsed "$root/flaredeploy" plan "$work/bench-big")")
  done
  printf 'plan, %s, empty database (s): %s\n' "$1" "${empty[*]}"
  printf 'plan, %s, %s rows (s): %s\n' "$1" "$rows" "${big[*]}"
}
measure "one ADD COLUMN pending" 0003_tags.sql 'ALTER TABLE notes ADD COLUMN tags TEXT;'
measure "+ a UNIQUE index probed (exit 2 on the big one: duplicates)" 0004_unique_author.sql \
  'CREATE UNIQUE INDEX one_note_per_author ON notes (author);'
