#!/usr/bin/env bash
# Installs the system packages the tests and scripts use: kcat (Kafka CLI), Apache Bench and wrk (load),
# Chromium (headless browser tests), and Flask + kafka-python (the seed's API, for side-by-side benchmarks).
# Needs root (or sudo). Does nothing when everything is already there.
set -euo pipefail
packages=(kcat apache2-utils wrk chromium python3-flask python3-kafka)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "prerequisites: all present (${packages[*]})"
  exit 0
fi
echo "prerequisites: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
echo "prerequisites: done"
