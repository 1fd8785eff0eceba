#!/usr/bin/env bash
# Wall time of deploying the example on the local target with an embedded Temporal (the README's main
# command): a first deploy into an empty flaredeploy home, then a no-op re-deploy, RUNS times each.
# Usage: bench/deploy-wall-time.sh [RUNS]   (default 3). Uses a free port; stops what it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-3}"
"$root/flaredeploy" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
cp -r "$root/examples/hello-d1" "$work/project"
rm -rf "$work/project/node_modules" "$work/project/.wrangler"
sed -i "s/^port = 8787/port = $port/" "$work/project/flaredeploy.toml"

elapsed() {
  local s e
  s=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  printf '%d.%02d' $(((e - s) / 1000000000)) $((((e - s) / 10000000) % 100))
}
first=(); noop=()
for i in $(seq 1 "$runs"); do
  export FLAREDEPLOY_HOME="$work/home-$i"
  first+=("$(elapsed "$root/flaredeploy" deploy "$work/project")")
  noop+=("$(elapsed "$root/flaredeploy" deploy "$work/project")")
  "$root/flaredeploy" local stop hello-d1 2>/dev/null
done
printf 'first deploy (s): %s\n' "${first[*]}"
printf 'no-op deploy (s): %s\n' "${noop[*]}"
