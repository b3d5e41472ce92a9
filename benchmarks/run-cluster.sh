#!/usr/bin/env bash
# The registry on Aeron Cluster, on this machine: durable writes (PUT ice_server_address, each a change committed
# through the registry's log) per second with p50/p99 for the local registry, a 1-node and a 3-node cluster, in
# alternating rounds; failover (kill -9 of the leader to the first write sent after it and committed through a
# survivor) over KILLS kills; idle CPU of each cluster node; PeerJS relays between two clients of one node beside
# relays between clients of two nodes (issue #16: server CPU per relay summed over all three nodes, cross-node at
# most 2x same-node), alternating RELAY_ROUNDS rounds on a fresh 3-node cluster; ICE query latency with querier
# and domain on one node beside querier on node 1 and domain on node 0 (ice_rounds below). Writes
# docs/benchmarks-cluster.md. The relay rounds run closed-loop (each setup at its own saturation of this box), then
# paced (--rate, PACED_ROUNDS alternating rounds at each of RELAY_RATES relays/s), so both setups are also compared at
# one load. ONLY=ice runs the ICE rounds alone and prints their table (docs untouched); ONLY=relays the PeerJS rounds
# alone.
# NODE_FLAGS adds flags to every node (e.g. NODE_FLAGS=--cluster-max-park-us=100); NODE_JVM adds JVM options to every
# node's java (e.g. NODE_JVM=-Dorg.agrona.transport.iteration.threshold=0).
#   benchmarks/run-cluster.sh       (ROUNDS=2 DURATION_S=15 CONNECTIONS=8 DOMAINS=400 KILLS=5 RELAY_ROUNDS=5 PAIRS=50
#                                    RELAY_S=10 PACED_ROUNDS=3 RELAY_RATES="30000 60000" ICE_ROUNDS=3 ICE_SOCKETS=32
#                                    ICE_S=10 by default; installs wrk from Debian if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
DURATION_S=${DURATION_S:-15}
CONNECTIONS=${CONNECTIONS:-8}
DOMAINS=${DOMAINS:-400}
KILLS=${KILLS:-5}
RELAY_ROUNDS=${RELAY_ROUNDS:-5}
PAIRS=${PAIRS:-50}
RELAY_S=${RELAY_S:-10}
PACED_ROUNDS=${PACED_ROUNDS:-3}
RELAY_RATES=${RELAY_RATES:-30000 60000}
ICE_ROUNDS=${ICE_ROUNDS:-3}
ICE_SOCKETS=${ICE_SOCKETS:-32}
ICE_S=${ICE_S:-10}
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
if [ ! -f http-edge/target/switchboard.jar ] || [ ! -f tools/target/switchboard-tools.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
TOOLS=(java -jar tools/target/switchboard-tools.jar)
work=$(mktemp -d)
declare -A pid
writer=
cleanup()
{
  [ -n "$writer" ] && kill "$writer" 2>/dev/null
  for p in "${pid[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
jar=http-edge/target/switchboard.jar
ports=$(java -jar $jar --help | sed -n 's/^ *--\([a-z-]*-port\)=.*/--\1=0/p' | tr '\n' ' ')
base=$((20000 + RANDOM % 10000)) # below the ephemeral range (32768-60999 here): no clash with a port 0 bind
members3="127.0.0.1:$base,127.0.0.1:$((base + 5)),127.0.0.1:$((base + 10))"
members1="127.0.0.1:$((base + 15))"

# start NAME ARGS...: starts a node with every port free-chosen; returns once its ready line is out.
start()
{
  local name=$1; shift
  : > "$work/$name.out"
  # shellcheck disable=SC2086
  java -Xmx512m ${NODE_JVM:-} -jar $jar $ports --bind-address=127.0.0.1 --data-dir="$work/$name" --temp-domain-rate=1000000 \
    --temp-domain-burst=1000000 ${NODE_FLAGS:-} "$@" >> "$work/$name.out" 2>> "$work/$name.err" &
  pid[$name]=$!
  # Not this shell's job: no "Killed" line when a node is killed on purpose.
  disown "${pid[$name]}"
  for _ in $(seq 1 600); do grep -q 'switchboard ready' "$work/$name.out" && return 0; sleep 0.1; done
  echo "node $name printed no ready line" >&2; tail -5 "$work/$name.err" >&2; exit 1
}
port() { sed -n "s/.*$2=https*:\([0-9]*\).*/\1/p" "$work/$1.out" | tail -1; }
stop()
{
  kill "${pid[$1]}" 2>/dev/null || true
  while kill -0 "${pid[$1]}" 2>/dev/null; do sleep 0.1; done
  unset "pid[$1]"
}
role() { curl -s "http://127.0.0.1:$(port "$1" admin)/healthz" | python3 -c 'import sys, json
print(json.load(sys.stdin).get("cluster", {}).get("role", "local"))' 2>/dev/null || echo down; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# --- ICE across nodes (issue 16 item 6, ICE part): its own section, called before the docs are written. ---
# ice_rounds: a fresh 3-node cluster whose nodes know ICE_SOCKETS domains' key; ice-load's query scenario alternates
# ICE_ROUNDS times between "same" (domains heartbeat to node 0, queries to node 0) and "cross" (domains heartbeat to
# node 0, queries to node 1: answered by node 1, introduced to the domain by node 0). Appends to $work/ice.txt.
ice_rounds()
{
  local n round mode ice0 ice1 target
  "${TOOLS[@]}" ice-load --setup-only --target=127.0.0.1:0 --setup-dir="$work/ice" --sockets="$ICE_SOCKETS" > /dev/null
  for n in 0 1 2; do
    start "ice-$n" --cluster-members="$members3" --cluster-node=$n --config="$work/ice/switchboard.conf" \
      --ice-query-rate=1000000 --ice-query-burst=1000000 &
  done
  wait
  for n in 0 1 2; do pid[ice-$n]=$(pgrep -f "data-dir=$work/ice-$n" | head -1); done
  for n in 0 1 2; do
    for _ in $(seq 1 300); do
      up=$(curl -s "http://127.0.0.1:$(port "ice-$n" admin)/metrics" | grep -c '^switchboard_links_peer_up{.*} 1' || true)
      [ "$up" = 2 ] && break; sleep 0.1
    done
  done
  ice0=$(sed -n 's/.* ice=udp:\([0-9]*\).*/\1/p' "$work/ice-0.out" | tail -1)
  ice1=$(sed -n 's/.* ice=udp:\([0-9]*\).*/\1/p' "$work/ice-1.out" | tail -1)
  : > "$work/ice.txt"
  for round in $(seq 1 "$ICE_ROUNDS"); do
    for mode in same cross; do
      target=$ice0; [ "$mode" = cross ] && target=$ice1
      "${TOOLS[@]}" ice-load --scenario=query --setup-dir="$work/ice" --sockets="$ICE_SOCKETS" \
        --target=127.0.0.1:"$target" --domain-target=127.0.0.1:"$ice0" --warmup-s=3 --duration-s="$ICE_S" \
        --label="$mode" | tee -a "$work/ice.txt"
    done
  done
  for n in 0 1 2; do kill -9 "${pid[ice-$n]}" 2>/dev/null || true; unset "pid[ice-$n]"; done
}

# ice_table FILE: the markdown section of ice_rounds' result lines.
ice_table()
{
  python3 - "$1" "$ICE_SOCKETS" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in line.split() if "=" in kv) for line in open(sys.argv[1]) if "p99_us=" in line]
print("\n## ICE queries across nodes\n")
print("ice-load --scenario=query, %s domains heartbeating to node 0, one querier socket each (window 1); same = "
      "queries to node 0, cross = queries to node 1 (answered there from the location node 0 announced; node 0 "
      "sends the domain the querier's PeerInformation). Reply = querier's PeerInformation; introduced = from the "
      "query's send to the domain receiving the querier's PeerInformation. Rounds alternate.\n" % sys.argv[2])
print("| round | same queries/s | cross queries/s | same p99 us | cross p99 us | same introduced p99 us | "
      "cross introduced p99 us |")
print("|---|---|---|---|---|---|---|")
same = [r for r in rows if r["label"] == "same"]; cross = [r for r in rows if r["label"] == "cross"]
for i, (a, b) in enumerate(zip(same, cross), 1):
    print("| %d | %s | %s | %s | %s | %s | %s |" % (i, a["replies_per_s"], b["replies_per_s"], a["p99_us"],
        b["p99_us"], a["introduced_p99_us"], b["introduced_p99_us"]))
med = lambda rs, k: statistics.median(float(r[k]) for r in rs)
print("\nMedian p99: reply same %.1f us, cross %.1f us; introduced same %.1f us, cross %.1f us." % (
    med(same, "p99_us"), med(cross, "p99_us"), med(same, "introduced_p99_us"), med(cross, "introduced_p99_us")))
PY
}

# PeerJS relays on a fresh 3-node cluster: pairs on node 0 alone, then pairs from node 0 to node 1, alternating; the
# server CPU per relay is all three nodes' CPU over the relays.
relay_rounds()
{
  local n round mode b all_pids
  local relay_flags=(--peerjs-concurrent-limit=1000000 --peerjs-max-ids-per-host=1000000 --max-connections-per-host=1000000)
  for n in 0 1 2; do
    start "relay-$n" --cluster-members="$members3" --cluster-node=$n "${relay_flags[@]}" &
  done
  wait
  for n in 0 1 2; do pid[relay-$n]=$(pgrep -f "data-dir=$work/relay-$n" | head -1); done
  for n in 0 1 2; do
    for _ in $(seq 1 300); do
      up=$(curl -s "http://127.0.0.1:$(port "relay-$n" admin)/metrics" | grep -c '^switchboard_links_peer_up{.*} 1' || true)
      [ "$up" = 2 ] && break; sleep 0.1
    done
  done
  all_pids="${pid[relay-0]},${pid[relay-1]},${pid[relay-2]}"
  # relay MODE PREFIX SECONDS [FLAGS...]: one round, same = both clients on node 0, cross = B on node 1.
  relay() {
    local mode=$1 prefix=$2 seconds=$3; shift 3
    b=(); [ "$mode" = cross ] && b=(--target-b=127.0.0.1:"$(port relay-1 peerjs)")
    "${TOOLS[@]}" peerjs-load --target=127.0.0.1:"$(port relay-0 peerjs)" "${b[@]}" --scenario=relay \
      --pairs="$PAIRS" --window=4 --warmup-s=3 --duration-s="$seconds" --id-prefix="$prefix" "$@"
  }
  # One round of each first, not counted: the nodes' compiler work on either path is not a round's (a cold first
  # same-node round read about 15% dearer and made that round's ratio look better than the warm ones).
  for mode in same cross; do relay "$mode" "warm-$mode" 5 --label="warm-$mode" > /dev/null; done
  : > "$work/relays.txt"
  for round in $(seq 1 "$RELAY_ROUNDS"); do
    for mode in same cross; do
      relay "$mode" "$mode$round" "$RELAY_S" --label="$mode" --server-pid="$all_pids" | tee -a "$work/relays.txt"
    done
  done
  # The same pairs paced: both setups at one load, below this box's saturation.
  for round in $(seq 1 "$PACED_ROUNDS"); do
    for rate in $RELAY_RATES; do
      for mode in same cross; do
        relay "$mode" "$mode$round-$rate" "$RELAY_S" --label="$mode" --rate="$rate" --server-pid="$all_pids" |
          tee -a "$work/relays.txt"
      done
    done
  done
  for n in 0 1 2; do kill -9 "${pid[relay-$n]}" 2>/dev/null || true; unset "pid[relay-$n]"; done
}

if [ "${ONLY:-}" = relays ]; then
  relay_rounds
  awk '/relays=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
    if (f["label"] == "same") same = f["server_cpu_us_per_relay"]
    else printf "round at rate %s (0: closed loop) cross/same CPU per relay: %.2f\n", f["rate"],
      f["server_cpu_us_per_relay"] / same }' "$work/relays.txt"
  exit 0
