#!/usr/bin/env bash
# The batch endpoint, POST /v1/events: requests/s, events/s and latency under wrk, for one or more GameApi builds
# side by side against one standalone embedded Kafka (each build on its own topic).
# usage: bench/ingest/batches.sh [DURATION=10s] [EVENTS_PER_BATCH=20] [CONNECTIONS="1 16 64"] [LABEL=GameApi.dll ...]
# Without builds named, it measures this checkout's GameApi (Release).
# No writer reads the benchmark's topics, so GameApi's backpressure is off here (Ingest:Backpressure:Enabled=false):
# it would rightly refuse events once the embedded Kafka starts dropping unwritten ones.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
duration=${1:-10s}
events=${2:-20}
read -r -a connections <<<"${3:-1 16 64}"
shift $(( $# < 3 ? $# : 3 ))
kafka_port=19093 first_port=5081
logs=$(mktemp -d)

echo "building (Release)…" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/BenchKafka" >&2
builds=("$@")
if ((${#builds[@]} == 0)); then
  dotnet build -c Release -v q --nologo "$root/GameApi" >&2
  builds=("this=$root/GameApi/bin/Release/net10.0/GameApi.dll")
fi

topics=()
for i in "${!builds[@]}"; do topics+=("batches-$i:4"); done
start kafka "$logs/kafka.log" dotnet "$root/bench/tools/BenchKafka/bin/Release/net10.0/BenchKafka.dll" $kafka_port "${topics[@]}"
until grep -q "kafka ready" "$logs/kafka.log"; do sleep 0.2; done

labels=() urls=()
for i in "${!builds[@]}"; do
  label=${builds[$i]%%=*} dll=${builds[$i]#*=} port=$((first_port + i))
  start "$label" "$logs/$label.log" env ASPNETCORE_URLS=http://127.0.0.1:$port Logging__LogLevel__Default=Warning \
    ConnectionStrings__kafka=localhost:$kafka_port Ingest__Backpressure__Enabled=false Ingest__Topic=batches-$i \
    WriteKeys__Required=false RateLimits__PerAddress__PermitsPerSecond=0 dotnet "$dll"  # as on a laptop: builds before write keys ignore these
  wait_http "http://127.0.0.1:$port/alive" 120
  labels+=("$label") urls+=("http://127.0.0.1:$port/v1/events")
done

export EVENTS=$events
echo "warming up…" >&2
for url in "${urls[@]}"; do wrk -t1 -c16 -d3s -s "$root/bench/ingest/post-batch.lua" "$url" >/dev/null; done

echo
echo "## wrk -t1 -d$duration, POST /v1/events with $events events per batch ($(nproc) cores)"
printf '%-12s %5s %10s %8s %8s %9s %7s %6s %10s\n' build conns req/s p50_ms p99_ms requests non2xx errors events/s
for c in "${connections[@]}"; do
  for i in "${!labels[@]}"; do
    row=$(wrk_row "${labels[$i]}" "$c" "$duration" "${urls[$i]}" -s "$root/bench/ingest/post-batch.lua")
    read -r _ _ rps _ <<<"$row"
    printf '%s %10.0f\n' "$row" "$(awk -v r="$rps" -v e="$events" 'BEGIN { print r * e }')"
  done
done
