#!/usr/bin/env bash
# What write keys and rate limits cost GameApi, side by side in one run on one standalone embedded Kafka:
#   open   — keys optional, no limits (the README's embedded stack)
#   keyed  — every request sends a write key (Authorization: Basic), checked against 8 configured hashes, and passes
#            two rate limiters (per source, per address; limits too high to refuse anything)
# Rounds alternate which goes first; wrk -t1 -c64 on GET /purchase_a_sword.
# usage: bench/ingest/keys.sh [DURATION=10s] [ROUNDS=3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
duration=${1:-10s}
rounds=${2:-3}
kafka_port=19093 open_port=5081 keyed_port=5082
logs=$(mktemp -d)

echo "building (Release)…" >&2
dotnet build -c Release -v q --nologo "$root/GameApi" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/BenchKafka" >&2
start kafka "$logs/kafka.log" dotnet "$root/bench/tools/BenchKafka/bin/Release/net10.0/BenchKafka.dll" $kafka_port bench-open:4 bench-keyed:4
until grep -q "kafka ready" "$logs/kafka.log"; do sleep 0.2; done

new_key=$(bash "$root/scripts/keys.sh" new bench)
key=$(awk 'NR == 1 {print $NF}' <<<"$new_key")
keys=()
for i in 0 1 2 3 4 5 6; do keys+=("WriteKeys__Keys__${i}__Name=other-$i" "WriteKeys__Keys__${i}__Hash=$(bash "$root/scripts/keys.sh" hash "other-$i-$RANDOM")"); done
keys+=("WriteKeys__Keys__7__Name=bench" "WriteKeys__Keys__7__Hash=$(bash "$root/scripts/keys.sh" hash "$key")")
common=(Logging__LogLevel__Default=Warning ConnectionStrings__kafka=localhost:$kafka_port Ingest__Backpressure__Enabled=false)
start open "$logs/open.log" env ASPNETCORE_URLS=http://127.0.0.1:$open_port "${common[@]}" Ingest__Topic=bench-open \
  WriteKeys__Required=false RateLimits__PerSender__PermitsPerSecond=0 RateLimits__PerAddress__PermitsPerSecond=0 \
  dotnet "$root/GameApi/bin/Release/net10.0/GameApi.dll"
start keyed "$logs/keyed.log" env ASPNETCORE_URLS=http://127.0.0.1:$keyed_port "${common[@]}" Ingest__Topic=bench-keyed "${keys[@]}" \
  RateLimits__PerSender__PermitsPerSecond=10000000 RateLimits__PerSender__Burst=100000000 \
  RateLimits__PerAddress__PermitsPerSecond=10000000 RateLimits__PerAddress__Burst=100000000 \
  dotnet "$root/GameApi/bin/Release/net10.0/GameApi.dll"
wait_http "http://127.0.0.1:$open_port/purchase_a_sword" 120
authorization="Authorization: Basic $(printf '%s:' "$key" | base64 -w0)"
wait_http_with() { until curl -sf -H "$authorization" -o /dev/null "$1"; do sleep 0.5; done; }
wait_http_with "http://127.0.0.1:$keyed_port/purchase_a_sword"
curl -s -o /dev/null -w "keyed GameApi without the key: %{http_code}\n" "http://127.0.0.1:$keyed_port/purchase_a_sword"

echo "warming up…" >&2
wrk -t1 -c16 -d3s "http://127.0.0.1:$open_port/purchase_a_sword" >/dev/null
wrk -t1 -c16 -d3s -H "$authorization" "http://127.0.0.1:$keyed_port/purchase_a_sword" >/dev/null

echo
echo "## wrk -t1 -c64 -d$duration, GET /purchase_a_sword ($(nproc) cores)"
printf '%-10s %5s %10s %8s %8s %9s %7s %6s\n' target conns req/s p50_ms p99_ms requests non2xx errors
open_rates=() keyed_rates=()
run_open() { row=$(wrk_row open 64 "$duration" "http://127.0.0.1:$open_port/purchase_a_sword"); echo "$row"; open_rates+=("$(awk '{print $3}' <<<"$row")"); }
run_keyed() { row=$(wrk_row keyed 64 "$duration" "http://127.0.0.1:$keyed_port/purchase_a_sword" -H "$authorization"); echo "$row"; keyed_rates+=("$(awk '{print $3}' <<<"$row")"); }
for round in $(seq 1 "$rounds"); do
  if ((round % 2)); then run_open; run_keyed; else run_keyed; run_open; fi
done
ratios=()
for i in "${!open_rates[@]}"; do ratios+=("$((100 * keyed_rates[i] / open_rates[i]))"); done
echo "## keyed/open per round: ${ratios[*]} %"
