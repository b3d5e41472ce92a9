#!/usr/bin/env bash
# The side-by-side system benchmark (issue #7): builds switchboard, installs the references (coturn from Debian's
# packages, peer@1.0.2 from npm) and drives switchboard, the NIO echo floor and the references with the same load
# generator of switchboard-tools.jar, all on 127.0.0.1. The servers start once; then ROUNDS alternating rounds load
# them one at a time, each floor right before the scenarios it is the floor of, so every ratio is taken within a
# round (this VM's speed drifts over minutes more than the margins) and the report judges the median over rounds.
# Then writes docs/benchmarks.md (the machine, the date, this command, every figure, the per-round ratios, their
# medians and the targets) and the chart docs/benchmarks.png.
#
#   benchmarks/run-system.sh           the full run: about 18 minutes on the 2-core machine with the build up to
#                                      date (five rounds of 9 UDP scenarios x 13 s and 2 relays x 25 s, about 3
#                                      minutes each; idle memory once, about 2 minutes; measured 682 s for three
#                                      rounds); a first build adds a minute or two
#   QUICK=1 benchmarks/run-system.sh   a smoke run of about 1.5 minutes, one round: checks everything works, figures
#                                      are noise
#
# Scenarios, each with its server's CPU (utime + stime from /proc/PID/stat over the measured interval) and VmRSS:
#   UDP, closed loop, SOCKETS sockets x 1 request in flight; each server scenario has an echo floor of the same size:
#     ICE heartbeat cached (296 B) and first contact (every heartbeat a new one, RSA verified), ICE query (52 B),
#     pulse (32 B raw key, CLIENTS registered), STUN Binding Request to coturn (20 B), echo floors 296/52/32/20 B.
#   PeerJS (http-edge/src/test/node/peerjs-bench/compare.sh): relays, PAIRS pairs x 4 OFFERs in flight, and
#     IDLE_CONNECTIONS idle WebSockets (memory per connection), switchboard vs peer@1.0.2.
# Each round: echo-296, ICE cached, ICE first contact, openssl speed rsa2048 (its verify CPU, the first contact's
#   target: at most 1.5x), echo-52, ICE query, echo-32, pulse, echo-20, coturn; then
#   compare.sh runs idle once and a relay per round (switchboard, then peer@1.0.2). The first round's pulses
#   register CLIENTS clients, later rounds only --sockets new ones.
# Knobs (full / QUICK): ROUNDS (5/1) DURATION_S (10/2) WARMUP_S (3/1) OPENSSL_S (3/1) SOCKETS (64) CLIENTS (100000/1000)
#   RELAY_DURATION_S (20/3) RELAY_WARMUP_S (5/1) PAIRS (50/20) IDLE_CONNECTIONS (19000/1000) CLIENT_PROCESSES (4/2)
#   HOLD_S (40/6) SETTLE_S (15/1) ENGINE_WAIT (blocking) SKIP_BUILD (unset: build) REPORT_DIR (docs).
# Nothing is pinned: every server, and the generator beside it, may run on either core, as a deployment on a
# small machine would (coturn runs two UDP threads; switchboard's engine, with its default shared threading, one).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
if [ -n "${QUICK:-}" ]; then quick=1; else quick=0; fi
pick() { if [ "$quick" = 1 ]; then echo "$2"; else echo "$1"; fi; } # full quick
ROUNDS=${ROUNDS:-$(pick 5 1)}
DURATION_S=${DURATION_S:-$(pick 10 2)}
WARMUP_S=${WARMUP_S:-$(pick 3 1)}
OPENSSL_S=${OPENSSL_S:-$(pick 3 1)}
SOCKETS=${SOCKETS:-64}
CLIENTS=${CLIENTS:-$(pick 100000 1000)}
RELAY_DURATION_S=${RELAY_DURATION_S:-$(pick 20 3)}
RELAY_WARMUP_S=${RELAY_WARMUP_S:-$(pick 5 1)}
PAIRS=${PAIRS:-$(pick 50 20)}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-$(pick 19000 1000)}
CLIENT_PROCESSES=${CLIENT_PROCESSES:-$(pick 4 2)}
HOLD_S=${HOLD_S:-$(pick 40 6)}
SETTLE_S=${SETTLE_S:-$(pick 15 1)}
ENGINE_WAIT=${ENGINE_WAIT:-blocking}
REPORT_DIR=${REPORT_DIR:-docs}
command_line="${QUICK:+QUICK=$QUICK }benchmarks/run-system.sh"
for knob in ROUNDS DURATION_S WARMUP_S OPENSSL_S SOCKETS CLIENTS RELAY_DURATION_S RELAY_WARMUP_S PAIRS IDLE_CONNECTIONS \
    CLIENT_PROCESSES HOLD_S SETTLE_S ENGINE_WAIT; do
  command_line+=" $knob=${!knob}"
