#!/bin/sh
set -eu
# Creates each name in SEARCH_ATTRIBUTES (separated by spaces) as a Keyword search attribute on the
# namespace. One that exists already as a Keyword counts as done, so the job can run any number of times.

. "$(dirname "$0")/lib.sh"

namespace=${NAMESPACE:-default}
: "${SEARCH_ATTRIBUTES:?set SEARCH_ATTRIBUTES to the names to create, separated by spaces}"
attempts=${CREATE_ATTEMPTS:-30}

address=$(resolved_address)
wait_for_frontend "$address"

# true when the namespace already has $1 as a Keyword attribute
exists_as_keyword() {
  temporal operator search-attribute list --namespace "$namespace" --address "$address" 2>/dev/null |
    grep -w -- "$1" | grep -qi keyword
}

for name in $SEARCH_ATTRIBUTES; do
  try=1
  while :; do
    if output=$(temporal operator search-attribute create --namespace "$namespace" --address "$address" \
        --name "$name" --type Keyword 2>&1); then
      echo "search attribute $name: created"
      break
    fi
    if exists_as_keyword "$name"; then
      echo "search attribute $name: exists already"
      break
    fi
    if [ "$try" -ge "$attempts" ]; then
      echo "search attribute $name: not created after $try attempts; last error: $output" >&2
      exit 1
    fi
    # a namespace created a moment ago may not be known to every frontend yet
    try=$((try + 1))
    sleep 2
  done
done
echo "search attributes on $namespace:" $SEARCH_ATTRIBUTES
