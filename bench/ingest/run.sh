#!/usr/bin/env bash
# Ingest throughput and latency, side by side in one run, all against one standalone embedded Kafka:
#   bare    — Kestrel answering the same route with no Kafka work (the ceiling)
#   gameapi — GameApi (Release), every 200 acknowledged by Kafka (acks=all, idempotent)
#   seed    — the seed's Flask API (../shared/baseline/run-seed-api.sh), fire-and-forget produce
# Then the seed's ab scenario against GameApi and the seed, and a check that Kafka holds an event for every
# 2xx GameApi answered.
# usage: bench/ingest/run.sh [DURATION=10s] [CONNECTIONS="16 64 256"]
# No writer reads the benchmark's topics, so GameApi's backpressure is off here (Ingest:Backpressure:Enabled=false):
# it would rightly refuse events once the embedded Kafka starts dropping unwritten ones.
# GameApi runs as outside a laptop, with a write key checked on every wrk and ab -c 10 request (and rate limits too
# high to refuse any, so their buckets are still taken); the seed's ab scenario sends no key, as on the README's
# stack (keys optional there).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
duration=${1:-10s}
read -r -a connections <<<"${2:-16 64 256}"
seed_dir=${SEED_DIR:-$root/../shared/baseline}
kafka_port=19092 bare_port=5090 gameapi_port=5080 seed_port=5055
logs=$(mktemp -d)

echo "building (Release)…" >&2
dotnet build -c Release -v q --nologo "$root/GameApi" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/BenchKafka" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/BareKestrel" >&2

start kafka "$logs/kafka.log" dotnet "$root/bench/tools/BenchKafka/bin/Release/net10.0/BenchKafka.dll" $kafka_port events:4 bench-gameapi:4
until grep -q "kafka ready" "$logs/kafka.log"; do sleep 0.2; done
start bare "$logs/bare.log" env ASPNETCORE_URLS=http://127.0.0.1:$bare_port Logging__LogLevel__Default=Warning \
  dotnet "$root/bench/tools/BareKestrel/bin/Release/net10.0/BareKestrel.dll"
write_key="gp_bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
authorization="Authorization: Basic $(printf '%s:' "$write_key" | base64 -w0)"
start gameapi "$logs/gameapi.log" env ASPNETCORE_URLS=http://127.0.0.1:$gameapi_port Logging__LogLevel__Default=Warning \
  ConnectionStrings__kafka=localhost:$kafka_port Ingest__Backpressure__Enabled=false Ingest__Topic=bench-gameapi \
  WriteKeys__Required=false WriteKeys__Keys__0__Name=bench WriteKeys__Keys__0__Hash="$(bash "$root/scripts/keys.sh" hash "$write_key")" \
  RateLimits__PerSender__PermitsPerSecond=10000000 RateLimits__PerSender__Burst=100000000 \
  RateLimits__PerAddress__PermitsPerSecond=10000000 RateLimits__PerAddress__Burst=100000000 \
  dotnet "$root/GameApi/bin/Release/net10.0/GameApi.dll"
start seed "$logs/seed.log" bash "$seed_dir/run-seed-api.sh" localhost:$kafka_port $seed_port
for port in $bare_port $gameapi_port $seed_port; do wait_http "http://127.0.0.1:$port/purchase_a_sword" 120; done

declare -A urls=([bare]=http://127.0.0.1:$bare_port/purchase_a_sword [gameapi]=http://127.0.0.1:$gameapi_port/purchase_a_sword [seed]=http://127.0.0.1:$seed_port/purchase_a_sword)
echo "warming up…" >&2
for target in bare gameapi seed; do wrk -t1 -c16 -d3s -H "$authorization" "${urls[$target]}" >/dev/null; done

echo
echo "## wrk -t1 -d$duration, GET /purchase_a_sword ($(nproc) cores)"
printf '%-10s %5s %10s %8s %8s %9s %7s %6s\n' target conns req/s p50_ms p99_ms requests non2xx errors
gameapi_2xx=0
for c in "${connections[@]}"; do
  for target in bare gameapi seed; do
    row=$(wrk_row "$target" "$c" "$duration" "${urls[$target]}" -H "$authorization")
    echo "$row"
    if [[ $target == gameapi ]]; then
      read -r _ _ _ _ _ total non2xx _ <<<"$row"
      gameapi_2xx=$((gameapi_2xx + total - non2xx))
    fi
  done
done

echo
echo "## the seed's ab scenario (scripts/ab.sh, 4 loops = 900 requests, ab -c 1)"
for target in gameapi seed; do
  port=$([[ $target == gameapi ]] && echo $gameapi_port || echo $seed_port)
  start_ns=$(date +%s%N)
  bash "$root/scripts/ab.sh" 4 "http://127.0.0.1:$port" | tail -n 1 | sed "s/^/$target: /"
  printf '%s: %.2f s\n' "$target" "$(( $(date +%s%N) - start_ns ))e-9"
  gameapi_2xx=$((gameapi_2xx + $([[ $target == gameapi ]] && echo 900 || echo 0)))
done
echo
echo "## ab -c 10 -n 20000 (Apache Bench's own ceiling here is ~13–17K req/s)"
for target in bare gameapi seed; do
  n=$([[ $target == seed ]] && echo 5000 || echo 20000)
  rps=$(ab -q -c 10 -n "$n" -A "$write_key:" "${urls[$target]}" | awk '/Requests per second/ {print $4}')
  printf '%-10s %10s req/s\n' "$target" "$rps"
  [[ $target == gameapi ]] && gameapi_2xx=$((gameapi_2xx + n))
done

# The topic's end offsets count every event Kafka acknowledged (the mock keeps only the last 5 MiB of each
# partition, so reading the messages back would undercount). Includes the warm-up's requests.
in_kafka=$(kcat -b localhost:$kafka_port -Q $(for p in 0 1 2 3; do echo -t bench-gameapi:$p:-1; done) | awk '{s += $4} END {print s + 0}')
echo
echo "## durability: GameApi answered 2xx $gameapi_2xx times after warm-up; Kafka acknowledged $in_kafka events on bench-gameapi"
((in_kafka >= gameapi_2xx)) && echo "ok: every 2xx has its event in Kafka" || { echo "LOST EVENTS"; exit 1; }
