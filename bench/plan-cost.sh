#!/usr/bin/env bash
# What the plan's checks cost for many pending migrations: `flaredeploy plan` of the example after its
# first deploy, with 2 pending migrations and with 52 pending (50 more ADD COLUMN files), RUNS times each.
# The difference is what 50 migrations add (shadow apply + classification + sequence/splitter checks);
# the rest (JVM, config, ledger, checksums and export via wrangler) is the same for both.
# Usage: bench/plan-cost.sh [RUNS]   (default 3). Uses a free port; stops what it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
"$root/flaredeploy" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
trap '"$root/flaredeploy" local stop hello-d1 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
export FLAREDEPLOY_HOME="$work/home"
cp -r "$root/examples/hello-d1" "$work/project"
rm -rf "$work/project/node_modules" "$work/project/.wrangler"
sed -i "s/^port = 8787/port = $port/" "$work/project/flaredeploy.toml"
"$root/flaredeploy" deploy "$work/project" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }

elapsed() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  printf '%d.%02d' $(((e - s) / 1000000000)) $((((e - s) / 10000000) % 100))
}
add() { # add migrations numbered $1..$2 that each add a column
  for n in $(seq "$1" "$2"); do
    printf 'ALTER TABLE notes ADD COLUMN extra_%d TEXT;\n' "$n" > "$work/project/migrations/$(printf '%04d' "$n")_extra_$n.sql"
  done
}
add 3 4
two=(); fiftytwo=()
for i in $(seq 1 "$runs"); do two+=("$(elapsed "$root/flaredeploy" plan "$work/project")"); done
add 5 54
for i in $(seq 1 "$runs"); do fiftytwo+=("$(elapsed "$root/flaredeploy" plan "$work/project")"); done
printf 'plan, 2 pending (s):  %s\n' "${two[*]}"
printf 'plan, 52 pending (s): %s\n' "${fiftytwo[*]}"
