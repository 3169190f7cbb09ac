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
