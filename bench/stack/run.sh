#!/usr/bin/env bash
# The user's own path: starts the README's stack exactly as a user does (dotnet run, embedded topology; a lake of
# its own), runs the seed's Flask API beside it on the same Kafka, and prints for both, side by side:
#   - wrk -t1 -c64 on GET /purchase_a_sword: req/s, p50/p99, non-2xx
#   - four concurrent `ab -c 1` loops (the seed's tool and pattern): req/s in total, p50/p99 per request
#   - CPU % of one core per process group during each load, the share of the time some task waited for a core,
#     and RSS per group idle and after the loads
# and finally whether every 2xx GameApi answered reached the lake.
# The seed writes its events to topic "events" too; StreamWriter stores them in bad_events (they have no envelope).
# usage: bench/stack/run.sh [CONFIGURATION=Debug] [SECONDS=10]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
configuration=${1:-Debug} seconds=${2:-10}
seed_dir=${SEED_DIR:-$root/../shared/baseline}
seed_port=5055
logs=$(mktemp -d)
groups=(apphost dashboard dcp wrappers gameapi streamwriter analyticsapi seed)

# Process groups by command line: the AppHost, the Aspire dashboard, DCP (its API server, controllers and one
# monitor per child), the user's `dotnet run` (which waits for the AppHost), our services, the seed. What the
# machine spent beyond them is mostly the load generator's (wrk, ab), which shares the cores.
pids_of() {
  case $1 in
    apphost) pgrep -f "GamePipeline.AppHost/bin/.*/GamePipeline.AppHost" ;;
    dashboard) pgrep -f "Aspire.Dashboard" ;;
    dcp) pgrep -f "tools/dcp " ;;
    wrappers) pgrep -f "dotnet run" ;;
    gameapi) pgrep -f "$root/GameApi/bin/" ;;
    streamwriter) pgrep -f "$root/StreamWriter/bin/" ;;
    analyticsapi) pgrep -f "$root/AnalyticsApi/bin/" ;;
    seed) pgrep -f "flask run --host 127.0.0.1 --port $seed_port" ;;
  esac || true
}

