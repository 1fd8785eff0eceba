#!/usr/bin/env bash
# A first Cloudflare deploy of the example through flaredeploy against the bare script it replaces
# (`wrangler d1 migrations apply DB --remote` then `wrangler deploy`), side by side in one run, both with the
# pinned wrangler against a loopback stand-in of Cloudflare's API (testkit's CloudflareApiRecorder); also a
# no-op re-deploy of each, and the processes and API calls each makes. flaredeploy runs the real workflow
# and activities on Temporal's in-process test server (started before the clock starts).
# Usage: bench/cloudflare-deploy.sh [ROUNDS]   (default 5). Binds 127.0.0.1 only; stops what it started.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-5}"
cd "$root"
./mvnw -q -B -o -pl activities -am test -Dtest=CloudflareDeployBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dflaredeploy.bench="$rounds"
grep -E '^(first deploy|re-deploy|processes|API calls|bare first|round)' \
  activities/target/surefire-reports/dev.flaredeploy.activities.cloudflare.CloudflareDeployBenchmark-output.txt
