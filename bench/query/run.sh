#!/usr/bin/env bash
# AnalyticsApi latency per contract endpoint on lakes of 1M and 10M events, side by side with DuckDB running
# the same SQL on the same Parquet files in-process (the ceiling). The lakes are generated in StreamWriter's
# layout and schema (DuckDB writes them: StreamWriter itself would take minutes for 10M events).
# usage: bench/query/run.sh [RUNS=15] [SIZES="1000000 10000000"]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
runs=${1:-15}
read -r -a sizes <<<"${2:-1000000 10000000}"
port=5190
bench="dotnet $root/bench/tools/LakeBench/bin/Release/net10.0/LakeBench.dll"

echo "building (Release)…" >&2
for project in AnalyticsApi CatalogSetup bench/tools/LakeBench; do
  dotnet build -c Release -v q --nologo "$root/$project" >&2
done

for n in "${sizes[@]}"; do
  lake=$(mktemp -d)
  $bench make-lake "$lake" "$n"
  ConnectionStrings__lake="$lake" ConnectionStrings__catalog="$lake/_catalog/bench.duckdb" Logging__LogLevel__Default=Warning \
    dotnet "$root/CatalogSetup/bin/Release/net10.0/CatalogSetup.dll"
  start analyticsapi "$lake.log" env ConnectionStrings__catalog="$lake/_catalog/bench.duckdb" ConnectionStrings__lake="$lake" \
    ASPNETCORE_URLS=http://127.0.0.1:$port Logging__LogLevel__Default=Warning ReaderKeys__AllowAnonymousOnLoopback=true \
    dotnet "$root/AnalyticsApi/bin/Release/net10.0/AnalyticsApi.dll"
  wait_http "http://127.0.0.1:$port/health" 60
  echo
  echo "## $(printf "%'d" "$n") events ($(nproc) cores, median of $runs runs)"
  $bench query "http://127.0.0.1:$port" "$lake" "$runs"
  kill "${pids[-1]}"
  wait "${pids[-1]}" 2>/dev/null || true
  rm -rf "$lake" "$lake.log"
done
