#!/usr/bin/env bash
# Runs the conformance folders of the parts that exist against bin/skein.
#
# The suite is the folder $SKEIN_CONFORMANCE (default: ../shared/conformance beside the checkout,
# where the project's workspace and CI keep it). A clone without it skips the suite with one
# line saying so and succeeds; a SKEIN_CONFORMANCE that names no suite is an error.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -n ${SKEIN_CONFORMANCE:-} ]]; then
  suite=$SKEIN_CONFORMANCE
  [[ -x $suite/run ]] || { echo "conformance: SKEIN_CONFORMANCE=$suite has no run script" >&2; exit 2; }
else
  suite=$(dirname "$here")/shared/conformance
  if [[ ! -x $suite/run ]]; then
    echo "== conformance: skipped, no suite at $suite (set SKEIN_CONFORMANCE=/path/to/conformance to run it)"
    exit 0
  fi
fi
status=0
for dir in ${SKEIN_CONFORMANCE_DIRS:-core concurrency examples stdlib}; do
  echo "== conformance: $dir"
  "$suite/run" --dir "$suite/$dir" -- "$here/bin/skein" || status=1
done
exit $status
