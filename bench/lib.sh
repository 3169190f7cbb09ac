# Shared by the bench scripts: process management and wrk output parsing. Source it; do not run it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# start NAME LOGFILE COMMAND... : runs a command in the background, remembered for cleanup.
start() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  pids+=($!)
  echo "started $name (pid $!, log $log)" >&2
}

# wait_http URL [SECONDS]: until the URL answers (any status).
wait_http() {
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  until curl -s -o /dev/null "$url"; do
    ((SECONDS < deadline)) || { echo "timed out waiting for $url" >&2; return 1; }
    sleep 0.5
  done
}

# wrk_row LABEL CONNECTIONS DURATION URL [WRK_ARGS...]: prints "label conns req/s p50_ms p99_ms requests non2xx errors".
wrk_row() {
  local label=$1 c=$2 d=$3 url=$4 out
  shift 4
  out=$(wrk -t1 -c"$c" -d"$d" --latency "$@" "$url")
  awk -v label="$label" -v c="$c" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    / requests in / { total = $1 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    /Socket errors:/ { errors = $4 + $6 + $8 + $10 }
    END { printf "%-10s %5d %10.0f %8.2f %8.2f %9d %7d %6d\n", label, c, rps, p50, p99, total, non2xx + 0, errors + 0 }
  ' <<<"$out"
}

# start_stack CONFIGURATION LOGFILE [APPHOST_ARGS...]: the README's `dotnet run` (embedded topology) with a lake of
# its own, until GameApi and AnalyticsApi answer. The variables in the array stack_env (NAME=value, names as .NET
# configuration spells them, e.g. with dots) reach every service: DCP passes the AppHost's environment on.
stack_env=()
start_stack() {
  local configuration=$1 log=$2
  shift 2
  start apphost "$log" env "${stack_env[@]}" dotnet run -c "$configuration" --project "$root/GamePipeline.AppHost" -- --Pipeline:Lake:Path="$(mktemp -d)" "$@"
  wait_http http://localhost:5000/ 300
  wait_http http://localhost:5100/health 300
  trap stop_stack EXIT
}

# stop_stack: the AppHost stops its services when it ends; waits for them, so that the next stack finds its ports free.
stop_stack() {
  pkill -TERM -f "GamePipeline.AppHost/bin/" || true
  for _ in $(seq 1 30); do pgrep -f "$root/(GameApi|StreamWriter|AnalyticsApi)/bin/" >/dev/null || break; sleep 1; done
  cleanup
}

# lake_count TABLE: the table's rows, from AnalyticsApi.
lake_count() { curl -s "localhost:5100/api/tables/$1/count" | sed -nE 's/.*"count":([0-9]+).*/\1/p'; }

# lake_settled TABLE: waits until the table stops growing (the writer has worked off its backlog); prints its rows.
lake_settled() {
  local last=-1 now
  while true; do now=$(lake_count "$1"); [[ $now == "$last" ]] && break; last=$now; sleep 5; done
  echo "$last"
}
