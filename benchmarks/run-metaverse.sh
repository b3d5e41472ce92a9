#!/usr/bin/env bash
# Heartbeat PUTs against the metaverse domain API: 1000 temporary domains, wrk rotating a stock domain-server
# heartbeat body over them (benchmarks/metaverse/heartbeat.lua), appliance CPU read from /proc.
#   benchmarks/run-metaverse.sh        (DURATION_S=20 CONNECTIONS=16 WARMUP_S=10 by default; installs wrk from Debian
#                                       if missing; the warm-up run lets the JIT compile the path and is not reported)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION_S=${DURATION_S:-20}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP_S=${WARMUP_S:-10}
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
[ -f http-edge/target/switchboard.jar ] || mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
sb_pid=
cleanup() { [ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ports=$(java -jar http-edge/target/switchboard.jar --help | sed -n 's/^ *--\([a-z-]*-port\)=.*/--\1=0/p' | tr '\n' ' ')
# shellcheck disable=SC2086
java -jar http-edge/target/switchboard.jar $ports --bind-address=127.0.0.1 --data-dir="$work/data" \
  --temp-domain-rate=100000 --temp-domain-burst=100000 > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!
for _ in $(seq 1 300); do grep -q 'switchboard ready' "$work/sb.out" && break; sleep 0.1; done
port=$(sed -n 's/.*metaverse=http:\([0-9]*\).*/\1/p' "$work/sb.out")
for _ in $(seq 1 1000); do curl -s -XPOST "http://127.0.0.1:$port/api/v1/domains/temporary"; echo; done |
  python3 -c 'import sys, json
for line in sys.stdin:
    d = json.loads(line)["data"]["domain"]; print(d["id"], d["api_key"])' > "$work/domains.txt"
cp benchmarks/metaverse/heartbeat.lua "$work/"
[ "$WARMUP_S" -gt 0 ] && (cd "$work" && wrk -t2 -c"$CONNECTIONS" -d"${WARMUP_S}s" -s heartbeat.lua "http://127.0.0.1:$port" > /dev/null)
ticks() { awk '{print $14 + $15}' "/proc/$sb_pid/stat"; }
before=$(ticks)
(cd "$work" && wrk -t2 -c"$CONNECTIONS" -d"${DURATION_S}s" --latency -s heartbeat.lua "http://127.0.0.1:$port") | tee "$work/wrk.txt"
after=$(ticks)
requests=$(awk '/requests in/{print $1}' "$work/wrk.txt")
echo "metaverse heartbeat PUT: server_cpu_us_per_request=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))"
