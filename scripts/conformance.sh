#!/usr/bin/env bash
# Runs the conformance folders of the parts that exist against bin/skein.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
suite=${SKEIN_CONFORMANCE:-$here/../shared/conformance}
status=0
for dir in ${SKEIN_CONFORMANCE_DIRS:-core concurrency examples stdlib}; do
  echo "== conformance: $dir"
  "$suite/run" --dir "$suite/$dir" -- "$here/bin/skein" || status=1
done
exit $status
