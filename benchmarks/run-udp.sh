#!/usr/bin/env bash
# Side-by-side UDP run on this machine: the NIO echo floor, then switchboard's ICE heartbeats (cached and full RSA),
# with the same closed-loop load generator, each server's CPU read from /proc. Prints one result line per scenario.
#   benchmarks/run-udp.sh   (DURATION_S=10 SOCKETS=64 WARMUP_S=3 THREADINGS=shared ENGINE_WAIT=blocking by default;
#                            THREADINGS="shared dedicated" runs switchboard once per engine threading)
set -euo pipefail
cd "$(dirname "$0")/.."
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
"${TOOLS[@]}" udp-load --target=127.0.0.1:"$echo_port" --payload-hex="$payload" --server-pid="$echo_pid" \
  --label=echo-floor "${load[@]}"
kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true

"${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:7337 --setup-dir="$work/ice" --sockets="$SOCKETS" > /dev/null
ports=$(java -jar http-edge/target/switchboard.jar --help | sed -n 's/^ *--\([a-z-]*-port\)=.*/--\1=0/p' | tr '\n' ' ')
for threading in $THREADINGS; do
  rm -rf "$work/data"
  # shellcheck disable=SC2086
  java -jar http-edge/target/switchboard.jar --config="$work/ice/switchboard.conf" --data-dir="$work/data" \
    $ports --bind-address=127.0.0.1 --engine-threading="$threading" --engine-wait="$ENGINE_WAIT" \
    > "$work/sb.out" 2> "$work/sb.err" &
  sb_pid=$!; pids+=("$sb_pid")
  await_line "$work/sb.out" "switchboard ready"
  ice_port=$(sed -n 's/.*ice=udp:\([0-9]*\).*/\1/p' "$work/sb.out")
  admin_port=$(sed -n 's/.*admin=http:\([0-9]*\).*/\1/p' "$work/sb.out")
  label=$threading; [ "$threading" = dedicated ] && label="dedicated-$ENGINE_WAIT"
  for scenario in $SCENARIOS; do
    "${TOOLS[@]}" ice-load --setup-dir="$work/ice" --target=127.0.0.1:"$ice_port" --server-pid="$sb_pid" \
      --scenario="$scenario" --label="switchboard-ice-$scenario-$label" "${load[@]}"
  done
  curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^switchboard_(ice_verifications|ice_heartbeats|udp_datagrams_dropped|udp_send_failures|engine_batches|engine_events)' || true
  echo "switchboard-$label rss_kb=$(awk '/VmRSS/{print $2}' /proc/$sb_pid/status)"
  kill "$sb_pid"; wait "$sb_pid" 2>/dev/null || true
done
