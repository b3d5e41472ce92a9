#!/usr/bin/env bash
# Side-by-side UDP run on this machine: the NIO echo floor with a 32-byte payload, then switchboard's pulses (raw
# 32-byte keys) from sockets whose clients are registered among CLIENTS registered over HTTP, with the same
# closed-loop load generator, each server's CPU read from /proc. Prints both result lines, the ratios, and what the
# registered clients cost in memory.
#   benchmarks/run-pulse.sh  (CLIENTS=1000000 DURATION_S=10 WARMUP_S=3 SOCKETS=64 WINDOW=1 ENGINE_WAIT=blocking by default)
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-1000000}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-3}
SOCKETS=${SOCKETS:-64}
WINDOW=${WINDOW:-1}
ENGINE_WAIT=${ENGINE_WAIT:-blocking}

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
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; } # result-line-file key

payload=$(head -c 32 /dev/zero | od -An -v -tx1 | tr -d ' \n')
load=(--sockets="$SOCKETS" --window="$WINDOW" --duration-s="$DURATION_S" --warmup-s="$WARMUP_S")

"${TOOLS[@]}" echo-server --port=0 > "$work/echo.out" 2> "$work/echo.err" &
echo_pid=$!; pids+=("$echo_pid")
await_line "$work/echo.out" "echo ready"
echo_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$work/echo.out")
"${TOOLS[@]}" udp-load --target=127.0.0.1:"$echo_port" --payload-hex="$payload" --server-pid="$echo_pid" \
  --label=echo-floor "${load[@]}" | tee "$work/echo.result"
kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true

# Every listener on any free port, whatever listeners this build has.
any_ports=$(java -jar http-edge/target/switchboard.jar --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
# shellcheck disable=SC2086
java -jar http-edge/target/switchboard.jar $any_ports --data-dir="$work/data" --bind-address=127.0.0.1 \
  --engine-wait="$ENGINE_WAIT" --pulse-max-clients="$CLIENTS" \
  --rendezvous-register-rate=100000000 --rendezvous-register-burst=100000000 > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!; pids+=("$sb_pid")
await_line "$work/sb.out" "switchboard ready"
pulse_port=$(sed -n 's/.* pulse=udp:\([0-9]*\).*/\1/p' "$work/sb.out")
rendezvous_port=$(sed -n 's/.* rendezvous=http:\([0-9]*\).*/\1/p' "$work/sb.out")
admin_port=$(sed -n 's/.* admin=http:\([0-9]*\).*/\1/p' "$work/sb.out")
rss_empty_kb=$(awk '/VmRSS/{print $2}' /proc/$sb_pid/status)
"${TOOLS[@]}" pulse-load --http=127.0.0.1:"$rendezvous_port" --target=127.0.0.1:"$pulse_port" \
  --register="$CLIENTS" --server-pid="$sb_pid" --label=switchboard-pulse "${load[@]}" \
  | tee "$work/pulse.result"

metrics=$(curl -s "http://127.0.0.1:$admin_port/metrics")
echo "$metrics" | grep -E '^switchboard_(pulse_clients|pulse_replies|pulse_table_bytes|udp_datagrams_dropped|udp_send_failures)' || true
table_bytes=$(echo "$metrics" | sed -n 's/^switchboard_pulse_table_bytes \([0-9]*\)$/\1/p')
rss_kb=$(awk '/VmRSS/{print $2}' /proc/$sb_pid/status)
awk -v ef="$(field "$work/echo.result" replies_per_s)" -v pf="$(field "$work/pulse.result" replies_per_s)" \
    -v ec="$(field "$work/echo.result" server_cpu_us_per_reply)" -v pc="$(field "$work/pulse.result" server_cpu_us_per_reply)" \
    -v clients="$CLIENTS" -v table="$table_bytes" -v rss="$rss_kb" -v rss0="$rss_empty_kb" \
    -v disk="$(du -sk "$work/data" | cut -f1)" 'BEGIN {
  printf "pulse/echo throughput=%.2f (target >= 0.80)  cpu_per_reply pulse/echo=%.2f (target <= 1.30)\n", pf / ef, pc / ec;
  printf "registered=%d table_bytes=%d (%.0f B/client, file and index) rss_growth_kb=%d (%.0f B/client) data_dir_kb=%d\n",
    clients, table, table / clients, rss - rss0, (rss - rss0) * 1024 / clients, disk }'
