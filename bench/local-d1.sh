#!/usr/bin/env bash
# The local target's database operations, as flaredeploy ran them through `wrangler d1 … --local` (one
# process each) and as it runs them now directly in the SQLite file, side by side in one run, on the
# example's database holding ROWS notes: read the ledger, apply one migration, take a restore point (an
# export then, a file copy now), restore (and restore an export of an earlier version).
# Usage: bench/local-d1.sh [ROWS] [ROUNDS]   (defaults 1000000 and 3). Writes only under a temp dir.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$root/flaredeploy" --version >/dev/null                # the CLI jar: every main class and dependency
./mvnw -q -B -o -pl activities -am test-compile >/dev/null  # the benchmark and the test kit
java -Dflaredeploy.root="$root" \
  -cp "activities/target/test-classes:testkit/target/classes:cli/target/flaredeploy.jar" \
  dev.flaredeploy.activities.local.LocalDatabasesBenchmark "${1:-1000000}" "${2:-3}"
