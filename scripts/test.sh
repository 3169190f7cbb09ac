#!/usr/bin/env bash
# The test command: installs what the tests need (see prerequisites.sh), runs every test of the solution,
# and ends with "N passed, N failed". Extra arguments go to `dotnet test` (e.g. --filter Kafka).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/prerequisites.sh || exit 1

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet test GamePipeline.sln --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" 2>&1 | tee "$results/console.log"
status=${PIPESTATUS[0]}

# Sum the per-assembly summaries ("Passed!  - Failed: 0, Passed: 11, Skipped: 0, ...").
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed:' "$results/console.log" |
  sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
if ((skipped > 0)); then
  echo "$skipped test(s) skipped: no test may skip" >&2
  status=1
fi
if ((passed + failed == 0)); then
  echo "no test ran" >&2
  status=1
fi
echo "$passed passed, $failed failed"
exit "$status"
