#!/usr/bin/env bash
# Relay latency on open wss sockets while new TLS handshakes arrive on the same PeerJS port: two appliances from the
# same jar with the same certificate and flags, one shaking hands on its signaling agent (--tls-handshake-threads=0,
# the reference) and one on a handshake thread (the default), each with one signaling agent (the default) that owns
# every socket. Per round and appliance, alternating: a quiet relay run (peerjs-load over wss, PAIRS pairs, WINDOW in
# flight) and the same run while tls-handshake-load begins RATE full handshakes per second (TLS 1.3, no resumption) on
# that port. The figures are the relays' one-way p50/p99/p99.9 and the handshakes done per second; medians over the
# rounds.
# Writes docs/benchmarks-tls-burst.md.
#   benchmarks/run-tls-burst.sh  (ROUNDS=3 PAIRS=20 WINDOW=1 RATE=200 HANDSHAKE_THREADS=16 DURATION_S=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
PAIRS=${PAIRS:-20}
WINDOW=${WINDOW:-1}
RATE=${RATE:-200}
HANDSHAKE_THREADS=${HANDSHAKE_THREADS:-16}
DURATION_S=${DURATION_S:-10}
WARMUP_S=${WARMUP_S:-3}
SB_HEAP=${SB_HEAP:-512m}
OUT=${OUT:-docs/benchmarks-tls-burst.md}

if [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
TOOLS=(java -Xmx512m -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

await_line() { # file pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1"; } # result-line-file key
median() { grep . | sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'; }

load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

any_ports=$(java -jar http-edge/target/switchboard.jar --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
start() { # name extra-flags...
  local name=$1; shift
  # shellcheck disable=SC2086
  java -Xms"$SB_HEAP" -Xmx"$SB_HEAP" -jar http-edge/target/switchboard.jar $any_ports --data-dir="$work/data-$name" \
    --bind-address=127.0.0.1 --tls-cert="$work/cert.pem" --tls-key="$work/key.pem" \
    --peerjs-concurrent-limit=1000000 --peerjs-max-ids-per-host=1000000 --max-connections-per-host=1000000 \
    --tls-max-handshakes-per-host=1000 "$@" > "$work/$name.out" 2> "$work/$name.err" &
  pids+=("$!")
}
start agent --tls-handshake-threads=0
start pool
await_line "$work/agent.out" "switchboard ready"
await_line "$work/pool.out" "switchboard ready"
port() { sed -n 's/.* peerjs=https:\([0-9]*\).*/\1/p' "$work/$1.out"; }

relay() { # name label
  "${TOOLS[@]}" peerjs-load --target=127.0.0.1:"$(port "$1")" --tls=true --ca="$work/cert.pem" --scenario=relay \
    --pairs="$PAIRS" --window="$WINDOW" --warmup-s="$WARMUP_S" --duration-s="$DURATION_S" --id-prefix="$2" \
    --label="$2"
}
burst() { # name label
  "${TOOLS[@]}" tls-handshake-load --target=127.0.0.1:"$(port "$1")" --ca="$work/cert.pem" \
    --threads="$HANDSHAKE_THREADS" --rate-per-s="$RATE" --warmup-s=1 --duration-s="$((WARMUP_S + DURATION_S))" \
    --label="$2" > "$work/$2.handshakes"
}

# One quiet and one burst run against each first, not counted: the compiler's work is not a round's.
for name in agent pool; do
  relay "$name" "warm-$name" > /dev/null || true
  burst "$name" "warm-burst-$name" & shaker=$!
  relay "$name" "warm-burst-relay-$name" > /dev/null || true
  wait "$shaker"
done
for round in $(seq 1 "$ROUNDS"); do
  for name in agent pool; do
    # A run whose clients could not all open (a box too loaded to shake hands within the parse timeout) is an
    # empty cell, not the end of the benchmark.
    relay "$name" "r$round-quiet-$name" | tee "$work/$name-quiet-$round.result" || true
    burst "$name" "r$round-burst-$name" & shaker=$!
    relay "$name" "r$round-relay-$name" | tee "$work/$name-burst-$round.result" || true
    wait "$shaker"
    cat "$work/r$round-burst-$name.handshakes"
    field "$work/r$round-burst-$name.handshakes" rate_per_s >> "$work/$name-rate"
    field "$work/$name-quiet-$round.result" p99_us >> "$work/$name-quiet-p99"
    field "$work/$name-burst-$round.result" p99_us >> "$work/$name-burst-p99"
    field "$work/$name-quiet-$round.result" p50_us >> "$work/$name-quiet-p50"
    field "$work/$name-burst-$round.result" p50_us >> "$work/$name-burst-p50"
    field "$work/$name-quiet-$round.result" p999_us >> "$work/$name-quiet-p999"
    field "$work/$name-burst-$round.result" p999_us >> "$work/$name-burst-p999"
  done
done

{
  echo "# Relays during a handshake burst (benchmarks/run-tls-burst.sh)"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, $(java -version 2>&1 | head -1);"
  echo "ROUNDS=$ROUNDS PAIRS=$PAIRS WINDOW=$WINDOW RATE=$RATE HANDSHAKE_THREADS=$HANDSHAKE_THREADS DURATION_S=$DURATION_S;"
  echo "load average at the start (1, 5, 15 min): $load_at_start."
  echo "Two appliances from the same jar (EC P-256 certificate, TLS 1.3 on the PeerJS port, one signaling agent):"
  echo "\`agent\` shakes hands on the signaling agent (\`--tls-handshake-threads=0\`), \`pool\` on one handshake thread"
  echo "(the default). Each round runs both, alternating; a burst run begins $RATE full handshakes/s on the same port."
  echo
  echo "| round | appliance | quiet p50 us | quiet p99 us | quiet p99.9 us | burst p50 us | burst p99 us | burst p99.9 us | handshakes/s done |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for round in $(seq 1 "$ROUNDS"); do
    for name in agent pool; do
      echo "| $round | $name | $(field "$work/$name-quiet-$round.result" p50_us) | $(field "$work/$name-quiet-$round.result" p99_us)" \
        "| $(field "$work/$name-quiet-$round.result" p999_us)" \
        "| $(field "$work/$name-burst-$round.result" p50_us) | $(field "$work/$name-burst-$round.result" p99_us)" \
        "| $(field "$work/$name-burst-$round.result" p999_us)" \
        "| $(field "$work/r$round-burst-$name.handshakes" rate_per_s) |"
    done
  done
  echo
  for name in agent pool; do
    echo "Median over the rounds, \`$name\`: quiet p99 $(median < "$work/$name-quiet-p99") us, p99.9" \
      "$(median < "$work/$name-quiet-p999") us; burst p50 $(median < "$work/$name-burst-p50") us, p99" \
      "$(median < "$work/$name-burst-p99") us, p99.9 $(median < "$work/$name-burst-p999") us," \
      "$(median < "$work/$name-rate") handshakes/s."
    echo
  done
} > "$OUT"
cat "$OUT"
echo "wrote $OUT"
