#!/bin/sh
set -eu
# Creates the namespace flaredeploy uses unless it exists already.

. "$(dirname "$0")/lib.sh"

namespace=${NAMESPACE:-default}
retention=${NAMESPACE_RETENTION:-30d}
attempts=${CREATE_ATTEMPTS:-30}

address=$(resolved_address)
wait_for_frontend "$address"

try=1
while :; do
  if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
    echo "namespace $namespace exists"
    exit 0
  fi
  if temporal operator namespace create --namespace "$namespace" --retention "$retention" --address "$address"; then
    echo "namespace $namespace created (retention $retention)"
    exit 0
  fi
  if [ "$try" -ge "$attempts" ]; then
    echo "could not create namespace $namespace after $try attempts; giving up" >&2
    exit 1
  fi
  try=$((try + 1))
  sleep 2
done
