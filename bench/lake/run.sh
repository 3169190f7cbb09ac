#!/usr/bin/env bash
# The lake at any age: the README's stack (dotnet run, embedded topology, LakeMaintenance with its defaults) under a
# steady stream of RATE requests/s through GameApi for MINUTES. Each minute, and for three minutes after the stream
# stops, it prints per table the live data files and log files, the median time of the seed's GROUP BY host
# through AnalyticsApi, and what the file layout costs that query: DuckDB over the table's live files against the
# same rows copied into one file, both read as AnalyticsApi reads a Delta snapshot, side by side in the same moment.
# At the end the same rows are copied into one file (one per day) and the same query runs through an AnalyticsApi
# over that copy, alternating with the live lake's, for the ratio.
# usage: [STACK_ENV="LakeMaintenance__Interval=00:00:02 …"] bench/lake/run.sh [MINUTES=10] [RATE=1000] [CONFIGURATION=Debug]
#   STACK_ENV: configuration every service of the stack gets (NAME=value, as environment variables)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
minutes=${1:-10} rate=${2:-1000} configuration=${3:-Debug}
read -r -a stack_env <<<"${STACK_ENV:-}"
runs=9
logs=$(mktemp -d)
lake=$(mktemp -d)
copy=$(mktemp -d)
copy_port=5191
bench="dotnet $root/bench/tools/LakeBench/bin/Release/net10.0/LakeBench.dll"
hosts_url=/api/tables/sword_purchases/hosts

echo "building LakeBench (Release)…" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/LakeBench" >&2

# median_ms BASE_URL: the median of RUNS timings of the hosts query, in ms.
median_ms() {
  for _ in $(seq 1 "$runs"); do curl -s -o /dev/null -w '%{time_total}\n' "$1$hosts_url"; done |
    sort -n | awk '{a[NR] = $1 * 1000} END {printf "%.1f", a[int((NR + 1) / 2)]}'
}
report() {
  echo "## $1"
  $bench lake-files "$lake"
  echo "  GROUP BY host on sword_purchases through AnalyticsApi: median $(median_ms http://localhost:5100) ms of $runs"
  $bench layout-cost "$lake" sword_purchases "$runs"
}

echo "starting the stack (dotnet run -c $configuration, lake $lake)…" >&2
start_stack "$configuration" "$logs/apphost.log" --Pipeline:Lake:Path="$lake"
echo "## $(nproc) cores; $rate requests/s for $minutes minutes through GameApi (the seed's hosts and routes)"
start stream "$logs/stream.log" $bench stream http://localhost:5000 "$rate" $((minutes * 60))
stream_pid=${pids[-1]}
started=$SECONDS
for minute in $(seq 1 "$minutes"); do
  sleep $((started + minute * 60 - SECONDS))
  report "minute $minute"
done
wait "$stream_pid" || true
cat "$logs/stream.log"
for after in 1 2 3; do
  sleep 60
  report "$after minute(s) after the stream stopped"
done

echo
echo "## the same rows in one file"
$bench one-file "$lake" sword_purchases "$copy"
ConnectionStrings__lake="$copy" ConnectionStrings__catalog="$copy/_catalog/bench.duckdb" Logging__LogLevel__Default=Warning \
  dotnet "$root/CatalogSetup/bin/$configuration/net10.0/CatalogSetup.dll" >/dev/null
start analytics-copy "$logs/analytics-copy.log" env ConnectionStrings__catalog="$copy/_catalog/bench.duckdb" ConnectionStrings__lake="$copy" \
  ASPNETCORE_URLS=http://127.0.0.1:$copy_port Logging__LogLevel__Default=Warning ReaderKeys__AllowAnonymousOnLoopback=true \
  dotnet "$root/AnalyticsApi/bin/$configuration/net10.0/AnalyticsApi.dll"
wait_http "http://127.0.0.1:$copy_port/health" 60
diff <(curl -s "localhost:5100$hosts_url") <(curl -s "127.0.0.1:$copy_port$hosts_url") >/dev/null || { echo "the copy answers differently" >&2; exit 1; }
live=() one=()
for round in 1 2 3; do
  live+=("$(median_ms http://localhost:5100)")
  one+=("$(median_ms http://127.0.0.1:$copy_port)")
done
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
echo "GROUP BY host, median of 3 × $runs: lake as maintained $(median3 "${live[@]}") ms, one file $(median3 "${one[@]}") ms ($(awk -v a="$(median3 "${live[@]}")" -v b="$(median3 "${one[@]}")" 'BEGIN {printf "%.2f", a / b}')×)"
rm -rf "$copy"