fi
if [ "${ONLY:-}" = ice ]; then
  ice_rounds
  ice_table "$work/ice.txt"
  exit 0
fi
# --- end of the ICE section's definitions ---

# writes NAME LABEL: DOMAINS domains through node NAME, then wrk's durable writes; appends a result line.
writes()
{
  local name=$1 label=$2 mp
  mp=$(port "$name" metaverse)
  for _ in $(seq 1 "$DOMAINS"); do curl -s -XPOST "http://127.0.0.1:$mp/api/v1/domains/temporary"; echo; done |
    python3 -c 'import sys, json
for line in sys.stdin:
    d = json.loads(line)["data"]["domain"]; print(d["id"], d["api_key"])' > "$work/domains.txt"
  cp benchmarks/cluster/ice-address.lua "$work/"
  (cd "$work" && wrk -t2 -c"$CONNECTIONS" -d3s -s ice-address.lua "http://127.0.0.1:$mp" > /dev/null)
  (cd "$work" && wrk -t2 -c"$CONNECTIONS" -d"${DURATION_S}s" --latency -s ice-address.lua "http://127.0.0.1:$mp") \
    > "$work/wrk.txt"
  python3 - "$label" "$(role "$name")" "$work/wrk.txt" >> "$work/writes.txt" <<'PY'
import re, sys
label, role, text = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text); p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
rate = re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)
errors = re.search(r"non-2xx: (\d+)", text).group(1)
print("%s %s %s %.2f %.2f %s" % (label, role, rate, ms(*p50.groups()), ms(*p99.groups()), errors))
PY
  tail -1 "$work/writes.txt"
}

