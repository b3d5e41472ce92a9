#!/usr/bin/env bash
# Side-by-side UDP run on this machine: the NIO echo floor and switchboard's ICE server, both started once, then
# ROUNDS rounds that each load the floor and then every scenario (cached heartbeats, full RSA verification) with the
# same closed-loop generator, each server's CPU read from /proc. Alternating in rounds puts both servers under the
# same background on a shared machine; the last lines give each round's ratios to the floor and their medians.
#   benchmarks/run-udp.sh   (ROUNDS=3 DURATION_S=10 SOCKETS=64 WARMUP_S=3 THREADINGS=shared ENGINE_WAIT=blocking
#                            SCENARIOS="cached full" by default; THREADINGS="shared dedicated" runs one switchboard
#                            per engine threading)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-3}
SOCKETS=${SOCKETS:-64}
ENGINE_WAIT=${ENGINE_WAIT:-blocking}
THREADINGS=${THREADINGS:-shared}
SCENARIOS=${SCENARIOS:-"cached full"}

if [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
TOOLS=(java -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

await_line() { # file pattern
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# A 296-byte payload: the size of a real heartbeat (IPv4 sockets, RSA-2048), so both servers read the same bytes.
payload=$(head -c 296 /dev/zero | od -An -v -tx1 | tr -d ' \n')
load=(--sockets="$SOCKETS" --duration-s="$DURATION_S" --warmup-s="$WARMUP_S")

"${TOOLS[@]}" echo-server --port=0 > "$work/echo.out" 2> "$work/echo.err" &
echo_pid=$!; pids+=("$echo_pid")
await_line "$work/echo.out" "echo ready"
echo_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$work/echo.out")

"${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:7337 --setup-dir="$work/ice" --sockets="$SOCKETS" > /dev/null
ports=$(java -jar http-edge/target/switchboard.jar --help | sed -n 's/^ *--\([a-z-]*-port\)=.*/--\1=0/p' | tr '\n' ' ')
declare -A sb_pid sb_port
for threading in $THREADINGS; do
  # shellcheck disable=SC2086
  java -jar http-edge/target/switchboard.jar --config="$work/ice/switchboard.conf" --data-dir="$work/data-$threading" \
    $ports --bind-address=127.0.0.1 --engine-threading="$threading" --engine-wait="$ENGINE_WAIT" \
    > "$work/sb-$threading.out" 2> "$work/sb-$threading.err" &
  sb_pid[$threading]=$!; pids+=("$!")
  await_line "$work/sb-$threading.out" "switchboard ready"
  sb_port[$threading]=$(sed -n 's/.*ice=udp:\([0-9]*\).*/\1/p' "$work/sb-$threading.out")
done

for round in $(seq 1 "$ROUNDS"); do
  "${TOOLS[@]}" udp-load --target=127.0.0.1:"$echo_port" --payload-hex="$payload" --server-pid="$echo_pid" \
    --label=echo-floor "${load[@]}" | sed "s/^/round=$round /" | tee -a "$work/results"
  for threading in $THREADINGS; do
    label=$threading; [ "$threading" = dedicated ] && label="dedicated-$ENGINE_WAIT"
    for scenario in $SCENARIOS; do
      "${TOOLS[@]}" ice-load --setup-dir="$work/ice" --target=127.0.0.1:"${sb_port[$threading]}" \
        --server-pid="${sb_pid[$threading]}" --scenario="$scenario" --label="switchboard-ice-$scenario-$label" \
        "${load[@]}" | sed "s/^/round=$round /" | tee -a "$work/results"
    done
  done
done

for threading in $THREADINGS; do
  echo "switchboard-$threading rss_kb=$(awk '/VmRSS/{print $2}' "/proc/${sb_pid[$threading]}/status")"
done
# Per round and label: throughput and CPU per reply relative to that round's floor; then the median over rounds.
awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["label"] == "echo-floor") { rate[f["round"]] = f["replies_per_s"]; cpu[f["round"]] = f["server_cpu_us_per_reply"]; next }
    key = f["label"]; n[key]++
    r[key, n[key]] = f["replies_per_s"] / rate[f["round"]]; c[key, n[key]] = f["server_cpu_us_per_reply"] / cpu[f["round"]]
    printf "round=%s %s throughput/floor=%.2f cpu_per_reply/floor=%.2f\n", f["round"], key, r[key, n[key]], c[key, n[key]] }
  function median(a, key, m,   v, i, j, t) {
    for (i = 1; i <= m; i++) v[i] = a[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
  END { for (key in n) printf "median over %d rounds: %s throughput/floor=%.2f cpu_per_reply/floor=%.2f\n",
    n[key], key, median(r, key, n[key]), median(c, key, n[key]) }' "$work/results"
