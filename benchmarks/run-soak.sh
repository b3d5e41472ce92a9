#!/usr/bin/env bash
# Soak: one appliance under all five protocols' load plus junk for MINUTES, sampled all along; then a report on the
# trend of its heap, resident memory, descriptors and threads (flat is the goal) and of each load's p99.
#
#   benchmarks/run-soak.sh              30 minutes (plus the first build); report in docs/soak.md
#   MINUTES=3 benchmarks/run-soak.sh    a short one
#
# Loads, each a loop of switchboard-tools runs of WINDOW_S measured seconds (PAUSE_S between), all at once, all on
# 127.0.0.1: ICE (ice-load, cached heartbeats and queries in turn), pulses with rendezvous HTTP registrations
# (pulse-load registers REGISTER new clients per window, which expire after the pulse deadlines), metaverse
# (metaverse-load: new temporary domains with key uploads, then heartbeat PUTs; TEMP_DOMAIN_TTL_S removes them),
# PeerJS relays (peerjs-load) and dop sessions (dop-load, relays and resumes in turn), with fresh ids every window;
# junk (junk-load: malformed datagrams of random lengths to both UDP ports, malformed HTTP to every HTTP port,
# WebSockets sending one malformed frame to the PeerJS and dop paths) at JUNK_RATE per second.
# Sampled every SAMPLE_S by soak-sample: RSS, threads and descriptors from /proc, the heap after each GC from the
# appliance's GC log and, every FULL_GC_S, its live heap after a full GC that jcmd asks for.
# soak-report writes REPORT: trends over the samples after SETTLE_S (default a fifth of the run, at most 5 minutes)
# and each load's p99 per window; the verdict also goes to stdout. Every loop stops by itself at the end.
# The raw files (samples.csv, results/, the appliance's stdout, stderr and GC log) are kept in RAW_DIR.
# Knobs: MINUTES (30) SAMPLE_S (5) WINDOW_S (20) PAUSE_S (5) FULL_GC_S (60) JUNK_RATE (50) REGISTER (200)
#   TEMP_DOMAIN_TTL_S (120) HEAP (512m) SEED (random, printed) SETTLE_S REPORT (docs/soak.md) RAW_DIR (target/soak)
#   SKIP_BUILD (unset: build first; set: use the jars as they are when both exist).
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${MINUTES:-30}
SAMPLE_S=${SAMPLE_S:-5}
WINDOW_S=${WINDOW_S:-20}
PAUSE_S=${PAUSE_S:-5}
FULL_GC_S=${FULL_GC_S:-60}
JUNK_RATE=${JUNK_RATE:-50}
REGISTER=${REGISTER:-200}
TEMP_DOMAIN_TTL_S=${TEMP_DOMAIN_TTL_S:-120}
HEAP=${HEAP:-512m}
SEED=${SEED:-$RANDOM$RANDOM}
SETTLE_S=${SETTLE_S:-$(( MINUTES * 60 / 5 < 300 ? MINUTES * 60 / 5 : 300 ))}
REPORT=${REPORT:-docs/soak.md}
RAW_DIR=${RAW_DIR:-target/soak}
command_line="MINUTES=$MINUTES SAMPLE_S=$SAMPLE_S WINDOW_S=$WINDOW_S PAUSE_S=$PAUSE_S FULL_GC_S=$FULL_GC_S"
command_line+=" JUNK_RATE=$JUNK_RATE REGISTER=$REGISTER HEAP=$HEAP SEED=$SEED benchmarks/run-soak.sh"

if [ -z "${SKIP_BUILD:-}" ] || [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]
then
  mvn -B -q -ntp package -DskipTests -pl http-edge,tools -am
