#!/usr/bin/env bash
# A fleet of eight tenant environments of the example (each its own D1 database and port) on the local target,
# deployed with --parallel 1 and with --parallel 4 (canary 1 both times, as users run it), side by side in one
# run: wall time of the deploy command, the worker JVM's peak resident memory (VmHWM), and the peak sampled
# resident memory of the worker with every process under it: the wrangler commands of its steps and the
# wrangler dev (node + workerd) serving each released tenant, which stay its children while it runs.
# One dev-server (without a worker) for both; each variant gets its own fresh worker process, flaredeploy home,
# task queue, project copy and ports, so each deploys from scratch.
# Usage: bench/fleet.sh [ROUNDS]   (default 1; each round runs both variants, alternating which goes first)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-1}"
tenants=8
"$root/flaredeploy" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# project NAME: the example with $tenants tenant environments, each its own database and port
project() {
  local name="$1" dir="$work/$1"
  cp -r "$root/examples/hello-d1" "$dir"
  rm -rf "$dir/node_modules" "$dir/.wrangler"
  {
    printf 'name = "%s"\nmain = "src/index.js"\ncompatibility_date = "2025-06-01"\n' "$name"
    for i in $(seq 1 "$tenants"); do
      printf '\n[env.tenant-%d]\n[[env.tenant-%d.d1_databases]]\nbinding = "DB"\n' "$i" "$i"
      printf 'database_name = "%s-%d"\ndatabase_id = "%s"\n' "$name" "$i" "$(cat /proc/sys/kernel/random/uuid)"
    done
  } >"$dir/wrangler.toml"
  {
    printf '[smoke]\ntimeout = "30s"\n\n[[smoke.check]]\npath = "/health"\nexpect_body_contains = "healthy"\n'
    for i in $(seq 1 "$tenants"); do
      printf '\n[env.tenant-%d.local]\nport = %d\n' "$i" "$(free_port)"
    done
  } >"$dir/flaredeploy.toml"
  echo "$dir"
}

# tree_rss PID: resident kB of PID and all its descendants
tree_rss() {
  local total=0 p r
  for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do total=$((total + $(tree_rss "$p"))); done
  r=$(awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || true)
  echo $((total + ${r:-0}))
}

port=$(free_port)
address="127.0.0.1:$port"
FLAREDEPLOY_HOME="$work/dev-server-home" "$root/flaredeploy" dev-server --port "$port" --no-worker \
  >"$work/dev-server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.25; done

# variant PARALLEL: prints "wall-seconds jvm-peak-MiB tree-peak-MiB"
variant() {
  local parallel="$1" name="bench-p$1-$RANDOM" home dir worker s e sampler peak_file
  home="$work/home-$name"; dir="$(project "$name")"; peak_file="$work/$name.peak"
  FLAREDEPLOY_HOME="$home" "$root/flaredeploy" worker --address "$address" --task-queue "$name" \
    >"$work/$name-worker.log" 2>&1 &
  worker=$!; pids+=("$worker")
  until grep -q "polling task queue" "$work/$name-worker.log" 2>/dev/null; do sleep 0.2; done
  echo 0 >"$peak_file"
  ( while kill -0 "$worker" 2>/dev/null; do
      r=$(tree_rss "$worker"); [ "${r:-0}" -gt "$(cat "$peak_file")" ] && echo "$r" >"$peak_file"; sleep 0.5
    done ) &
  sampler=$!
  s=$(date +%s%N)
  FLAREDEPLOY_HOME="$home" "$root/flaredeploy" deploy "$dir" --env 'tenant-*' --parallel "$parallel" \
    --address "$address" --task-queue "$name" >"$work/$name.out" 2>"$work/$name.err" \
    || { cat "$work/$name.err" "$work/$name.out" >&2; exit 1; }
  e=$(date +%s%N)
  sed -n 2p "$work/$name.out" | sed "s/^ */  --parallel $parallel: /" >&2
  local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$worker/status")
  for i in $(seq 1 "$tenants"); do
    FLAREDEPLOY_HOME="$home" "$root/flaredeploy" local stop "$name" --env "tenant-$i" >/dev/null 2>&1 || true
  done
  kill "$worker"; wait "$worker" 2>/dev/null || true
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  printf '%d.%02d %d %d\n' $(((e - s) / 1000000000)) $((((e - s) / 10000000) % 100)) $((hwm / 1024)) \
    $(($(cat "$peak_file") / 1024))
}

one=(); four=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then one+=("$(variant 1)"); four+=("$(variant 4)")
  else four+=("$(variant 4)"); one+=("$(variant 1)"); fi
done
echo "fleet of $tenants tenant environments, local target, canary 1 (wall s, worker JVM peak MiB, worker and its processes incl. served releases peak MiB)"
printf -- '--parallel 1: %s\n' "${one[@]}"
printf -- '--parallel 4: %s\n' "${four[@]}"
