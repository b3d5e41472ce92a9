#!/usr/bin/env bash
# Side-by-side capacity run of switchboard's PeerJS listener and the reference server peer@1.0.2 (installed here
# from npm with `npm ci`), both driven by the same generator, `switchboard-tools.jar peerjs-load`:
#   relay: PAIRS pairs x WINDOW OFFERs in flight, OFFER/ANSWER ping-pong; relays/s, one-way latency, server CPU/relay
#   idle:  IDLE_CONNECTIONS registered clients heartbeating every 5 s, spread over CLIENT_PROCESSES processes;
#          memory growth per connection. peer@1.0.2: RSS growth. switchboard runs with a fixed, pre-touched heap
#          (SB_HEAP), so its per-connection cost is live-heap growth (after full GCs) plus the growth of the native
#          memory the JVM commits (Native Memory Tracking, after trimming freed malloc memory). Its RSS growth is
#          printed too, but not used: on this VM kdamond (DAMON) reclaims cold pages of running processes, which
#          moves a JVM's RSS by tens of MB either way. A warm-up round of WARMUP_CONNECTIONS idle clients runs
#          against each server before its baseline is taken
# Everything runs on 127.0.0.1 and stops by itself. Usage: compare.sh [idle] [relay]...  (default: idle relay); each
# word runs once against switchboard, then against peer@1.0.2, so "relay relay relay" is three alternating rounds
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../../../../.. && pwd)
PAIRS=${PAIRS:-50}
WINDOW=${WINDOW:-4}
WARMUP_S=${WARMUP_S:-5}
DURATION_S=${DURATION_S:-20}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-19000}
CLIENT_PROCESSES=${CLIENT_PROCESSES:-4}
HOLD_S=${HOLD_S:-40}
SETTLE_S=${SETTLE_S:-15}
WARMUP_CONNECTIONS=${WARMUP_CONNECTIONS:-5000}
SCENARIOS=${*:-idle relay}
SB_HEAP=${SB_HEAP:-1g}
WORK=$(mktemp -d /tmp/peerjs-compare.XXXXXX)
TOOLS="$ROOT/tools/target/switchboard-tools.jar"
APPLIANCE="$ROOT/http-edge/target/switchboard.jar"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

[ -f "$TOOLS" ] && [ -f "$APPLIANCE" ] || (cd "$ROOT" && mvn -B -q -ntp package -DskipTests)
npm ci --no-audit --no-fund >"$WORK/npm-ci.log" 2>&1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
# The JVM's malloc arenas keep what its JIT compiler freed; hand it back before an RSS sample, as the full GC
# before a live-heap sample does for the heap (the JDK's own command; Node has none).
trim_native() { jcmd "$1" System.trim_native_heap >/dev/null; }
native_committed_kib() { # everything the JVM has committed, heap included (fixed here), by its own accounting
  jcmd "$1" VM.native_memory summary | awk '/^Total:/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB", "", $i); print $i; exit}}'
}
live_heap_kib() { # after a full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {sub("K", "", $(i + 1)); print $(i + 1); exit}}'
}

SB_PORT=$(free_port)
java -Xms"$SB_HEAP" -Xmx"$SB_HEAP" -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary -jar "$APPLIANCE" --ice-port=0 --pulse-port=0 --rendezvous-port=0 --metaverse-port=0 --admin-port=0 \
  --bind-address=127.0.0.1 --data-dir="$WORK/data" --peerjs-port="$SB_PORT" --peerjs-concurrent-limit=100000 \
  --max-connections-per-host=1000000 --peerjs-max-ids-per-host=1000000 \
  >"$WORK/switchboard.out" 2>&1 &
SB_PID=$!
PIDS+=("$SB_PID")
PEER_PORT=$(free_port)
node "$HERE/node_modules/peer/dist/bin/peerjs.js" --port "$PEER_PORT" --concurrent_limit 100000 >"$WORK/peer.out" 2>&1 &
PEER_PID=$!
PIDS+=("$PEER_PID")
for _ in $(seq 120); do
  grep -q "switchboard ready" "$WORK/switchboard.out" && grep -q "Started PeerServer" "$WORK/peer.out" && break
  sleep 0.5
done
grep -q "switchboard ready" "$WORK/switchboard.out" || { cat "$WORK/switchboard.out"; exit 1; }
echo "switchboard pid $SB_PID port $SB_PORT; peer@1.0.2 pid $PEER_PID port $PEER_PORT; logs in $WORK"

