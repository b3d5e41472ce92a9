#!/usr/bin/env bash
# dop on this machine, one appliance: ROUNDS alternating rounds of relays over plain PeerJS sockets and over dop
# sessions, both driven by the same NIO client (peerjs-load, with --dop-path=/dop for dop) with the same pairs,
# window and payload, so the ratio is the server's; then dop resumes with the NIO client (dop-load --client=nio)
# and, for comparison, with the Java connector over the JDK's WebSocket: resumes per second and the
# reconnect-to-resumed latency. Each result line carries the server's CPU per relay or resume, read from /proc.
# Issue #14's targets: dop at most 1.15x the plain path's server CPU per relay (median of the rounds), resume p99
# below 20 ms with the NIO client.
#   benchmarks/run-dop.sh  (ROUNDS=3 PAIRS=50 WINDOW=4 SESSIONS=50 DURATION_S=10 WARMUP_S=3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
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
  --peerjs-concurrent-limit=1000000 --peerjs-max-ids-per-host=1000000 --max-connections-per-host=1000000 > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!; pids+=("$sb_pid")
await_line "$work/sb.out" "switchboard ready"
peerjs_port=$(sed -n 's/.* peerjs=http:\([0-9]*\).*/\1/p' "$work/sb.out")
admin_port=$(sed -n 's/.* admin=http:\([0-9]*\).*/\1/p' "$work/sb.out")
target=--target=127.0.0.1:"$peerjs_port"
timing=(--warmup-s="$WARMUP_S" --duration-s="$DURATION_S" --server-pid="$sb_pid")

field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; } # result-line-file key
relay=(--scenario=relay --pairs="$PAIRS" --window="$WINDOW")
for round in $(seq 1 "$ROUNDS"); do
  "${TOOLS[@]}" peerjs-load "$target" "${relay[@]}" --id-prefix="plain$round" --label=peerjs "${timing[@]}" |
    tee "$work/peerjs-$round.result"
  "${TOOLS[@]}" peerjs-load "$target" "${relay[@]}" --dop-path=/dop --id-prefix="dop$round" --label=dop \
    "${timing[@]}" | tee "$work/dop-relay-$round.result"
  awk -v p="$(field "$work/peerjs-$round.result" server_cpu_us_per_relay)" \
    -v d="$(field "$work/dop-relay-$round.result" server_cpu_us_per_relay)" \
    'BEGIN { printf "%.3f\n", d / p }' >> "$work/ratios"
done
"${TOOLS[@]}" dop-load "$target" --scenario=resume --client=nio --sessions="$SESSIONS" --id-prefix=resume-nio \
  --label=dop-nio "${timing[@]}" | tee "$work/dop-resume-nio.result"
"${TOOLS[@]}" dop-load "$target" --scenario=resume --sessions="$SESSIONS" --id-prefix=resume-jdk \
  --label=dop-jdk "${timing[@]}" | tee "$work/dop-resume-jdk.result"

curl -s "http://127.0.0.1:$admin_port/metrics" | grep -E '^switchboard_dop_(session_events|server_closes|queue_dropped)' || true
sort -g "$work/ratios" | awk '{ r[NR] = $1; line = line (NR > 1 ? " / " : "") $1 } END {
  printf "relay server CPU per relay, dop/peerjs per round (sorted): %s; median %.2f (target <= 1.15)\n", line,
    r[int((NR + 1) / 2)] }'
echo "dop resume p99 with the NIO client: $(field "$work/dop-resume-nio.result" resume_p99_us) us (target < 20000)"
