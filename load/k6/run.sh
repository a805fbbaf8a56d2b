#!/bin/sh
# Runs one k6 script and fails when its summary file was not written.
#
#   sh load/k6/run.sh [k6 run options] SCRIPT.js      e.g. sh load/k6/run.sh -e RATE=500 load/k6/orders.js
#
# k6 writes the files handleSummary returns, but a file it cannot write costs only an error line: its exit
# code follows the thresholds alone, so a run whose results are lost would pass. This wrapper (POSIX sh, also
# the compose k6 service's entrypoint) makes SUMMARY_DIR, refuses to start if it cannot write there, removes
# the script's previous <name>-summary.json, runs `k6 run`, and then requires the file to exist again.
# Exit code: k6's own (99 = thresholds failed, ...) or 3 when the summary directory or file is missing.
# Run as root (the compose service), it hands the written file to the owner of SUMMARY_DIR.
set -u
dir=${SUMMARY_DIR:-load/results}
dir=${dir%/}
export SUMMARY_DIR="$dir"
script=
for arg in "$@"; do script=$arg; done
case $script in
  *.js) ;;
  *) echo "run.sh: the last argument must be the k6 script (*.js), got '$script'" >&2; exit 2 ;;
esac
name=$(basename "$script" .js)
file="$dir/$name-summary.json"

mkdir -p "$dir" 2>/dev/null
probe="$dir/.run-sh-probe-$$"
if ! (: > "$probe") 2>/dev/null; then  # a subshell: a failed redirection of `:` would end sh itself
  echo "run.sh: cannot write the summary directory $dir as uid $(id -u); nothing was run" >&2
  exit 3
fi
rm -f "$probe" "$file"

k6 run "$@"
rc=$?

if [ ! -s "$file" ]; then
  echo "run.sh: k6 exited $rc without writing $file: the run fails" >&2
  if [ "$rc" -eq 0 ]; then exit 3; fi
  exit "$rc"
fi
if [ "$(id -u)" = 0 ]; then
  owner=$(stat -c '%u:%g' "$dir" 2>/dev/null) && chown "$owner" "$file" 2>/dev/null
fi
exit "$rc"
