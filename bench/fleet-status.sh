#!/usr/bin/env bash
# What reading a fleet costs the CLI as it grows: `status` of a fleet half-way and once ended, and `list`, for
# fleets of SIZES members (fast stand-in members on the in-memory test server, time skipped), side by side, with
# the size of the report and of the memo. Usage: bench/fleet-status.sh [SIZES...]   (default 10 100 500)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
"$root/flaredeploy" --version >/dev/null               # the CLI jar: every main class and dependency
./mvnw -q -B -o -pl cli -am test-compile >/dev/null      # the benchmark and its stand-in member
java -cp "cli/target/test-classes:cli/target/flaredeploy.jar" dev.flaredeploy.cli.client.FleetStatusBenchmark "$@" \
  2> >(grep -v "SLF4J" >&2)
