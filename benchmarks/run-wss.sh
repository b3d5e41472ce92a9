#!/usr/bin/env bash
# wss beside plain ws on this machine: two appliances from the same jar with the same flags and heap, one with a
# certificate on its PeerJS port (wss) and one without (ws), both driven by the same NIO client (peerjs-load, with
# --tls=true for wss) with the same pairs, window and payload. after a warm-up round against each, ROUNDS alternating rounds (ws, then wss) give relays/s
# and the server's CPU per relay (from /proc), and their wss/ws ratio per round; then, once per appliance, idle memory
# per connection: IDLE_CONNECTIONS registered clients heartbeating, the server's live-heap growth after full GCs plus
# the growth of the native memory its JVM commits (Native Memory Tracking), after a warm-up round. The certificate is
# a throwaway one made here with openssl (EC P-256). Issue #17's targets: CPU per relay over wss at most 1.6x plain
# (median of the rounds); idle bytes per wss connection at most 2x plain. Writes docs/benchmarks-wss.md. The wss
# appliance lifts the TLS handshake budget (the load opens its sockets at once from one host) and adds WSS_FLAGS
# (none by default: TLS 1.3 engines are released after the handshake, --tls-release-engine=true).
#   benchmarks/run-wss.sh  (ROUNDS=3 PAIRS=50 WINDOW=4 DURATION_S=10 WARMUP_S=3 IDLE_CONNECTIONS=8000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PAIRS=${PAIRS:-50}
WINDOW=${WINDOW:-4}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-3}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-8000}
WARMUP_CONNECTIONS=${WARMUP_CONNECTIONS:-2000}
HOLD_S=${HOLD_S:-30}
SETTLE_S=${SETTLE_S:-10}
SB_HEAP=${SB_HEAP:-1g}
OUT=${OUT:-docs/benchmarks-wss.md}
WSS_FLAGS=${WSS_FLAGS:-} # e.g. --tls-release-engine=false, to measure the JDK engine kept

