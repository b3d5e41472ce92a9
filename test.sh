#!/usr/bin/env bash
# Runs every test: unit, codec vectors and black-box tests against the real appliance on loopback.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -ntp verify "$@"