: > "$work/writes.txt"
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round: local"
  start "local-$round"; writes "local-$round" local; stop "local-$round"
  echo "round $round: 1-node cluster"
  start "one-$round" --cluster-members="$members1" --cluster-node=0; writes "one-$round" cluster-1; stop "one-$round"
  echo "round $round: 3-node cluster"
  for n in 0 1 2; do
    start "three-$round-$n" --cluster-members="$members3" --cluster-node=$n &
  done
  wait
  for n in 0 1 2; do pid[three-$round-$n]=$(pgrep -f "data-dir=$work/three-$round-$n" | head -1); done
  writes "three-$round-0" cluster-3
  if [ "$round" -lt "$ROUNDS" ]; then for n in 0 1 2; do stop "three-$round-$n"; done; fi
done

# Idle CPU of the last round's 3 nodes, then failover.
sleep 2
declare -A before
for n in 0 1 2; do before[$n]=$(ticks "${pid[three-$ROUNDS-$n]}"); done
sleep 10
idle=""
for n in 0 1 2; do
  idle="$idle $(( ($(ticks "${pid[three-$ROUNDS-$n]}") - before[$n]) * 1000 / $(getconf CLK_TCK) / 10 ))"
done
echo "idle CPU per node (ms of CPU per s):$idle"

