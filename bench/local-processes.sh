#!/usr/bin/env bash
# How many wrangler processes a local deployment starts, and how long it takes, side by side in one run:
# a fresh deploy of the example, a no-op re-deploy, `plan` with a migration pending, and the deploy of that
# migration. wrangler is counted through a wrapper (FLAREDEPLOY_WRANGLER) that logs each start and then
# execs the pinned wrangler, so the same script counts any flaredeploy version: run it on two checkouts to
# compare before and after. With a build that has it, FLAREDEPLOY_PROCESS_LOG also counts every process
# flaredeploy started (git too).
# Usage: bench/local-processes.sh   Uses a free port; stops what it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/flaredeploy" --version >/dev/null   # build the jar and install wrangler outside the timings
work="$(mktemp -d)"
trap '"$root/flaredeploy" local stop hello-d1 >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
export FLAREDEPLOY_HOME="$work/home"
export FLAREDEPLOY_PROCESS_LOG="$work/processes.log"
wrangler_log="$work/wrangler.log"
cat > "$work/wrangler" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\${1:-} \${2:-} \${3:-}" >> "$wrangler_log"
exec "$root/node_modules/.bin/wrangler" "\$@"
EOF
chmod +x "$work/wrangler"
export FLAREDEPLOY_WRANGLER="$work/wrangler"
cp -r "$root/examples/hello-d1" "$work/project"
rm -rf "$work/project/node_modules" "$work/project/.wrangler"
sed -i "s/^port = 8787/port = $port/" "$work/project/flaredeploy.toml"

run() { # label, command...: prints seconds, wrangler starts (by command), all processes
  local label="$1" s e
  shift
  : > "$wrangler_log"
  : > "$FLAREDEPLOY_PROCESS_LOG"
  s=$(date +%s%N)
  "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  printf '%-28s %6.2f s   wrangler: %2d (%s)   all processes: %s\n' "$label" \
    "$(echo "($e - $s) / 1000000000" | bc -l)" "$(wc -l < "$wrangler_log")" \
    "$(sort "$wrangler_log" | uniq -c | awk '{c=$1; $1=""; printf "%s%s×%s", sep, substr($0,2), c; sep=", "}')" \
    "$( [ -s "$FLAREDEPLOY_PROCESS_LOG" ] && wc -l < "$FLAREDEPLOY_PROCESS_LOG" || echo "n/a")"
}

run "deploy (fresh, 2 migrations)" "$root/flaredeploy" deploy "$work/project"
run "deploy (no-op)" "$root/flaredeploy" deploy "$work/project"
printf 'ALTER TABLE notes ADD COLUMN tags TEXT;\n' > "$work/project/migrations/0003_tags.sql"
run "plan (1 pending)" "$root/flaredeploy" plan "$work/project"
run "deploy (1 migration)" "$root/flaredeploy" deploy "$work/project"