if [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
TOOLS=(java -Xmx512m -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
pids=()
cleanup() { # on failure, the appliances' thread dumps and logs stay in $work (named on stderr)
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    for p in "${pids[@]}"; do jstack "$p" > "$work/jstack-$p.txt" 2>&1 || true; done
    for name in ws wss; do
      admin=$(sed -n 's/.* admin=http:\([0-9]*\).*/\1/p' "$work/$name.out" 2>/dev/null)
      [ -n "$admin" ] && curl -s "http://127.0.0.1:$admin/metrics" > "$work/$name.metrics" 2>&1 || true
    done
    echo "run-wss.sh failed (exit $rc): logs, results and thread dumps kept in $work" >&2
  fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ "$rc" -eq 0 ]; then rm -rf "$work"; fi
}
trap cleanup EXIT

await_line() { # file pattern [seconds, 60 by default]
  for _ in $(seq 1 $(( ${3:-60} * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; } # result-line-file key
trim_native() { jcmd "$1" System.trim_native_heap >/dev/null; }
native_committed_kib() {
  jcmd "$1" VM.native_memory summary | awk '/^Total:/ {for (i = 1; i <= NF; i++) if ($i ~ /^committed=/) {sub("committed=", "", $i); sub("KB", "", $i); print $i; exit}}'
}
live_heap_kib() { # after a full GC
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {sub("K", "", $(i + 1)); print $(i + 1); exit}}'
}

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

any_ports=$(java -jar http-edge/target/switchboard.jar --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
start() { # name extra-flags...
  local name=$1; shift
  # shellcheck disable=SC2086
  java -Xms"$SB_HEAP" -Xmx"$SB_HEAP" -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary \
    -jar http-edge/target/switchboard.jar $any_ports --data-dir="$work/data-$name" --bind-address=127.0.0.1 \
    --peerjs-concurrent-limit=1000000 --peerjs-max-ids-per-host=1000000 --max-connections-per-host=1000000 "$@" \
    > "$work/$name.out" 2> "$work/$name.err" &
  pids+=("$!")
  echo "$!" > "$work/$name.pid"
}
start ws
start wss --tls-cert="$work/cert.pem" --tls-key="$work/key.pem" --tls-max-handshakes=1000000 \
  --tls-max-handshakes-per-host=1000000 $WSS_FLAGS
await_line "$work/ws.out" "switchboard ready"
await_line "$work/wss.out" "switchboard ready"
ws_pid=$(cat "$work/ws.pid"); wss_pid=$(cat "$work/wss.pid")
ws_port=$(sed -n 's/.* peerjs=http:\([0-9]*\).*/\1/p' "$work/ws.out")
wss_port=$(sed -n 's/.* peerjs=https:\([0-9]*\).*/\1/p' "$work/wss.out")
ws_flags=(--target=127.0.0.1:"$ws_port")
wss_flags=(--target=127.0.0.1:"$wss_port" --tls=true --ca="$work/cert.pem")

relay=(--scenario=relay --pairs="$PAIRS" --window="$WINDOW" --warmup-s="$WARMUP_S" --duration-s="$DURATION_S")
# One round against each first, not counted: the compiler's work on the TLS path is not a round's.
"${TOOLS[@]}" peerjs-load "${ws_flags[@]}" "${relay[@]}" --id-prefix=warm --label=ws-warmup > "$work/warm-ws.result"
"${TOOLS[@]}" peerjs-load "${wss_flags[@]}" "${relay[@]}" --id-prefix=warm --label=wss-warmup > "$work/warm-wss.result"
for round in $(seq 1 "$ROUNDS"); do
  "${TOOLS[@]}" peerjs-load "${ws_flags[@]}" "${relay[@]}" --server-pid="$ws_pid" --id-prefix="r$round" --label=ws |
    tee "$work/ws-$round.result"
  "${TOOLS[@]}" peerjs-load "${wss_flags[@]}" "${relay[@]}" --server-pid="$wss_pid" --id-prefix="r$round" --label=wss |
    tee "$work/wss-$round.result"
  awk -v p="$(field "$work/ws-$round.result" server_cpu_us_per_relay)" \
    -v t="$(field "$work/wss-$round.result" server_cpu_us_per_relay)" 'BEGIN { printf "%.3f\n", t / p }' >> "$work/ratios"
done

idle() { # name pid client-flags...
  local name=$1 pid=$2; shift 2
  "${TOOLS[@]}" peerjs-load "$@" --scenario=idle --connections="$WARMUP_CONNECTIONS" --hold-s=3 \
    --id-prefix="warm-$name" --label="warm-$name" > "$work/warm-$name.out" 2>&1
  sleep 5
  local heap_before native_before heap_with native_with connected
  heap_before=$(live_heap_kib "$pid"); trim_native "$pid"; native_before=$(native_committed_kib "$pid")
  "${TOOLS[@]}" peerjs-load "$@" --scenario=idle --connections="$IDLE_CONNECTIONS" --hold-s="$HOLD_S" \
    --max-connecting=100 --id-prefix="idle-$name" --label="idle-$name" > "$work/idle-$name.out" 2>&1 &
  local client=$!
  # Every connection is a handshake: on a busy machine 8,000 take minutes (about 75/s at load 14), not a stall.
  await_line "$work/idle-$name.out" "^holding" $(( 60 + IDLE_CONNECTIONS / 20 ))
  sleep "$SETTLE_S"
  heap_with=$(live_heap_kib "$pid"); trim_native "$pid"; native_with=$(native_committed_kib "$pid")
  connected=$(sed -n 's/^holding .*connected=\([0-9]*\).*/\1/p' "$work/idle-$name.out")
  wait "$client" || true
  echo "idle label=$name connected=$connected" \
    "live_heap_growth_per_connection_b=$(( (heap_with - heap_before) * 1024 / (connected > 0 ? connected : 1) ))" \
    "native_growth_per_connection_b=$(( (native_with - native_before) * 1024 / (connected > 0 ? connected : 1) ))" \
    "memory_per_connection_b=$(( (heap_with - heap_before + native_with - native_before) * 1024 / (connected > 0 ? connected : 1) ))" |
    tee "$work/idle-$name.result"
}
idle ws "$ws_pid" "${ws_flags[@]}"
idle wss "$wss_pid" "${wss_flags[@]}"

ratios=$(sort -g "$work/ratios" | awk '{ r[NR] = $1; line = line (NR > 1 ? " / " : "") $1 } END {
  printf "%s; median %.2f", line, r[int((NR + 1) / 2)] }')
ws_mem=$(field "$work/idle-ws.result" memory_per_connection_b)
wss_mem=$(field "$work/idle-wss.result" memory_per_connection_b)
mem_ratio=$(awk -v a="$wss_mem" -v b="$ws_mem" 'BEGIN { printf "%.2f", a / b }')
echo "server CPU per relay, wss/ws per round (sorted): $ratios (target <= 1.6)"
echo "idle memory per connection: ws $ws_mem B, wss $wss_mem B, ratio $mem_ratio (target <= 2)"

{
  echo "# wss beside ws (benchmarks/run-wss.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(java -version 2>&1 | head -1);"
  echo "ROUNDS=$ROUNDS PAIRS=$PAIRS WINDOW=$WINDOW DURATION_S=$DURATION_S IDLE_CONNECTIONS=$IDLE_CONNECTIONS;"
  echo "load average at the start (1, 5, 15 min): $load_at_start."
  echo "Two appliances from the same jar, one with a certificate (EC P-256, TLS 1.3) on its PeerJS port; the same"
  echo "NIO client drives both, ws and wss alternating; ratios are within a round."
  echo "wss appliance flags beyond the certificate: ${WSS_FLAGS:-none (engines released: --tls-release-engine=true)}."
  echo
  echo "| round | ws relays/s | wss relays/s | ws server CPU us/relay | wss server CPU us/relay | wss/ws CPU |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for round in $(seq 1 "$ROUNDS"); do
    echo "| $round | $(field "$work/ws-$round.result" relays_per_s) | $(field "$work/wss-$round.result" relays_per_s)" \
      "| $(field "$work/ws-$round.result" server_cpu_us_per_relay) | $(field "$work/wss-$round.result" server_cpu_us_per_relay)" \
      "| $(sed -n "${round}p" "$work/ratios") |"
  done
  echo
  echo "Server CPU per relay, wss/ws (sorted): $ratios (target <= 1.6)."
  echo
  echo "| idle connections | ws | wss |"
  echo "| --- | --- | --- |"
  echo "| connected | $(field "$work/idle-ws.result" connected) | $(field "$work/idle-wss.result" connected) |"
  echo "| live heap growth per connection (B) | $(field "$work/idle-ws.result" live_heap_growth_per_connection_b) | $(field "$work/idle-wss.result" live_heap_growth_per_connection_b) |"
  echo "| native growth per connection (B) | $(field "$work/idle-ws.result" native_growth_per_connection_b) | $(field "$work/idle-wss.result" native_growth_per_connection_b) |"
  echo "| memory per connection (B) | $ws_mem | $wss_mem |"
  echo
  echo "Idle memory per connection, wss/ws: $mem_ratio (target <= 2)."
} > "$OUT"
echo "wrote $OUT"
