#!/usr/bin/env bash
# dop on this machine, one appliance, one run: relay throughput over plain PeerJS sockets (peerjs-load) and over dop
# sessions (dop-load) with the same pairs, window and payload, then dop resumes per second and the
# reconnect-to-resumed latency. Each result line carries the server's CPU per relay or resume, read from /proc.
#   benchmarks/run-dop.sh  (PAIRS=50 WINDOW=4 SESSIONS=50 DURATION_S=10 WARMUP_S=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS=${PAIRS:-50}
WINDOW=${WINDOW:-4}
SESSIONS=${SESSIONS:-50}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-3}

if [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
TOOLS=(java -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

await_line() { # file pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# Every listener on any free port, whatever listeners this build has.
any_ports=$(java -jar http-edge/target/switchboard.jar --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
# shellcheck disable=SC2086
java -jar http-edge/target/switchboard.jar $any_ports --data-dir="$work/data" --bind-address=127.0.0.1 \
  --peerjs-concurrent-limit=1000000 --max-connections-per-host=1000000 > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!; pids+=("$sb_pid")
await_line "$work/sb.out" "switchboard ready"
peerjs_port=$(sed -n 's/.* peerjs=http:\([0-9]*\).*/\1/p' "$work/sb.out")
admin_port=$(sed -n 's/.* admin=http:\([0-9]*\).*/\1/p' "$work/sb.out")
target=--target=127.0.0.1:"$peerjs_port"
timing=(--warmup-s="$WARMUP_S" --duration-s="$DURATION_S" --server-pid="$sb_pid")

"${TOOLS[@]}" peerjs-load "$target" --scenario=relay --pairs="$PAIRS" --window="$WINDOW" --id-prefix=plain \
  --label=peerjs "${timing[@]}" | tee "$work/peerjs.result"
"${TOOLS[@]}" dop-load "$target" --scenario=relay --pairs="$PAIRS" --window="$WINDOW" --id-prefix=relay \
  --label=dop "${timing[@]}" | tee "$work/dop-relay.result"
"${TOOLS[@]}" dop-load "$target" --scenario=resume --sessions="$SESSIONS" --id-prefix=resume \
  --label=dop "${timing[@]}" | tee "$work/dop-resume.result"

curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^switchboard_dop_(session_events|server_closes|queue_dropped)' || true
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; } # result-line-file key
awk -v p="$(field "$work/peerjs.result" relays_per_s)" -v d="$(field "$work/dop-relay.result" relays_per_s)" \
    -v pc="$(field "$work/peerjs.result" server_cpu_us_per_relay)" \
    -v dc="$(field "$work/dop-relay.result" server_cpu_us_per_relay)" 'BEGIN {
  printf "relay dop/peerjs throughput=%.2f server_cpu_per_relay dop/peerjs=%.2f\n", d / p, dc / pc }'
