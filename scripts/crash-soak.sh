#!/usr/bin/env bash
# The long kill -9 loop: a child JVM appends from 8 threads, is SIGKILLed at a random moment,
# and the log is reopened and checked (no acknowledged entry lost, every checkpoint ever
# returned consistent with the reopened one). Usage: scripts/crash-soak.sh [KILLS]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-200}"
echo "crash soak: $kills kills (about 2.5 s each)..." >&2
./mvnw -q -B -ntp -pl ledger -am test \
    -Dtest=CrashTest -Dsurefire.failIfNoSpecifiedTests=false -Dagentledger.crash.kills="$kills"
grep -h "Tests run" ledger/target/surefire-reports/dev.agentledger.ledger.CrashTest.txt
echo "crash soak: $kills kills, no acknowledged entry lost, no fork." >&2
