#!/usr/bin/env bash
# The test command: installs what the tests need (see prerequisites.sh), builds the solution, runs the unit,
# integration and end-to-end test projects one after the other (each loads the machine on its own), and ends with
# "N passed, N failed". Extra arguments go to each `dotnet test` (e.g. --filter Kafka).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/prerequisites.sh || exit 1

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"
dotnet build GamePipeline.sln 2>&1 | tee "$results/build.log" | tail -n 3
status=${PIPESTATUS[0]}
if ((status != 0)); then
  echo "the build failed (see $results/build.log)" >&2
  echo "0 passed, 0 failed"
  exit "$status"
fi

for project in GamePipeline.UnitTests GamePipeline.IntegrationTests GamePipeline.Tests; do
  dotnet test "$project" --no-build --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" 2>&1 | tee -a "$results/console.log"
  ((PIPESTATUS[0] == 0)) || status=1
done

# Sum the counters of every TRX report (one per test project).
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
