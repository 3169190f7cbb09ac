#!/usr/bin/env bash
# GameApi's producer batching on the user's own path: for each linger.ms, starts the README's stack (dotnet run)
# with `Kafka:Clients:gameapi-events:Config:linger.ms` set, and measures GET /purchase_a_sword with wrk at 1, 4 and
# 64 connections: req/s, p50, p99.
# usage: bench/stack/linger.sh [LINGER_MS_VALUES="0 1 2 5"] [SECONDS=10] [CONFIGURATION=Debug]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
read -r -a lingers <<<"${1:-0 1 2 5}"
seconds=${2:-10} configuration=${3:-Debug}
logs=$(mktemp -d)

echo "## wrk -t1 -d${seconds}s, GET /purchase_a_sword, dotnet run -c $configuration ($(nproc) cores)"
printf '%-10s %5s %10s %8s %8s %9s %7s %6s\n' linger_ms conns req/s p50_ms p99_ms requests non2xx errors
for linger in "${lingers[@]}"; do
  echo "starting the stack with linger.ms=$linger…" >&2
  stack_env=("Kafka__Clients__gameapi-events__Config__linger.ms=$linger")
  start_stack "$configuration" "$logs/apphost-$linger.log"
  wrk -t1 -c8 -d3s http://localhost:5000/purchase_a_sword >/dev/null
  for c in 1 4 64; do
    wrk_row "$linger" "$c" "${seconds}s" http://localhost:5000/purchase_a_sword
    sleep 3
  done
  stop_stack
  pids=()
done
