#!/usr/bin/env bash
# Heartbeat PUTs against the metaverse domain API: 1000 temporary domains, wrk rotating a stock domain-server
# heartbeat body over them (benchmarks/metaverse/heartbeat.lua), appliance CPU read from /proc.
#   benchmarks/run-metaverse.sh        (DURATION_S=20 CONNECTIONS=16 WARMUP_S=10 by default; installs wrk from Debian
#                                       if missing; the warm-up run lets the JIT compile the path and is not reported)
#   BASELINE_JAR=old/switchboard.jar ROUNDS=3 benchmarks/run-metaverse.sh
#                                      alternates rounds of the built jar and BASELINE_JAR (e.g. the previous commit's,
#                                      built in a clone) and prints the median ratios built/baseline of requests/s and
#                                      of server CPU per request
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION_S=${DURATION_S:-20}
CONNECTIONS=${CONNECTIONS:-16}
WARMUP_S=${WARMUP_S:-10}
ROUNDS=${ROUNDS:-1}
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
[ -f http-edge/target/switchboard.jar ] || mvn -B -q -ntp package -DskipTests
work=$(mktemp -d)
sb_pid=
cleanup() { [ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cp benchmarks/metaverse/heartbeat.lua "$work/"

# measure JAR LABEL: a fresh appliance from JAR, 1000 domains, warm-up, then the measured wrk run; appends
# "LABEL requests_per_s cpu_us_per_request" to $work/results.txt.
measure()
{
  local jar=$1 label=$2 ports port before after requests
  rm -rf "$work/data"
  ports=$(java -jar "$jar" --help | sed -n 's/^ *--\([a-z-]*-port\)=.*/--\1=0/p' | tr '\n' ' ')
  # shellcheck disable=SC2086
  java -jar "$jar" $ports --bind-address=127.0.0.1 --data-dir="$work/data" \
    --temp-domain-rate=100000 --temp-domain-burst=100000 > "$work/sb.out" 2> "$work/sb.err" &
  sb_pid=$!
  for _ in $(seq 1 300); do grep -q 'switchboard ready' "$work/sb.out" && break; sleep 0.1; done
  port=$(sed -n 's/.*metaverse=http:\([0-9]*\).*/\1/p' "$work/sb.out")
  for _ in $(seq 1 1000); do curl -s -XPOST "http://127.0.0.1:$port/api/v1/domains/temporary"; echo; done |
    python3 -c 'import sys, json
for line in sys.stdin:
    d = json.loads(line)["data"]["domain"]; print(d["id"], d["api_key"])' > "$work/domains.txt"
  [ "$WARMUP_S" -gt 0 ] && (cd "$work" && wrk -t2 -c"$CONNECTIONS" -d"${WARMUP_S}s" -s heartbeat.lua "http://127.0.0.1:$port" > /dev/null)
  before=$(awk '{print $14 + $15}' "/proc/$sb_pid/stat")
  (cd "$work" && wrk -t2 -c"$CONNECTIONS" -d"${DURATION_S}s" --latency -s heartbeat.lua "http://127.0.0.1:$port") | tee "$work/wrk.txt"
  after=$(awk '{print $14 + $15}' "/proc/$sb_pid/stat")
  requests=$(awk '/requests in/{print $1}' "$work/wrk.txt")
  echo "$label $(awk '/Requests\/sec/{print $2}' "$work/wrk.txt") $(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))" \
    >> "$work/results.txt"
  echo "metaverse heartbeat PUT ($label): server_cpu_us_per_request=$(( (after - before) * 1000000 / $(getconf CLK_TCK) / requests ))"
  kill "$sb_pid"; wait "$sb_pid" 2>/dev/null || true; sb_pid=
}

: > "$work/results.txt"
for round in $(seq 1 "$ROUNDS"); do
  if [ -n "${BASELINE_JAR:-}" ]; then measure "$BASELINE_JAR" baseline; fi
  measure http-edge/target/switchboard.jar built
done
if [ -n "${BASELINE_JAR:-}" ]; then
  python3 - "$work/results.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
base = [r for r in rows if r[0] == "baseline"]; built = [r for r in rows if r[0] == "built"]
rate = [float(b[1]) / float(a[1]) for a, b in zip(base, built)]
cpu = [float(b[2]) / float(a[2]) for a, b in zip(base, built)]
print("built/baseline per round: requests/s %s; CPU per request %s" % (
    " ".join("%.3f" % r for r in rate), " ".join("%.3f" % c for c in cpu)))
print("median: requests/s %.3f, CPU per request %.3f" % (statistics.median(rate), statistics.median(cpu)))
PY
fi