done

# Build and references.
[ -n "${SKIP_BUILD:-}" ] || mvn -B -q -ntp package -DskipTests
command -v turnserver > /dev/null || { apt-get update -qq && apt-get install -y -qq coturn > /dev/null; }
TOOLS=(java -jar tools/target/switchboard-tools.jar)
SWITCHBOARD=http-edge/target/switchboard.jar
work=$(mktemp -d /tmp/switchboard-system.XXXXXX)
results="$work/results.txt"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "run-system: logs and results in $work"

await_line() { # file pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
rss_kib() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
hex_zeros() { head -c "$1" /dev/zero | od -An -v -tx1 | tr -d ' \n'; }
record() { # round scenario role pid command...: runs a load tool, appends its result line and the server's RSS
  local round=$1 scenario=$2 role=$3 pid=$4 line
  shift 4
  line=$("$@" --server-pid="$pid")
  echo "scenario=$scenario role=$role round=$round $line server_rss_kib=$(rss_kib "$pid")" | tee -a "$results"
  cut -d' ' -f1 /proc/loadavg >> "$work/load.txt" # how busy the machine was: the report states it
}
load=(--sockets="$SOCKETS" --duration-s="$DURATION_S" --warmup-s="$WARMUP_S")

# The floor: one echo server, the same generator at each request size a server scenario uses.
"${TOOLS[@]}" echo-server --port=0 > "$work/echo.out" 2> "$work/echo.err" &
echo_pid=$!; pids+=("$echo_pid")
await_line "$work/echo.out" "echo ready"
echo_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$work/echo.out")
floor() { # round bytes
  record "$1" "echo-$2" floor "$echo_pid" "${TOOLS[@]}" udp-load --target=127.0.0.1:"$echo_port" \
    --payload-hex="$(hex_zeros "$2")" --label="echo-floor-$2" "${load[@]}"
}

# switchboard: ICE and pulses on one appliance, every listener on a free port. Room for the first round's CLIENTS
# and every round's new pulsing clients; the hour's grace keeps the never-pulsed ones from expiring all at once
# (a mass expiry in the handler) during a later round.
"${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:0 --setup-dir="$work/ice" --sockets="$SOCKETS" > /dev/null
any_ports=$(java -jar "$SWITCHBOARD" --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
# shellcheck disable=SC2086
java -jar "$SWITCHBOARD" $any_ports --config="$work/ice/switchboard.conf" --data-dir="$work/data" \
  --bind-address=127.0.0.1 --engine-wait="$ENGINE_WAIT" --ice-query-rate=1000000 --ice-query-burst=1000000 \
  --pulse-max-clients=$((CLIENTS + SOCKETS * ROUNDS)) --pulse-register-grace-ms=3600000 \
  --rendezvous-register-rate=100000000 --rendezvous-register-burst=100000000 \
  --max-connections-per-host=1000000 --peerjs-max-ids-per-host=1000000 \
  > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!; pids+=("$sb_pid")
await_line "$work/sb.out" "switchboard ready"
ice_port=$(sed -n 's/.* ice=udp:\([0-9]*\).*/\1/p' "$work/sb.out")
pulse_port=$(sed -n 's/.* pulse=udp:\([0-9]*\).*/\1/p' "$work/sb.out")
rendezvous_port=$(sed -n 's/.* rendezvous=http:\([0-9]*\).*/\1/p' "$work/sb.out")
ice=("${TOOLS[@]}" ice-load --setup-dir="$work/ice" --target=127.0.0.1:"$ice_port" "${load[@]}")

# coturn answering Binding Requests only (no TURN allocations, so no auth), on loopback, its default threads.
stun_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/turnserver.conf" <<EOF
listening-ip=127.0.0.1
listening-port=$stun_port
stun-only
no-tls
no-dtls
no-cli
log-file=stdout
simple-log
pidfile=$work/turnserver.pid
userdb=$work/turndb
EOF
turnserver -c "$work/turnserver.conf" > "$work/coturn.out" 2>&1 &
coturn_pid=$!; pids+=("$coturn_pid")
await_line "$work/coturn.out" "Total General servers"
"${TOOLS[@]}" stun-load --target=127.0.0.1:"$stun_port" --sockets=1 --duration-s=1 --warmup-s=0 > /dev/null

for round in $(seq 1 "$ROUNDS"); do
  floor "$round" 296
  record "$round" ice-heartbeat-cached switchboard "$sb_pid" "${ice[@]}" --scenario=cached \
    --label=switchboard-ice-cached
  record "$round" ice-heartbeat-first-contact switchboard "$sb_pid" "${ice[@]}" --scenario=full \
    --label=switchboard-ice-full
  # OpenSSL's RSA-2048 verify on the same machine in the same round: CPU time per verification (its default).
  echo "scenario=openssl-rsa2048-verify role=reference round=$round openssl cpu_us_per_verify=$(openssl speed \
    -seconds "$OPENSSL_S" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { printf "%.2f", 1e6 / $NF }')" | tee -a "$results"
  floor "$round" 52
  record "$round" ice-query switchboard "$sb_pid" "${ice[@]}" --scenario=query --label=switchboard-ice-query
  floor "$round" 32
  # pulse-load registers new clients on every run: the table's CLIENTS once, then only the ones it pulses from.
  if [ "$round" = 1 ]; then register=$CLIENTS; else register=0; fi
  record "$round" pulse switchboard "$sb_pid" "${TOOLS[@]}" pulse-load --http=127.0.0.1:"$rendezvous_port" \
    --target=127.0.0.1:"$pulse_port" --register="$register" --label=switchboard-pulse "${load[@]}"
  floor "$round" 20
  record "$round" stun-binding reference "$coturn_pid" "${TOOLS[@]}" stun-load --target=127.0.0.1:"$stun_port" \
    --label=coturn-binding "${load[@]}"
done
for pid in "$echo_pid" "$sb_pid" "$coturn_pid"; do kill "$pid"; wait "$pid" 2>/dev/null || true; done

# PeerJS, switchboard and peer@1.0.2 side by side (compare.sh installs peer@1.0.2 with npm ci): idle memory once,
# then a relay per round, switchboard then peer@1.0.2 in each.
peerjs_scenarios=(idle)
for _ in $(seq 1 "$ROUNDS"); do peerjs_scenarios+=(relay); done
WARMUP_S=$RELAY_WARMUP_S DURATION_S=$RELAY_DURATION_S PAIRS=$PAIRS IDLE_CONNECTIONS=$IDLE_CONNECTIONS \
  CLIENT_PROCESSES=$CLIENT_PROCESSES HOLD_S=$HOLD_S SETTLE_S=$SETTLE_S \
  http-edge/src/test/node/peerjs-bench/compare.sh "${peerjs_scenarios[@]}" | tee "$work/peerjs.out"
# The n-th relay line of each server is round n.
awk 'function role(line) { return line ~ /label=switchboard / ? "switchboard" : "reference" }
  /^peerjs-load .*label=(switchboard|peer-1\.0\.2) / {
    r = role($0); print "scenario=peerjs-relay role=" r " round=" ++relays[r], $0 }
  /^idle label=(switchboard|peer-1\.0\.2) / { print "scenario=peerjs-idle role=" role($0) " round=1", $0 }' \
  "$work/peerjs.out" >> "$results"

echo "meta coturn=$(dpkg-query -W -f='${Version}' coturn 2>/dev/null || echo unknown) node=$(node --version)" \
  "peer=1.0.2 elapsed_s=$(( $(date +%s) - started ))" \
  "$(sort -g "$work/load.txt" | awk '{ v[NR] = $1 } END { if (NR) printf "load_min=%s load_median=%s load_max=%s load_samples=%d", v[1], v[int((NR + 1) / 2)], v[NR], NR }')" \
  >> "$results"
mkdir -p "$REPORT_DIR"
java -Djava.awt.headless=true -cp benchmarks/target/benchmarks.jar io.switchboard.benchmarks.report.BenchmarkReport \
  --results="$results" --out-dir="$REPORT_DIR" --command="$command_line" --quick="$quick"
