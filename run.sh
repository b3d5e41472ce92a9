#!/usr/bin/env bash
# Builds switchboard (first run downloads dependencies) and starts it with embedded defaults; state lives in ./data.
# Any option may follow, e.g. ./run.sh --ice-port=0 --admin-port=0
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -ntp -DskipTests package
exec java -jar http-edge/target/switchboard.jar "$@"
