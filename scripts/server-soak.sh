#!/usr/bin/env bash
# The long whole-server kill -9 loop: `agentledger serve` runs in a child JVM under a mixed load
# (gRPC appends, agent registration and join, delegation, token exchange and consumption,
# revocations), is SIGKILLed at a random moment and restarted on the same data directory; after
# each restart nothing acknowledged may be lost, every checkpoint ever returned must be consistent
# with the latest, consumed tokens must stay consumed and revocations keep their sequence.
# Usage: scripts/server-soak.sh [KILLS]   (default 100; each kill costs one restart of the server, up to 2 s of load and the checks:
# about 10 s on a quiet 2-core machine, up to 30 s on a busy one; the test fork is allowed 2 minutes per kill)
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-100}"
echo "server soak: $kills kills..." >&2
# Only the plain test execution: the fuzz execution would run the same -Dtest class a second time.
./mvnw -q -B -ntp -pl server -am test-compile surefire:test@default-test \
    -Dtest=ServerSoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dagentledger.soak.kills="$kills" \
    -Dtest.fork.timeout=$((kills * 120 + 600))
echo "server soak: $kills kills passed (figures on the \"server soak:\" line above)." >&2
