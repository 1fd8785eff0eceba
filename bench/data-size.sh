#!/usr/bin/env bash
# What the size of the database costs a deployment: `flaredeploy plan` and `flaredeploy deploy` of one tiny
# pending migration (ALTER TABLE … ADD COLUMN) on local databases of different sizes, side by side in one
# run, against a warm dev-server and worker. Each size is its own copy of the example (service bench-<rows>),
# seeded through a data migration before the timings. Prints the median per size and its ratio to the
# empty database.
# Usage: bench/data-size.sh [RUNS] [SIZES]   (defaults: 3, "0 1000000 10000000")
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
sizes="${2:-0 1000000 10000000}"
fd="$root/flaredeploy"
"$fd" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
export FLAREDEPLOY_HOME="$work/home"
server_pid=""
cleanup() {
  for rows in $sizes; do "$fd" local stop "bench-$rows" >/dev/null 2>&1 || true; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && { wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 20000))
"$fd" dev-server --port "$port" >"$work/dev-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.5; done
export TEMPORAL_ADDRESS="127.0.0.1:$port"

elapsed() { # runs "$@" quietly, prints its wall time in seconds
  local s e
  s=$(date +%s%N)
  "$@" >"$work/out" 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" "$work/out" >&2; exit 1; }
  e=$(date +%s%N)
  awk -v ns=$((e - s)) 'BEGIN { printf "%.2f", ns / 1e9 }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

web=$((port + 1))
for rows in $sizes; do
  p="$work/p$rows"
  cp -r "$root/examples/hello-d1" "$p"
  rm -rf "$p/node_modules" "$p/.wrangler"
  sed -i "s/^name = \"hello-d1\"/name = \"bench-$rows\"/" "$p/wrangler.toml"
  sed -i "s/^port = 8787/port = $web/" "$p/flaredeploy.toml"
  # its own database: one database_id is one local database, shared by every copy that keeps the example's
  sed -i "0,/^database_id = /s/^database_id = \".*\"/database_id = \"$(cat /proc/sys/kernel/random/uuid)\"/" "$p/wrangler.toml"
  web=$((web + 1))
  if [ "$rows" -gt 0 ]; then
    cat >"$p/migrations/0003_seed.sql" <<SQL
-- $rows notes, generated in the database
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $rows)
INSERT INTO notes (body, author) SELECT 'note number ' || n, 'author ' || (n % 1000) FROM seq;
SQL
  else
    echo "SELECT 1;" >"$p/migrations/0003_seed.sql"
  fi
  echo "seeding $rows rows…" >&2
  elapsed "$fd" deploy "$p" >/dev/null
done

declare -A plan deploy
for i in $(seq 1 "$runs"); do
  for rows in $sizes; do
    p="$work/p$rows"
    echo "ALTER TABLE notes ADD COLUMN extra_$i TEXT;" >"$p/migrations/$(printf '%04d' $((3 + i)))_extra_$i.sql"
    plan[$rows]="${plan[$rows]:-} $(elapsed "$fd" plan "$p")"
    deploy[$rows]="${deploy[$rows]:-} $(elapsed "$fd" deploy "$p")"
  done
done

base_plan=""; base_deploy=""
printf '%-10s  %-22s  %-22s  %s\n' rows "plan (s), median" "deploy (s), median" "runs: plan | deploy"
for rows in $sizes; do
  mp=$(median ${plan[$rows]}); md=$(median ${deploy[$rows]})
  [ -z "$base_plan" ] && base_plan=$mp && base_deploy=$md
  printf '%-10s  %-22s  %-22s  %s |%s\n' "$rows" \
    "$mp ($(awk -v a="$mp" -v b="$base_plan" 'BEGIN { printf "%.2fx", a / b }'))" \
    "$md ($(awk -v a="$md" -v b="$base_deploy" 'BEGIN { printf "%.2fx", a / b }'))" \
    "${plan[$rows]}" "${deploy[$rows]}"
done
