#!/usr/bin/env bash
# How long the CLI's short commands take to answer (--help, status, list, history against a dev-server),
# side by side in one run with a bare JVM start: median, min and max wall time of RUNS runs of each. Rounds are
# interleaved (each round runs every variant once), so a busy machine slows every variant alike.
#
# Variants: `launcher` is ./flaredeploy as users run it (class-data sharing archive, C1 only, serial GC);
# `java -jar` is the same jar with the JVM's defaults; with BASELINE_JAR=path/to/flaredeploy.jar, `baseline` is
# that jar (e.g. built from an earlier commit) with the JVM's defaults, as the launcher ran it before.
#
# Usage: bench/cli-latency.sh [RUNS]   (default 10). Starts its own dev-server and deploys a copy of the example
# once (so the commands read a real run); stops both, by PID and with `local stop`, on exit.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
"$root/flaredeploy" --version >/dev/null   # build the jar and the archive outside the timings
jar="$root/cli/target/flaredeploy.jar"
work="$(mktemp -d)"
export FLAREDEPLOY_HOME="$work/home" FLAREDEPLOY_ROOT="$root"
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "no free port found" >&2; exit 1
}
server_pid=""
cleanup() {
  "$root/flaredeploy" local stop "$work/project" >/dev/null 2>&1 || true
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

temporal_port="$(free_port)"
java -jar "$jar" dev-server --port "$temporal_port" >"$work/dev-server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$temporal_port") 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/dev-server.log" >&2; exit 1; }
  sleep 0.25
done
address="127.0.0.1:$temporal_port"
cp -r "$root/examples/hello-d1" "$work/project"
rm -rf "$work/project/node_modules" "$work/project/.wrangler"
sed -i "s/^port = 8787/port = $(free_port)/" "$work/project/flaredeploy.toml"
"$root/flaredeploy" deploy "$work/project" --address "$address" >/dev/null 2>"$work/deploy.log" \
  || { cat "$work/deploy.log" >&2; exit 1; }
id="deploy:local:hello-d1:default"

variants=(launcher "java -jar")
[ -n "${BASELINE_JAR:-}" ] && variants+=(baseline)
commands=("--help" "status $id --address $address" "list --address $address" "history $id --address $address")

# runs one variant of one command (or the bare JVM), prints its wall time in ms
timed() {
  local variant="$1" command="$2" start end
  start=$(date +%s%N)
  case "$variant" in
    bare) java -version >/dev/null 2>&1 ;;
    launcher) "$root/flaredeploy" $command >/dev/null 2>&1 ;;
    "java -jar") java -jar "$jar" $command >/dev/null 2>&1 ;;
    baseline) java -jar "$BASELINE_JAR" $command >/dev/null 2>&1 ;;
  esac
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

declare -A times
for _ in $(seq 1 "$runs"); do
  times[bare]+="$(timed bare "") "
  for command in "${commands[@]}"; do
    for variant in "${variants[@]}"; do
      times["$variant|$command"]+="$(timed "$variant" "$command") "
    done
  done
done

stats() { # median min max of the numbers given, in seconds
  printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2;
    printf "%5.2f  %5.2f  %5.2f", m/1000, a[1]/1000, a[NR]/1000}'
}
printf '%d runs each, interleaved; wall time in seconds (median  min  max); load average %s\n' "$runs" \
  "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
printf '  %-12s %-10s %s\n' "bare JVM" "java -version" "$(stats "${times[bare]}")"
for command in "${commands[@]}"; do
  for variant in "${variants[@]}"; do
    printf '  %-12s %-10s %s\n' "${command%% *}" "$variant" "$(stats "${times["$variant|$command"]}")"
  done
done
