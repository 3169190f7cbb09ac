#!/usr/bin/env bash
# The seed's Apache Bench scenario: three hosts (users) × three routes, the seed's request counts per loop.
# usage: scripts/ab.sh [LOOPS] [BASE_URL]
#   LOOPS     loops to run (default 1; 0 loops forever, like the seed's `while true`)
#   BASE_URL  the game API (default http://localhost:5000)
# One loop sends 225 requests: user1.comcast.com 10/20/30, user2.att.com 15/25/35, user3.gogov.com 20/30/40
# to /, /purchase_a_sword and /join_the_guild. Prints each ab run and, at the end, what was sent per host and route.
set -euo pipefail
loops=${1:-1}
base=${2:-http://localhost:5000}
base=${base%/}
command -v ab >/dev/null || { echo "ab not found: apt-get install apache2-utils (or run scripts/prerequisites.sh)" >&2; exit 1; }

scenario=(
  "user1.comcast.com / 10" "user1.comcast.com /purchase_a_sword 20" "user1.comcast.com /join_the_guild 30"
  "user2.att.com / 15"     "user2.att.com /purchase_a_sword 25"     "user2.att.com /join_the_guild 35"
  "user3.gogov.com / 20"   "user3.gogov.com /purchase_a_sword 30"   "user3.gogov.com /join_the_guild 40"
)
declare -A sent ok
total_ok=0 total_sent=0 loop=0
while ((loops == 0 || loop < loops)); do
  loop=$((loop + 1))
  for step in "${scenario[@]}"; do
    read -r host path n <<<"$step"
    out=$(ab -q -n "$n" -H "Host: $host" "$base$path" 2>&1) || { echo "$out" >&2; exit 1; }
    complete=$(awk '/^Complete requests:/ {print $3}' <<<"$out")
    failed=$(awk '/^Failed requests:/ {print $3}' <<<"$out")
    non2xx=$(awk '/^Non-2xx responses:/ {print $3}' <<<"$out")
    good=$((complete - failed - ${non2xx:-0}))
    key="$host $path"
    sent[$key]=$((${sent[$key]:-0} + n))
    ok[$key]=$((${ok[$key]:-0} + good))
    total_sent=$((total_sent + n)) total_ok=$((total_ok + good))
    printf 'loop %d  %-18s %-18s sent %3d  2xx %3d\n' "$loop" "$host" "$path" "$n" "$good"
  done
done

echo
echo "sent per host and route ($loop loop(s) to $base):"
for step in "${scenario[@]}"; do
  read -r host path _ <<<"$step"
  printf '  %-18s %-18s sent %6d  2xx %6d\n' "$host" "$path" "${sent[$host $path]}" "${ok[$host $path]}"
done
echo "total: sent $total_sent, 2xx $total_ok"
((total_ok == total_sent))
