#!/bin/sh
set -eu
# Helpers shared by the one-shot jobs that talk to the Temporal frontend; sourced, not run. Their
# variables start with an underscore so that they do not overwrite the caller's.

# The frontend address with its host resolved to IPv4 where possible (the CLI may otherwise try an
# address the server does not listen on).
resolved_address() {
  _address=${TEMPORAL_ADDRESS:-temporal:7233}
  _host=${_address%:*}
  _port=${_address##*:}
  _ip=$(getent ahostsv4 "$_host" 2>/dev/null | awk 'NR == 1 { print $1 }') || _ip=
  echo "${_ip:-$_host}:$_port"
}

# Waits, a bounded number of times, until the frontend at $1 reports healthy.
wait_for_frontend() {
  _attempts=${WAIT_ATTEMPTS:-60}
  _try=1
  until temporal operator cluster health --address "$1" >/dev/null 2>&1; do
    if [ "$_try" -ge "$_attempts" ]; then
      echo "Temporal at $1 is not healthy after $_try checks; giving up" >&2
      return 1
    fi
    _try=$((_try + 1))
    sleep 2
  done
  echo "Temporal at $1 is healthy"
}
