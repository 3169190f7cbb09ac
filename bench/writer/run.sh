#!/usr/bin/env bash
# StreamWriter throughput and freshness, side by side in one run, on one standalone embedded Kafka:
#   raw     — a consume loop that writes nothing (the ceiling)
#   writer  — StreamWriter (published, ReadyToRun composite) turning the same 1M events into the Parquet lake, exactly once
#   baseline  — with BASELINE=REV, the StreamWriter of that git revision, over the same events in the same rounds
#   keyed     — with KEYS=1, StreamWriter over the same events, each with an idempotency key (topic bench-keyed), in
#               the same rounds; then what loading the keys of that lake costs a writer assigned its partitions
#   freshness — produce 1,000 events/s and time each event from produce to its committed file
#   commits   — the commits per second one Delta table sustains with 16 partitions committing apart
# Topic bench-writer has 128 partitions: the mock Kafka keeps only the newest 5 MiB of each partition,
# so 1M events need that many partitions to stay whole.
# usage: [BASELINE=REV] [KEYS=1] bench/writer/run.sh [EVENTS=1000000] [FRESHNESS_SECONDS=30] [ROUNDS=3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
events=${1:-1000000}
freshness_seconds=${2:-30}
rounds=${3:-3}
baseline=${BASELINE:-}
keys=${KEYS:-}
kafka_port=19095
logs=$(mktemp -d)
fresh_lake=$(mktemp -d)
published="$root/artifacts/bench/writer"
bench="$published/LakeBench/LakeBench"

# The writer runs as it is deployed: published self-contained, with the runtime compiled ahead of time into one
# ReadyToRun image (StreamWriter.csproj). The raw loop (LakeBench, which also fills and watches the lake) is
# published the same way, so the ceiling is not lowered by a JIT the writer no longer pays. The broker is built.
echo "building (Release) and publishing (ReadyToRun composite, self-contained linux-x64)…" >&2
dotnet build -c Release -v q --nologo "$root/bench/tools/BenchKafka" >&2
publish() {  # publish PROJECT_DIR OUTPUT_DIR
  dotnet publish -c Release -r linux-x64 --self-contained -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true \
    -v q --nologo -o "$2" "$1" >&2
}
for project in StreamWriter bench/tools/LakeBench; do publish "$root/$project" "$published/$(basename "$project")"; done
if [[ -n $baseline ]]; then
  # The baseline is built from a worktree of that revision, with its own packages and settings, published the same way.
  echo "publishing the baseline StreamWriter at $baseline…" >&2
  worktree=$(mktemp -d)/src
  git -C "$root" worktree add -q --detach "$worktree" "$baseline"
  publish "$worktree/StreamWriter" "$published/baseline/StreamWriter"
  git -C "$root" worktree remove --force "$worktree"
fi

start kafka "$logs/kafka.log" dotnet "$root/bench/tools/BenchKafka/bin/Release/net10.0/BenchKafka.dll" $kafka_port bench-writer:128 bench-fresh:4 \
  ${keys:+bench-keyed:128}
until grep -q "kafka ready" "$logs/kafka.log"; do sleep 0.2; done

echo "## pre-fill ($(nproc) cores)"
$bench fill localhost:$kafka_port bench-writer "$events"
if [[ -n $keys ]]; then $bench fill-keyed localhost:$kafka_port bench-keyed "$events"; fi

# This machine's speed drifts by ±30 % within minutes, so raw and writer alternate, ROUNDS times over the same
# events (each writer round: a fresh lake and consumer group), and the ratio is taken per round and as medians.
# The writer's clock starts at its start-up line (event 1, logged just before it subscribes), as the raw loop's
# starts when it subscribes.
writer_env=(env ConnectionStrings__kafka=localhost:$kafka_port ASPNETCORE_URLS=http://127.0.0.1:0 Logging__LogLevel__Default=Warning
  Logging__LogLevel__StreamWriter.StreamWriterWorker=Information)