: > "$work/failover.txt"
for kill in $(seq 1 "$KILLS"); do
  leader=
  for _ in $(seq 1 200); do
    for n in 0 1 2; do [ "$(role "three-$ROUNDS-$n")" = leader ] && leader=$n; done
    [ -n "$leader" ] && break; sleep 0.1
  done
  survivor=$(( (leader + 1) % 3 ))
  : > "$work/acks.txt"
  python3 benchmarks/cluster/writer.py "http://127.0.0.1:$(port "three-$ROUNDS-$survivor" metaverse)" \
    "$work/acks.txt" & writer=$!
  sleep 1.5
  killed_ms=$(date +%s%3N)
  kill -9 "${pid[three-$ROUNDS-$leader]}"; unset "pid[three-$ROUNDS-$leader]"
  first=
  for _ in $(seq 1 300); do
    first=$(awk -v k="$killed_ms" '$1 >= k {print $2; exit}' "$work/acks.txt")
    [ -n "$first" ] && break; sleep 0.05
  done
  kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null || true; writer=
  echo "kill $kill: node $leader; first write committed through node $survivor $(( first - killed_ms )) ms later" |
    tee -a "$work/failover.txt"
  start "three-$ROUNDS-$leader" --cluster-members="$members3" --cluster-node="$leader"
done

