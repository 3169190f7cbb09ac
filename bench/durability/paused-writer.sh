#!/usr/bin/env bash
# A 2xx means the event reaches the lake, on the user's own path: starts the README's stack (dotnet run, embedded
# topology, a lake of its own), sends GET /purchase_a_sword from several wrk clients at full speed, stops the
# StreamWriter (SIGSTOP) for a while in the middle, lets it go on, and compares GameApi's 2xx answers with the rows
# the lake gained. Without backpressure the embedded Kafka drops unwritten events once a partition holds 5 MiB.
# usage: bench/durability/paused-writer.sh [PAUSE_SECONDS=10] [CLIENTS=4] [CONNECTIONS_EACH=8] [DURATION_SECONDS=20]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
pause=${1:-10} clients=${2:-4} conns=${3:-8} duration=${4:-20}
logs=$(mktemp -d)
echo "starting the stack (dotnet run)…" >&2
start_stack Debug "$logs/apphost.log"
count() { lake_count sword_purchases; }
curl -s -o /dev/null localhost:5000/purchase_a_sword
until [[ $(count) -ge 1 ]]; do sleep 1; done
writer=$(pgrep -f "StreamWriter/bin/.*/StreamWriter" | head -n 1)
before=$(count)

echo "$clients wrk clients × $conns connections for ${duration}s; the writer (pid $writer) stopped for ${pause}s from second 3" >&2
for i in $(seq 1 "$clients"); do wrk -t1 -c"$conns" -d"${duration}s" http://localhost:5000/purchase_a_sword >"$logs/wrk$i.txt" & done
sleep 3
kill -STOP "$writer"
sleep "$pause"
kill -CONT "$writer"
wait $(jobs -p | tail -n "$clients") 2>/dev/null || true
sleep 1

requests=0 refused=0
for i in $(seq 1 "$clients"); do
  requests=$((requests + $(awk '/ requests in / {print $1}' "$logs/wrk$i.txt")))
  refused=$((refused + $(awk '/Non-2xx/ {print $5} END {print 0}' "$logs/wrk$i.txt" | head -n 1)))
done
acknowledged=$((requests - refused))

last=$(lake_settled sword_purchases)
gained=$((last - before))
echo
echo "## writer stopped ${pause}s under $clients × wrk -c$conns, GET /purchase_a_sword, on dotnet run"
echo "answered: $requests; 2xx $acknowledged, 503 $refused"
echo "sword_purchases gained $gained rows"
# wrk does not count the requests still in flight at its deadline: the server may have accepted up to one per connection more.
if ((gained >= acknowledged)); then echo "ok: every 2xx is in the lake"; else echo "LOST: $((acknowledged - gained)) acknowledged events are not in the lake"; exit 1; fi
