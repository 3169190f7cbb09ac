#!/usr/bin/env bash
# How many commits per second one Delta table sustains on the local lake: 1, 4 and 16 appenders (as many Kafka
# partitions committing apart) racing for its versions with put-if-absent, each commit one file and one txn.
# Prints commits/s, attempts per commit (1 = no lost race), commit latency, and checks the versions are contiguous.
# usage: bench/delta/commits.sh [SECONDS=10]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
dotnet build "$root/bench/tools/LakeBench" -c Release -v q --nologo >/dev/null
lake=$(mktemp -d)
trap 'rm -rf "$lake"' EXIT
echo "## one Delta table, local disk, $(nproc) cores, ${seconds}s each"
for writers in 1 4 16; do
  dotnet "$root/bench/tools/LakeBench/bin/Release/net10.0/LakeBench.dll" delta-commits "$lake" "$writers" "$seconds"
done
