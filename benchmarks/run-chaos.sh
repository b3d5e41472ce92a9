#!/usr/bin/env bash
# The long chaos run: KillNineChaosTest with KILLS kills -9 at random moments under a write load (temporary domains,
# key uploads, heartbeats; rendezvous registrations and pulses), each followed by a restart on the same data dir and
# a read-back of every acknowledged write; the appliance must start again every time. ./test.sh runs a short one
# (5 kills).
#   benchmarks/run-chaos.sh                    50 kills, a new seed (printed; about 5 minutes on 2 cores)
#   SEED=123 KILLS=20 benchmarks/run-chaos.sh  replays seed 123's kill moments (thread timing is not replayed)
# A failed start keeps a copy of the data dir under http-edge/target/chaos-failures/.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${KILLS:-50}
mvn -B -ntp -pl http-edge -am -Dtest=KillNineChaosTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dchaos.kills="$KILLS" ${SEED:+-Dchaos.seed="$SEED"} verify