for n in "${!pid[@]}"; do kill -9 "${pid[$n]}" 2>/dev/null || true; unset "pid[$n]"; done
relay_rounds
ice_rounds

python3 - "$work/writes.txt" "$work/failover.txt" "$idle" "$ROUNDS" "$DURATION_S" "$CONNECTIONS" "$work/relays.txt" \
  > docs/benchmarks-cluster.md <<'PY'
import statistics, sys, datetime, re, os
writes = [line.split() for line in open(sys.argv[1]) if line.strip()]
gaps = [int(re.search(r"(\d+) ms later", line).group(1)) for line in open(sys.argv[2])]
idle = sys.argv[3].split()
print("# Cluster benchmark (`benchmarks/run-cluster.sh`)\n")
print("%s, %s rounds of %s s, %s connections, load %s.\n" % (
    datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), sys.argv[4], sys.argv[5], sys.argv[6],
    os.getloadavg()[0]))
print("| registry | writes/s (median) | p50 ms | p99 ms | rounds (writes/s) | non-2xx |")
print("|---|---|---|---|---|---|")
for label in ("local", "cluster-1", "cluster-3"):
    rows = [w for w in writes if w[0] == label]
    print("| %s | %.0f | %.2f | %.2f | %s | %d |" % (label, statistics.median(float(w[2]) for w in rows),
        statistics.median(float(w[3]) for w in rows), statistics.median(float(w[4]) for w in rows),
        " / ".join("%.0f (%s)" % (float(w[2]), w[1]) for w in rows), sum(int(w[5]) for w in rows)))
print("\nFailover, kill -9 of the leader to the first write committed through a survivor, %d kills: %s ms "
      "(median %d ms, max %d ms).\n" % (len(gaps), ", ".join(map(str, gaps)), statistics.median(gaps), max(gaps)))
print("Idle CPU per node of the 3-node cluster: %s ms of CPU per second." % ", ".join(idle))
relays = [dict(kv.split("=", 1) for kv in line.split() if "=" in kv) for line in open(sys.argv[7]) if "relays=" in line]
if relays:
    print("\n## PeerJS relays across nodes\n")
    print("peerjs-load, %s pairs, window 4; same = both clients of a pair on node 0, cross = A on node 0, B on node 1; "
          "server CPU is all three nodes' CPU per relay; rounds alternate.\n" % relays[0]["pairs"])
    def rounds(rate):
        same = [r for r in relays if r["label"] == "same" and r.get("rate", "0") == rate]
        cross = [r for r in relays if r["label"] == "cross" and r.get("rate", "0") == rate]
        ratios = []
        for i, (a, b) in enumerate(zip(same, cross), 1):
            ratio = float(b["server_cpu_us_per_relay"]) / float(a["server_cpu_us_per_relay"]); ratios.append(ratio)
            print("| %d | %s | %s | %s | %s | %.2f | %s | %s |" % (i, a["relays_per_s"], b["relays_per_s"],
                a["server_cpu_us_per_relay"], b["server_cpu_us_per_relay"], ratio, a["p99_us"], b["p99_us"]))
        return statistics.median(ratios)
    print("Closed loop (each setup as fast as this box allows it):\n")
    print("| round | same relays/s | cross relays/s | same CPU us/relay | cross CPU us/relay | cross/same CPU | "
          "same p99 us | cross p99 us |")
    print("|---|---|---|---|---|---|---|---|")
    medians = ["closed loop %.2f" % rounds("0")]
    for rate in sorted({r["rate"] for r in relays if r.get("rate", "0") != "0"}, key=int):
        print("\nPaced at %s relays/s in all (both setups at one load):\n" % rate)
        print("| round | same relays/s | cross relays/s | same CPU us/relay | cross CPU us/relay | cross/same CPU | "
              "same p99 us | cross p99 us |")
        print("|---|---|---|---|---|---|---|---|")
        medians.append("at %s relays/s %.2f" % (rate, rounds(rate)))
    print("\nCross-node / same-node server CPU per relay, median: %s (target at most 2)." % "; ".join(medians))
PY
ice_table "$work/ice.txt" >> docs/benchmarks-cluster.md
cat docs/benchmarks-cluster.md