RELAY_RUNS=0
relay() { # name port pid
  local result
  # A new id prefix on every run: a server may still hold the ids of the last run's clients.
  RELAY_RUNS=$((RELAY_RUNS + 1))
  result=$(java -jar "$TOOLS" peerjs-load --scenario=relay --target="127.0.0.1:$2" --pairs="$PAIRS" --window="$WINDOW" \
    --warmup-s="$WARMUP_S" --duration-s="$DURATION_S" --server-pid="$3" --label="$1" \
    --id-prefix="relay-$1-$RELAY_RUNS")
  echo "$result server_rss_kib=$(rss_kib "$3")"
}

idle() { # name port pid
  local before per=$((IDLE_CONNECTIONS / CLIENT_PROCESSES)) k clients=() heap_before="" native_before=""
  # A warm-up round first, so code compiled and classes loaded for the first connections are not counted as
  # per-connection memory of either server.
  java -Xmx256m -jar "$TOOLS" peerjs-load --scenario=idle --target="127.0.0.1:$2" --connections="$WARMUP_CONNECTIONS" \
    --hold-s=5 --id-prefix="warmup-$1" --label="warmup-$1" >"$WORK/warmup-$1.out" 2>&1
  sleep 10 # lets the compiler finish what the warm-up made hot
  if [ "$1" = switchboard ]; then
    heap_before=$(live_heap_kib "$3"); trim_native "$3"; native_before=$(native_committed_kib "$3")
  fi
  before=$(rss_kib "$3")
  for k in $(seq 1 "$CLIENT_PROCESSES"); do
    java -Xmx256m -jar "$TOOLS" peerjs-load --scenario=idle --target="127.0.0.1:$2" --connections="$per" \
      --hold-s="$HOLD_S" --id-prefix="idle-$1-$k" --label="$1-$k" >"$WORK/idle-$1-$k.out" 2>&1 &
    clients+=("$!")
  done
  for _ in $(seq 300); do
    [ "$(cat "$WORK"/idle-"$1"-*.out 2>/dev/null | grep -c '^holding')" -ge "$CLIENT_PROCESSES" ] && break
    sleep 1
  done
  sleep "$SETTLE_S" # every client connected: heartbeats only, the compiler's work on the ramp done
  local after connected heap_with="" native_with="" extra="" total
  if [ "$1" = switchboard ]; then
    heap_with=$(live_heap_kib "$3"); trim_native "$3"; native_with=$(native_committed_kib "$3")
  fi
  after=$(rss_kib "$3")
  connected=$(cat "$WORK"/idle-"$1"-*.out | awk -F'connected=' '/^holding/ {split($2,a," "); s+=a[1]} END {print s+0}')
  total=$((after - before))
  if [ "$1" = switchboard ]; then
    total=$((native_with - native_before + heap_with - heap_before))
    extra=" live_heap_before_kib=$heap_before live_heap_with_kib=$heap_with"
    extra+=" live_heap_growth_per_connection_b=$(( (heap_with - heap_before) * 1024 / (connected > 0 ? connected : 1) ))"
    extra+=" native_committed_before_kib=$native_before native_committed_with_kib=$native_with"
    extra+=" native_growth_per_connection_b=$(( (native_with - native_before) * 1024 / (connected > 0 ? connected : 1) ))"
  fi
  wait "${clients[@]}" || true
  # memory_per_connection_b: RSS growth for peer@1.0.2; live-heap plus committed native growth for switchboard.
  echo "idle label=$1 connected=$connected rss_before_kib=$before rss_with_kib=$after server_rss_kib=$after" \
    "memory_per_connection_b=$((total * 1024 / (connected > 0 ? connected : 1)))" \
    "rss_growth_per_connection_b=$(( (after - before) * 1024 / (connected > 0 ? connected : 1) ))" \
    "projected_rss_growth_for_1M_gib=$(awk -v g=$((after - before)) -v n="$connected" 'BEGIN {printf "%.1f", g / n * 1e6 / 1048576}')$extra"
}

for scenario in $SCENARIOS; do
  "$scenario" switchboard "$SB_PORT" "$SB_PID"
  "$scenario" peer-1.0.2 "$PEER_PORT" "$PEER_PID"
done
