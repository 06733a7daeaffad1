#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of every *FuzzTest target for SECONDS each (default 60).
# Jazzer fuzzes one target per JVM, so each target gets its own fork (see the root POM's
# surefire execution "fuzz"). Corpora grow under <module>/.cifuzz-corpus/ (not committed); a
# crashing input is written next to the target's seeds in src/test/resources/.../<Class>Inputs/<method>/
# and fails the run: keep it there as a regression seed once the bug is fixed.
# Prints the inputs tried per target; the whole output is in target/fuzz.log.
set -euo pipefail
seconds="${1:-60}"
cd "$(dirname "$0")/.."
mkdir -p target
status=0
./mvnw -B -ntp -pl merkle,ledger,issuer,verifier-client,server -am test-compile surefire:test@fuzz \
    -Dfuzz.seconds="$seconds" >target/fuzz.log 2>&1 || status=$?
awk '/Running dev\.agentledger\..*FuzzTest/ { target = $NF }
     /^Done [0-9]+ runs in/ { printf "%-60s %12d inputs in %s s\n", target, $2, $5 }
     /== Java Exception|Tests run:.*(Failures: [1-9]|Errors: [1-9])/ { print "FINDING: " $0 }' target/fuzz.log
[ "$status" -eq 0 ] || echo "fuzzing failed (exit $status): see target/fuzz.log" >&2
exit "$status"
