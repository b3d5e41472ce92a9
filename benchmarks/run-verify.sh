#!/usr/bin/env bash
# What a first-contact ICE heartbeat costs against OpenSSL's RSA-2048 verify, all in one run on this machine:
#   1. openssl speed rsa2048, CPU time per verify (its default divisor) and wall time per verify (-elapsed);
#   2. JMH: one verification by provider (JDK, Amazon Corretto Crypto Provider, Conscrypt) and the handler's whole
#      first-contact heartbeat (decode, RSA, table, ACK sent) with --ice-verify-provider=native and jdk, wall time
#      per operation and bytes allocated per operation;
#   3. the system: switchboard.jar started with each provider and loaded by ice-load --scenario=full (every heartbeat
#      a new one, RSA verified), the server's CPU (utime + stime from /proc) per ACKed heartbeat;
#   4. openssl speed again, so a drift of the machine's speed during the run shows;
#   5. the echo floor: the tools' NIO echo server under the same generator with 296 B datagrams, right before each
#      system run, so the system figure can be read above the datagram I/O every UDP server pays.
# Then prints each figure beside OpenSSL's and the ratios; the target of issue #13 is first-contact CPU per
# heartbeat at most 1.5x OpenSSL's verify, judged on the handler (JMH) and on the system above its echo floor (OpenSSL's
# figure has no datagram I/O in it); the whole-system ratio is printed beside them.
#
#   benchmarks/run-verify.sh                about 3 minutes with the build up to date
#   SECONDS_PER_RUN=10 DURATION_S=10 benchmarks/run-verify.sh   longer, steadier figures
# Knobs: SECONDS_PER_RUN (openssl, 3) DURATION_S (ice-load, 5) WARMUP_S (2) SOCKETS (64) SKIP_BUILD (unset: build).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-3}
DURATION_S=${DURATION_S:-5}
WARMUP_S=${WARMUP_S:-2}
SOCKETS=${SOCKETS:-64}
[ -n "${SKIP_BUILD:-}" ] || mvn -B -q -ntp package -DskipTests
TOOLS=(java -jar tools/target/switchboard-tools.jar)
SWITCHBOARD=http-edge/target/switchboard.jar
work=$(mktemp -d /tmp/switchboard-verify.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
echo "run-verify: logs in $work"

openssl_us() { # extra openssl flags...: microseconds per RSA-2048 verify
  openssl speed "$@" -seconds "$SECONDS_PER_RUN" rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { printf "%.2f", 1e6 / $NF }'
}
echo "openssl $(openssl version | awk '{print $2}'): rsa2048 verify, ${SECONDS_PER_RUN} s each"
ossl_cpu_1=$(openssl_us)
ossl_wall_1=$(openssl_us -elapsed)

java -jar benchmarks/target/benchmarks.jar -f 1 -wi 3 -w 1 -i 5 -r 1 -tu us -prof gc \
  -prof io.switchboard.benchmarks.WorkerCpuProfiler -rf csv -rff "$work/jmh.csv" \
  'SignatureVerifyBenchmark|IceHandlerBenchmark.heartbeatFullVerification' -p verifyProvider=native,jdk \
  > "$work/jmh.out" 2>&1
jmh() { # benchmark param: "wall-µs cpu-µs B/op"
  awk -F, -v bench="$1" -v param="$2" '
    { gsub(/["\r]/, ""); p = $8 $9 }
    $1 == "io.switchboard.benchmarks." bench && p == param { wall = $5 }
    $1 == "io.switchboard.benchmarks." bench ":worker.cpu" && p == param { cpu = $5 }
    $1 == "io.switchboard.benchmarks." bench ":gc.alloc.rate.norm" && p == param { bytes = $5 }
    END { printf "%.2f %.2f %.0f", wall, cpu, bytes }' "$work/jmh.csv"
}

"${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:0 --setup-dir="$work/ice" --sockets="$SOCKETS" > /dev/null
any_ports=$(java -jar "$SWITCHBOARD" --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
system_cpu() { # provider: server CPU µs per ACKed first-contact heartbeat
  local out="$work/sb-$1.out" pid line
  # shellcheck disable=SC2086
  java -jar "$SWITCHBOARD" $any_ports --config="$work/ice/switchboard.conf" --data-dir="$work/data-$1" \
    --bind-address=127.0.0.1 --ice-verify-provider="$1" > "$out" 2> "$work/sb-$1.err" &
  pid=$!; pids+=("$pid")
  for _ in $(seq 1 600); do grep -qs "switchboard ready" "$out" && break; sleep 0.1; done
  line=$("${TOOLS[@]}" ice-load --setup-dir="$work/ice" --target=127.0.0.1:"$(sed -n 's/.* ice=udp:\([0-9]*\).*/\1/p' "$out")" \
    --sockets="$SOCKETS" --duration-s="$DURATION_S" --warmup-s="$WARMUP_S" --scenario=full --label="full-$1" \
    --server-pid="$pid")
  echo "$line" >> "$work/system.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  sed -n 's/.*server_cpu_us_per_reply=\([0-9.]*\).*/\1/p' <<< "$line"
}
# The floor: the tools' NIO echo server under the same generator at the heartbeat's size (296 B), measured right
# before each system run; what a first contact costs above it is what the RSA step and its bookkeeping add.
"${TOOLS[@]}" echo-server --port=0 > "$work/echo.out" 2> "$work/echo.err" &
echo_pid=$!; pids+=("$echo_pid")
for _ in $(seq 1 100); do grep -qs "echo ready" "$work/echo.out" && break; sleep 0.1; done
echo_port=$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$work/echo.out")
zeros_296=$(head -c 296 /dev/zero | od -An -v -tx1 | tr -d ' \n')
floor_cpu() { # label: echo server CPU µs per 296 B datagram echoed
  local line
  line=$("${TOOLS[@]}" udp-load --target=127.0.0.1:"$echo_port" --payload-hex="$zeros_296" \
    --sockets="$SOCKETS" --duration-s="$DURATION_S" --warmup-s="$WARMUP_S" --label="echo-floor-$1" --server-pid="$echo_pid")
  echo "$line" >> "$work/system.txt"
  sed -n 's/.*server_cpu_us_per_reply=\([0-9.]*\).*/\1/p' <<< "$line"
}
floor_native=$(floor_cpu native)
sys_native=$(system_cpu native)
floor_jdk=$(floor_cpu jdk)
sys_jdk=$(system_cpu jdk)
kill "$echo_pid"; wait "$echo_pid" 2>/dev/null || true

ossl_cpu_2=$(openssl_us)
ossl_wall_2=$(openssl_us -elapsed)
ossl_cpu=$(awk -v a="$ossl_cpu_1" -v b="$ossl_cpu_2" 'BEGIN { printf "%.2f", (a + b) / 2 }')
ossl_wall=$(awk -v a="$ossl_wall_1" -v b="$ossl_wall_2" 'BEGIN { printf "%.2f", (a + b) / 2 }')

row() { # label µs bytes openssl-µs
  awk -v l="$1" -v us="$2" -v b="$3" -v o="$4" 'BEGIN { printf "%-58s %9.2f %8s %6.2fx\n", l, us, b, us / o }'
}
echo
echo "OpenSSL verify: CPU ${ossl_cpu_1} / ${ossl_cpu_2} us (mean ${ossl_cpu}), wall ${ossl_wall_1} / ${ossl_wall_2} us (mean ${ossl_wall})"
echo "(CPU figures beside OpenSSL's CPU time, wall figures beside its wall time; wall is what a busy machine distorts)"
printf '%-58s %9s %8s %7s\n' "figure" "us" "B/op" "/openssl"
for provider in jdk accp conscrypt; do
  for bench in sameKey newKey; do
    read -r wall cpu bytes <<< "$(jmh "SignatureVerifyBenchmark.$bench" "$provider")"
    row "JMH verify, $provider, $bench (CPU)" "$cpu" "$bytes" "$ossl_cpu"
    row "JMH verify, $provider, $bench (wall)" "$wall" "$bytes" "$ossl_wall"
  done
done
for provider in native jdk; do
  read -r wall cpu bytes <<< "$(jmh IceHandlerBenchmark.heartbeatFullVerification "$provider")"
  row "JMH handler first-contact heartbeat, $provider (CPU)" "$cpu" "$bytes" "$ossl_cpu"
  row "JMH handler first-contact heartbeat, $provider (wall)" "$wall" "$bytes" "$ossl_wall"
done
row "system first-contact heartbeat, native (server CPU)" "$sys_native" "-" "$ossl_cpu"
row "system first-contact heartbeat, jdk (server CPU)" "$sys_jdk" "-" "$ossl_cpu"
row "echo floor 296 B, before native (server CPU)" "$floor_native" "-" "$ossl_cpu"
row "echo floor 296 B, before jdk (server CPU)" "$floor_jdk" "-" "$ossl_cpu"
above_native=$(awk -v s="$sys_native" -v f="$floor_native" 'BEGIN { printf "%.2f", s - f }')
above_jdk=$(awk -v s="$sys_jdk" -v f="$floor_jdk" 'BEGIN { printf "%.2f", s - f }')
row "system first-contact above the floor, native" "$above_native" "-" "$ossl_cpu"
row "system first-contact above the floor, jdk" "$above_jdk" "-" "$ossl_cpu"
read -r _ handler_cpu _ <<< "$(jmh IceHandlerBenchmark.heartbeatFullVerification native)"
awk -v h="$handler_cpu" -v a="$above_native" -v s="$sys_native" -v o="$ossl_cpu" 'BEGIN {
  printf "\ntarget: first-contact CPU per heartbeat <= 1.5x OpenSSL verify: handler (JMH) %.2fx %s, system above the " \
    "echo floor %.2fx %s (whole system, datagram I/O included: %.2fx)\n",
    h / o, h / o <= 1.5 ? "met" : "missed", a / o, a / o <= 1.5 ? "met" : "missed", s / o }'
