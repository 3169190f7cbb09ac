#!/usr/bin/env bash
# A look into a Delta table (ours, or any other engine's):
#   bash scripts/lake.sh inspect PATH [--version N]
# prints {"version", "protocol": {"min_reader_version", "min_writer_version"}, "files", "rows", "columns"} for the
# table's latest snapshot (or version N), rows counted from the snapshot's data files. A table it cannot read
# correctly (not a Delta table, a missing version, an unsupported protocol) → exit code 1 and one line on stderr.
# PATH: the table's folder, e.g. lake/sword_purchases, or a WebHDFS URL (webhdfs://localhost:9870/lake/sword_purchases?user=root).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/GamePipeline.LakeTool"
if ! build=$(dotnet build "$project" -c Debug -v q --nologo 2>&1); then
  echo "$build" >&2
  exit 3
fi
exec dotnet "$project/bin/Debug/net10.0/GamePipeline.LakeTool.dll" "$@"
