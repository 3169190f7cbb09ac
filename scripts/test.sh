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

# Sum the counters of every TRX report (one per test assembly).
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [[ -f $trx ]] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  attr() { sed -nE "s/.* $1=\"([0-9]+)\".*/\1/p" <<<"$counters"; }
  passed=$((passed + $(attr passed)))
  failed=$((failed + $(attr failed)))
  total=$(attr total) executed=$(attr executed)
  skipped=$((skipped + total - executed))
done
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