fi
# The generators' own JVMs stay small: one GC thread, a small heap.
TOOLS=(java -XX:+UseSerialGC -Xmx256m -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
pids=()
sb_pid=
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  [ -n "$sb_pid" ] && kill "$sb_pid" 2> /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
await_line() { # file pattern
  for _ in $(seq 1 600); do grep -q "$2" "$1" 2> /dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

# The ICE domains' key and their --domain-key lines.
"${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:0 --setup-dir="$work/ice" --sockets=16 > /dev/null
any_ports=$(java -jar http-edge/target/switchboard.jar --help | grep -o -- '--[a-z-]*-port=' | sed 's/$/0/' | sort -u)
# shellcheck disable=SC2086
java -Xmx"$HEAP" -Xlog:gc:file="$work/gc.log"::filecount=0 -jar http-edge/target/switchboard.jar $any_ports \
  --bind-address=127.0.0.1 --data-dir="$work/data" --config="$work/ice/switchboard.conf" \
  --ice-query-rate=1000000 --ice-query-burst=1000000 --max-connections-per-host=1000000 --peerjs-max-ids-per-host=1000000 \
  --rendezvous-register-rate=1000000 --rendezvous-register-burst=1000000 --pulse-max-clients=200000 \
  --temp-domain-rate=1000000 --temp-domain-burst=1000000 --temp-domain-ttl="$TEMP_DOMAIN_TTL_S" \
  > "$work/sb.out" 2> "$work/sb.err" &
sb_pid=$!
await_line "$work/sb.out" "switchboard ready"
port() { sed -n "s/.* $1=[a-z]*:\([0-9]*\).*/\1/p" "$work/sb.out"; }
ice=127.0.0.1:$(port ice) pulse=127.0.0.1:$(port pulse) rendezvous=127.0.0.1:$(port rendezvous)
metaverse=127.0.0.1:$(port metaverse) peerjs=127.0.0.1:$(port peerjs) admin=127.0.0.1:$(port admin)
echo "soak: $command_line; appliance pid $sb_pid, $(head -1 "$work/sb.out")"

started=$(date +%s)
end=$(( started + MINUTES * 60 ))
mkdir -p "$work/results"
# window NAME COMMAND...: one run of a load tool, its result line stamped with the seconds since the start (and
# with the tool's exit code when it failed).
window() {
  local name=$1; shift
  local rc=0
  "$@" > "$work/results/$name.last" 2>> "$work/results/$name.err" || rc=$?
  echo "t_s=$(( $(date +%s) - started )) $(tail -1 "$work/results/$name.last")$([ $rc = 0 ] || echo " exit=$rc")" \
    >> "$work/results/$name.results"
}
# loop NAME: windows of load NAME until the end leaves no room for another.
loop() {
  local name=$1 i=0
  while [ $(( $(date +%s) + WINDOW_S + 5 )) -lt "$end" ]; do
    i=$(( i + 1 ))
    "load_$name" "$i"
    sleep "$PAUSE_S"
  done
}
timing=(--warmup-s=1 --duration-s="$WINDOW_S")
load_ice() {
  if [ $(( $1 % 2 )) = 1 ]; then s=cached; else s=query; fi
  window "ice-$s" "${TOOLS[@]}" ice-load --setup-dir="$work/ice" --target="$ice" --sockets=16 --scenario=$s \
    --label="ice-$s" "${timing[@]}"
}
load_pulse() {
  window pulse "${TOOLS[@]}" pulse-load --http="$rendezvous" --target="$pulse" --sockets=16 --register="$REGISTER" \
    --register-connections=2 --label=pulse "${timing[@]}"
}
load_metaverse() {
  window metaverse "${TOOLS[@]}" metaverse-load --target="$metaverse" --domains=50 --connections=2 "${timing[@]}"
}
load_peerjs() {
  window peerjs "${TOOLS[@]}" peerjs-load --target="$peerjs" --scenario=relay --pairs=20 --window=2 \
    --id-prefix="soak$1" "${timing[@]}"
}
load_dop() {
  if [ $(( $1 % 2 )) = 1 ]; then
    window dop-relay "${TOOLS[@]}" dop-load --target="$peerjs" --scenario=relay --pairs=10 --window=2 \
      --id-prefix="soak-relay$1" "${timing[@]}"
  else
    window dop-resume "${TOOLS[@]}" dop-load --target="$peerjs" --scenario=resume --sessions=10 \
      --id-prefix="soak-resume$1" "${timing[@]}"
  fi
}
load_junk() {
  window junk "${TOOLS[@]}" junk-load --udp="$ice" --udp="$pulse" --http="$rendezvous" --http="$metaverse" \
    --http="$peerjs" --http="$admin" --ws="$peerjs/peerjs?key=peerjs&token=junk" --ws="$peerjs/dop?key=peerjs" \
    --rate="$JUNK_RATE" --duration-s="$WINDOW_S" --seed=$(( SEED + $1 ))
}

"${TOOLS[@]}" soak-sample --pid="$sb_pid" --interval-s="$SAMPLE_S" --duration-s=$(( MINUTES * 60 )) \
  --gc-log="$work/gc.log" --full-gc-every-s="$FULL_GC_S" > "$work/samples.csv" &
pids+=($!)
for load in ice pulse metaverse peerjs dop junk; do
  loop "$load" &
  pids+=($!)
done
wait "${pids[@]}" || true

health=$(curl -s -o /dev/null -w '%{http_code}' "http://$admin/healthz" || echo none)
kill "$sb_pid"
stop_code=0
wait "$sb_pid" || stop_code=$?
sb_pid=
windows=$(cat "$work"/results/*.results | grep -c . || true)
failed_windows=$(cat "$work"/results/*.results | grep -c ' exit=' || true)
# The appliance's warnings and errors by message, numbers and ids blanked, most frequent first.
warnings=$(grep -E ' (WARN|ERROR) ' "$work/sb.err" | sed -E 's/^[^ ]+ \[[^]]*\] //; s/[0-9a-f-]{8,}|[0-9]+/N/g' |
  sort | uniq -c | sort -rn | head -5 | awk '{$1 = $1 "x"; print}' | paste -sd ';' - || true)
mkdir -p "$(dirname "$REPORT")"
"${TOOLS[@]}" soak-report --samples="$work/samples.csv" --results="$work/results" --settle-s="$SETTLE_S" \
  --out="$REPORT" --title="Soak: $MINUTES minutes of all five protocols plus junk" \
  --note="Command: \`$command_line\` (knobs in the script's header)" \
  --note="Run: $(date -u -d "@$started" '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - started )) s; machine: $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)" \
  --note="Appliance: -Xmx$HEAP; at the end /healthz answered $health, SIGTERM ended it with exit code $stop_code; lines on its stderr: $(grep -c . "$work/sb.err" || true) (warnings and errors: $(grep -cE 'WARN|ERROR|Exception' "$work/sb.err" || true)); load windows: $windows, of which $failed_windows ended with a failure exit code (as \`exit=N\` in the raw results)" \
  --note="Its most frequent warnings and errors: ${warnings:-none}" \
  --note="Samples every $SAMPLE_S s, a full GC every $FULL_GC_S s; load windows of $WINDOW_S s with $PAUSE_S s between"
rm -rf "$RAW_DIR" && mkdir -p "$RAW_DIR" && cp -r "$work/samples.csv" "$work/results" "$work/sb.out" "$work/sb.err" \
  "$work/gc.log" "$RAW_DIR/"
echo "soak: report in $REPORT, raw files in $RAW_DIR"