# CPU ticks (user + system) of a group so far.
ticks() { local t=0 p; for p in $(pids_of "$1"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }
rss_mb() { local k=0 p; for p in $(pids_of "$1"); do k=$((k + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done; echo $((k / 1024)); }

# Busy ticks of the whole machine (all cores) so far.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# Microseconds during which some runnable task waited for a core (Linux pressure stall information).
cpu_waited_us() { awk '/^some/ { split($5, a, "="); print a[2] }' /proc/pressure/cpu 2>/dev/null || echo 0; }

declare -A before
cpu_start() { for g in "${groups[@]}"; do before[$g]=$(ticks "$g"); done; waited_before=$(cpu_waited_us); machine_before=$(machine_ticks); cpu_started=$(date +%s%N); }
cpu_report() {
  local elapsed_ns=$(( $(date +%s%N) - cpu_started )) hz line=""
  hz=$(getconf CLK_TCK)
  for g in "${groups[@]}"; do
    line+=$(awk -v d="$(( $(ticks "$g") - ${before[$g]} ))" -v hz="$hz" -v ns="$elapsed_ns" -v g="$g" 'BEGIN { printf "%s %.0f%%  ", g, 100 * d / hz / (ns / 1e9) }')
  done
  line+=$(awk -v d="$(( $(machine_ticks) - machine_before ))" -v hz="$hz" -v ns="$elapsed_ns" 'BEGIN { printf "whole machine %.0f%%", 100 * d / hz / (ns / 1e9) }')
  echo "  cpu (% of one core): $line"
  awk -v w="$(( $(cpu_waited_us) - waited_before ))" -v ns="$elapsed_ns" 'BEGIN { printf "  some task waited for a core %.0f%% of the time\n", 100 * w * 1000 / ns }'
}
rss_report() { local line=""; for g in "${groups[@]}"; do line+="$g $(rss_mb "$g") MB  "; done; echo "  rss: $line"; local total=0; for g in "${groups[@]}"; do [[ $g == seed ]] || total=$((total + $(rss_mb "$g"))); done; echo "  rss of everything dotnet run started: $total MB; of our services: $(( $(rss_mb gameapi) + $(rss_mb streamwriter) + $(rss_mb analyticsapi) )) MB"; }

echo "starting the stack (dotnet run -c $configuration) and the seed…" >&2
start_stack "$configuration" "$logs/apphost.log"
start seed "$logs/seed.log" bash "$seed_dir/run-seed-api.sh" localhost:9092 $seed_port
wait_http "http://127.0.0.1:$seed_port/" 120
count() { lake_count sword_purchases; }
curl -s -o /dev/null localhost:5000/purchase_a_sword
until [[ $(count) -ge 1 ]]; do sleep 1; done
lake_before=$(count) gameapi_2xx=0

echo "warming up, then 20 s idle…" >&2
for url in http://localhost:5000/purchase_a_sword http://127.0.0.1:$seed_port/purchase_a_sword; do wrk -t1 -c8 -d3s "$url" >/dev/null; done
sleep 20
lake_before=$(count)
echo
echo "## $configuration build, $(nproc) cores; idle"
rss_report

declare -A urls=([gameapi]=http://localhost:5000/purchase_a_sword [seed]=http://127.0.0.1:$seed_port/purchase_a_sword)
echo
echo "## wrk -t1 -c64 -d${seconds}s, GET /purchase_a_sword"
printf '%-10s %5s %10s %8s %8s %9s %7s %6s\n' target conns req/s p50_ms p99_ms requests non2xx errors
for target in gameapi seed; do
  cpu_start
  row=$(wrk_row "$target" 64 "${seconds}s" "${urls[$target]}")
  echo "$row"
  cpu_report
  if [[ $target == gameapi ]]; then read -r _ _ _ _ _ total non2xx _ <<<"$row"; gameapi_2xx=$((gameapi_2xx + total - non2xx)); fi
  sleep 5
done

echo
echo "## four concurrent ab -c 1 loops, ${seconds}s, GET /purchase_a_sword (one Host per loop, as the seed's users)"
printf '%-10s %10s %8s %8s %9s %7s\n' target req/s p50_ms p99_ms requests non2xx
for target in gameapi seed; do
  cpu_start
  for i in 1 2 3 4; do ab -q -c 1 -t "$seconds" -n 1000000 -H "Host: user$i.example" "${urls[$target]}" >"$logs/ab-$target-$i.txt" 2>&1 & done
  wait $(jobs -p | tail -n 4) 2>/dev/null || true
  awk -v target="$target" '
    /Requests per second/ { rps += $4 }
    /Complete requests/ { done += $3 }
    /Non-2xx responses/ { non += $3 }
    /^ +50%/ { p50 += $2; n50++ }
    /^ +99%/ { if ($2 > p99) p99 = $2 }
    END { printf "%-10s %10.0f %8.2f %8.2f %9d %7d\n", target, rps, p50 / n50, p99, done, non }
  ' "$logs"/ab-"$target"-*.txt
  cpu_report
  if [[ $target == gameapi ]]; then
    gameapi_2xx=$((gameapi_2xx + $(awk '/Complete requests/ {c += $3} /Non-2xx responses/ {n += $3} END {print c - n}' "$logs"/ab-gameapi-*.txt)))
  fi
  sleep 5
done

echo
echo "## after the loads"
rss_report
last=$(lake_settled sword_purchases)
echo
echo "## GameApi answered 2xx $gameapi_2xx times during the loads; sword_purchases gained $((last - lake_before)) rows"
# ab reports p50 in whole milliseconds; wrk leaves requests in flight uncounted at its deadline (one per connection at most).
((last - lake_before >= gameapi_2xx)) && echo "ok: every 2xx is in the lake" || echo "LOST: $((gameapi_2xx - (last - lake_before))) acknowledged events are not in the lake"
