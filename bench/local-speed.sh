#!/usr/bin/env bash
# flaredeploy on the local target against the bare script a team would write, side by side in one run,
# ROUNDS interleaved rounds, medians:
#   - a fresh deploy of the bundled example (empty flaredeploy home, so both migrations and a first release)
#     through a warm `flaredeploy dev-server` and, separately, in embedded mode (no server: the README's
#     command), against `wrangler d1 migrations apply DB --local` + `wrangler dev` + polling /health;
#   - a no-op re-deploy against `wrangler d1 migrations list DB --local`.
# The processes each flaredeploy deploy starts are counted (FLAREDEPLOY_PROCESS_LOG).
# Usage: bench/local-speed.sh [ROUNDS]   (default 5). Binds 127.0.0.1 only; stops what it started, by PID.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-5}"
fd="$root/flaredeploy"
wrangler="$root/node_modules/.bin/wrangler"
"$fd" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
server_pid=""; dev_pid=""
cleanup() {
  [ -n "$dev_pid" ] && kill "$dev_pid" 2>/dev/null && wait "$dev_pid" 2>/dev/null || true
  for p in "$work"/dev-*; do [ -d "$p" ] && FLAREDEPLOY_HOME="$work/home-dev" "$fd" local stop "$p" >/dev/null 2>&1; done
  for p in "$work"/embedded-*; do [ -d "$p" ] && FLAREDEPLOY_HOME="$work/home-$(basename "$p")" "$fd" local stop "$p" >/dev/null 2>&1; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export CI=true WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true

now() { date +%s%N; }
secs() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }
free_port() { local p; while :; do p=$((20000 + RANDOM % 30000)); (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }; done; }
fresh_project() { # $1: dir, $2: port; the service is named after the dir, so every round is a first deploy
  cp -r "$root/examples/hello-d1" "$1"
  rm -rf "$1/node_modules" "$1/.wrangler"
  sed -i "s/^name = \"hello-d1\"/name = \"bench-$(basename "$1")\"/" "$1/wrangler.toml"
  sed -i "s/^port = 8787/port = $2/" "$1/flaredeploy.toml"
  # its own database too: one database_id is one local database, shared by every copy that keeps the example's
  sed -i "0,/^database_id = /s/^database_id = \".*\"/database_id = \"$(cat /proc/sys/kernel/random/uuid)\"/" "$1/wrangler.toml"
}
lines() { [ -f "$1" ] && wc -l <"$1" || echo 0; }
procs_dev=""; procs_embedded=""
run_quiet() { "$@" >"$work/out" 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" "$work/out" >&2; exit 1; }; }

server_port=$(free_port)
# the dev-server's worker runs the deployments: its environment says where the home and the process log are
FLAREDEPLOY_HOME="$work/home-dev" FLAREDEPLOY_PROCESS_LOG="$work/processes-dev.log" \
  "$fd" dev-server --port "$server_port" >"$work/dev-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/$server_port) 2>/dev/null && break; sleep 0.5; done

if (exec 3<>/dev/tcp/127.0.0.1/7233) 2>/dev/null; then
  echo "something listens on 127.0.0.1:7233, so deploy would use it instead of running embedded; stop it first" >&2
  exit 2
fi
bare=(); bare_list=(); dev=(); dev_noop=(); embedded=(); embedded_noop=()
for i in $(seq 1 "$rounds"); do
  # the bare script: apply, serve, poll /health
  port=$(free_port); p="$work/bare-$i"; fresh_project "$p" "$port"
  s=$(now)
  (cd "$p" && run_quiet "$wrangler" d1 migrations apply DB --local --persist-to "$p/state")
  (cd "$p" && exec "$wrangler" dev --ip 127.0.0.1 --port "$port" --persist-to "$p/state" \
      --show-interactive-dev-session=false </dev/null >"$work/dev.log" 2>&1) &
  dev_pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do sleep 0.05; done
  bare+=("$(secs $(( $(now) - s )))")
  s=$(now); (cd "$p" && run_quiet "$wrangler" d1 migrations list DB --local --persist-to "$p/state"); bare_list+=("$(secs $(( $(now) - s )))")
  kill "$dev_pid"; wait "$dev_pid" 2>/dev/null || true; dev_pid=""

  # flaredeploy through the warm dev-server
  port=$(free_port); p="$work/dev-$i"; fresh_project "$p" "$port"
  export FLAREDEPLOY_HOME="$work/home-dev"
  n0=$(lines "$work/processes-dev.log")
  s=$(now); run_quiet "$fd" deploy "$p" --address "127.0.0.1:$server_port"; dev+=("$(secs $(( $(now) - s )))")
  n1=$(lines "$work/processes-dev.log")
  s=$(now); run_quiet "$fd" deploy "$p" --address "127.0.0.1:$server_port"; dev_noop+=("$(secs $(( $(now) - s )))")
  n2=$(lines "$work/processes-dev.log")
  [ "$i" -eq 1 ] && procs_dev="fresh deploy $((n1 - n0)) ($(sed -n "$((n0 + 1)),${n1}p" "$work/processes-dev.log" | cut -f3 | cut -d' ' -f1-2 | sort | uniq -c | tr -s ' ' | paste -sd,)), no-op $((n2 - n1))"
  "$fd" local stop "$p" >/dev/null 2>&1 || true

  # flaredeploy embedded (no server at the address: the README's first command)
  port=$(free_port); p="$work/embedded-$i"; fresh_project "$p" "$port"
  export FLAREDEPLOY_HOME="$work/home-embedded-$i" FLAREDEPLOY_PROCESS_LOG="$work/processes-embedded.log"
  n0=$(lines "$work/processes-embedded.log")
  s=$(now); run_quiet env -u TEMPORAL_ADDRESS "$fd" deploy "$p"; embedded+=("$(secs $(( $(now) - s )))")
  n1=$(lines "$work/processes-embedded.log")
  s=$(now); run_quiet env -u TEMPORAL_ADDRESS "$fd" deploy "$p"; embedded_noop+=("$(secs $(( $(now) - s )))")
  n2=$(lines "$work/processes-embedded.log")
  [ "$i" -eq 1 ] && procs_embedded="fresh deploy $((n1 - n0)) ($(sed -n "$((n0 + 1)),${n1}p" "$work/processes-embedded.log" | cut -f3 | cut -d' ' -f1-2 | sort | uniq -c | tr -s ' ' | paste -sd,)), no-op $((n2 - n1))"
  "$fd" local stop "$p" >/dev/null 2>&1 || true
  unset FLAREDEPLOY_HOME FLAREDEPLOY_PROCESS_LOG
done

mb=$(median "${bare[@]}"); ml=$(median "${bare_list[@]}")
md=$(median "${dev[@]}"); mdn=$(median "${dev_noop[@]}")
me=$(median "${embedded[@]}"); men=$(median "${embedded_noop[@]}")
printf 'fresh deploy (s, median of %s)\n' "$rounds"
printf '  bare script (apply + wrangler dev + /health)  %s   runs: %s\n' "$mb" "${bare[*]}"
printf '  flaredeploy via dev-server                   %s (%s)   runs: %s\n' "$md" "$(ratio "$md" "$mb")" "${dev[*]}"
printf '  flaredeploy embedded                         %s (%s)   runs: %s\n' "$me" "$(ratio "$me" "$mb")" "${embedded[*]}"
printf 'no-op re-deploy (s, median of %s)\n' "$rounds"
printf '  wrangler d1 migrations list                  %s   runs: %s\n' "$ml" "${bare_list[*]}"
printf '  flaredeploy via dev-server                   %s (%s)   runs: %s\n' "$mdn" "$(ratio "$mdn" "$ml")" "${dev_noop[*]}"
printf '  flaredeploy embedded                         %s (%s)   runs: %s\n' "$men" "$(ratio "$men" "$ml")" "${embedded_noop[*]}"
printf 'processes flaredeploy started (round 1)\n'
printf '  via dev-server: %s\n' "$procs_dev"
printf '  embedded:       %s\n' "$procs_embedded"
