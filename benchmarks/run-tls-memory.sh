#!/usr/bin/env bash
# Memory of one idle TLS 1.3 server engine, the JDK's beside Conscrypt's (BoringSSL, native memory counted through the
# process's VmRSS): benchmarks' TlsEngineMemory, once per provider in its own JVM, ROUNDS alternating rounds, over
# the same throwaway EC P-256 certificate (openssl). Prints one result line per run.
#   benchmarks/run-tls-memory.sh  (ROUNDS=2 ENGINES=4000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}
ENGINES=${ENGINES:-4000}
if [ ! -f benchmarks/target/benchmarks.jar ]; then
  mvn -B -q -ntp package -DskipTests
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
openssl pkcs12 -export -in "$work/cert.pem" -inkey "$work/key.pem" -out "$work/server.p12" -passout pass:benchmark
for round in $(seq 1 "$ROUNDS"); do
  for provider in jdk conscrypt; do
    java -Xms512m -Xmx512m -XX:+AlwaysPreTouch -cp benchmarks/target/benchmarks.jar \
      io.switchboard.benchmarks.TlsEngineMemory "$provider" "$ENGINES" "$work/server.p12" benchmark
  done
done