# start_writer LOG LAKE TOPIC GROUP [BINARY]: starts the published StreamWriter and returns once it logged that it subscribes.
start_writer() {
  start writer "$1" "${writer_env[@]}" ConnectionStrings__lake="$2" StreamWriter__Topic="$3" StreamWriter__GroupId="$4" \
    "${5:-$published/StreamWriter/StreamWriter}"
  until grep -qs "StreamWriterWorker\[1\]" "$1"; do sleep 0.02; done  # -s: the log may not exist yet
}
raw_rates=() writer_rates=() baseline_rates=() keyed_rates=() round_lakes=()
rate() { grep -oE '= [0-9,]+ events/s' | head -1 | tr -dc '0-9'; }
raw_round() {
  echo "## round $round: raw consume (ceiling)"
  out=$($bench consume localhost:$kafka_port bench-writer "$events")
  echo "$out"
  raw_rates+=("$(rate <<<"$out")")
}
# writer_round NAME BINARY [TOPIC]: one writer over all the events, into a fresh lake with a consumer group of its own.
writer_round() {
  local name=$1 binary=$2 topic=${3:-bench-writer}
  echo "## round $round: $name, $events events into the lake"
  lake=$(mktemp -d)
  started_ms=$(date +%s%3N)
  start_writer "$logs/$name-$round.log" "$lake" "$topic" "bench-$name-$round" "$binary"
  subscribed_ms=$(date +%s%3N)
  echo "writer process subscribed $((subscribed_ms - started_ms)) ms after launch"
  out=$($bench wait-lake "$lake" "$events" "$subscribed_ms")
  echo "$out"
  last_rate=$(rate <<<"$out")
  kill "${pids[-1]}"
  # Deleted only at the end: ext4 passes over inodes freed in the last minutes when it allocates new ones, and
  # deleting the ~1,600 files of one round right before the next cost the next writer 2.5-3.6 % of its CPU
  # (recently_deleted in perf) — a cost of this script, not of writing a lake.
  round_lakes+=("$lake")
}
ours() { writer_round writer "$published/StreamWriter/StreamWriter"; writer_rates+=("$last_rate"); }
theirs() { writer_round "baseline-$baseline" "$published/baseline/StreamWriter/StreamWriter"; baseline_rates+=("$last_rate"); }
keyed() { writer_round keyed "$published/StreamWriter/StreamWriter" bench-keyed; keyed_rates+=("$last_rate"); keyed_lake=$lake; }
writers() { ours; if [[ -n $baseline ]]; then theirs; fi; if [[ -n $keys ]]; then keyed; fi; }
writers_reversed() { if [[ -n $keys ]]; then keyed; fi; if [[ -n $baseline ]]; then theirs; fi; ours; }
for round in $(seq 1 "$rounds"); do
  echo
  # Which goes first alternates: of two runs back to back on these VMs the second tends to be faster (the same
  # writer build run twice in a row was 2-4 % faster the second time in 3 of 4 rounds).
  if ((round % 2)); then raw_round; writers; else writers_reversed; raw_round; fi
  echo "round $round: writer/raw = $((100 * writer_rates[-1] / raw_rates[-1])) %${baseline:+, writer/baseline = $((100 * writer_rates[-1] / baseline_rates[-1])) %}${keys:+, keyed/writer = $((100 * keyed_rates[-1] / writer_rates[-1])) %}"
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2))}'; }
ratios=()
for i in "${!raw_rates[@]}"; do ratios+=("$((100 * writer_rates[i] / raw_rates[i]))"); done
echo
echo "## throughput, median of $rounds rounds: raw $(median "${raw_rates[@]}") events/s, writer $(median "${writer_rates[@]}") events/s; writer/raw per round: ${ratios[*]} % (median $(median "${ratios[@]}") %)"
if [[ -n $baseline ]]; then
  versus=()
  for i in "${!baseline_rates[@]}"; do versus+=("$((100 * writer_rates[i] / baseline_rates[i]))"); done
  echo "## baseline $baseline: median $(median "${baseline_rates[@]}") events/s; writer/baseline per round: ${versus[*]} % (median $(median "${versus[@]}") %)"
fi
if [[ -n $keys ]]; then
  keyed_ratios=()
  for i in "${!keyed_rates[@]}"; do keyed_ratios+=("$((100 * keyed_rates[i] / writer_rates[i]))"); done
  echo "## idempotency keys on every event: median $(median "${keyed_rates[@]}") events/s vs none $(median "${writer_rates[@]}") events/s; keyed/none per round: ${keyed_ratios[*]} % (median $(median "${keyed_ratios[@]}") %)"
  echo "## what a writer assigned every partition of the last keyed lake loads (window 1 day)"
  $bench keys "$keyed_lake" bench-keyed 1.00:00:00
fi

echo
echo "## freshness: StreamWriter defaults (FlushInterval 1 s)"
start_writer "$logs/writer-fresh.log" "$fresh_lake" bench-fresh bench-fresh
$bench freshness localhost:$kafka_port bench-fresh "$fresh_lake" 1000 "$freshness_seconds"
kill "${pids[-1]}"

echo
echo "## commits one Delta table sustains: 16 partitions committing apart (put-if-absent races for each version)"
commit_lake=$(mktemp -d)
$bench delta-commits "$commit_lake" 16 10
rm -rf "$commit_lake" "$fresh_lake" "${round_lakes[@]}"
