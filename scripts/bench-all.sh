#!/usr/bin/env bash
# Runs the by-hand benchmarks one after the other (ledger in process, gRPC appends against a
# server, issuer, revocation fan-out against a server, action proxy), one log per benchmark in
# OUT (default /tmp/agentledger-bench). About 12 minutes (the issuer runs 30-s phases: shorter ones
# measure the JIT compiler); run it on an otherwise idle machine.
# Build first: ./mvnw -q -B -ntp -pl bench -am package -DskipTests
# Usage: scripts/bench-all.sh [OUT]   (JAVA=/path/to/java overrides the JDK 21+ it finds)
# SERVER_JAVA_OPTS: more JVM options for every server it starts (e.g. -Xlog:gc:file=/tmp/gc.log, another
# collector); GRPC_LOAD_JAVA_OPTS: for the gRPC load generator.
set -u
cd "$(dirname "$0")/.."
J="${JAVA:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -1)}"; J="${J:-java}"
JAR=bench/target/benchmarks.jar
O="${1:-/tmp/agentledger-bench}"; mkdir -p "$O"
NA=--enable-native-access=ALL-UNNAMED
serve() { # DATA PUB PRIV
  # shellcheck disable=SC2086 # as ./agentledger starts it (-XX:MaxTenuringThreshold=1), then the options given
  $J $NA -XX:MaxTenuringThreshold=1 ${SERVER_JAVA_OPTS:-} -cp $JAR dev.agentledger.server.cli.Main serve --data $1 --public-addr 127.0.0.1:$2 --private-addr 127.0.0.1:$3 > $1.log 2>&1 &
  SPID=$!
  for i in $(seq 1 120); do (echo > /dev/tcp/127.0.0.1/$3) 2>/dev/null && break; sleep 1; done
  sleep 1
}
echo "ledger $(uptime)" > $O/ledger.log
$J $NA -cp $JAR dev.agentledger.bench.LedgerLoad 10 1,16,256 256,4096 >> $O/ledger.log 2>&1
echo "end $(uptime)" >> $O/ledger.log
rm -rf $O/al; serve $O/al 28480 28443
echo "grpc $(uptime)" > $O/grpc.log
$J $NA ${GRPC_LOAD_JAVA_OPTS:-} -cp $JAR dev.agentledger.bench.GrpcLoad $O/al 127.0.0.1:28443 10 1,16,256 2000,5000,10000 $SPID >> $O/grpc.log 2>&1
echo "end $(uptime)" >> $O/grpc.log
kill $SPID; wait $SPID
echo "issuer $(uptime)" > $O/issuer.log
$J $NA -cp $JAR dev.agentledger.bench.IssuerLoad 30 64 - 2000:2500 >> $O/issuer.log 2>&1
echo "end $(uptime)" >> $O/issuer.log
rm -rf $O/fo; serve $O/fo 29480 29443
echo "fanout $(uptime)" > $O/fanout.log
$J -Xmx2g $NA -cp $JAR dev.agentledger.bench.RevocationFanout $O/fo 127.0.0.1:29443 http://127.0.0.1:29480 1000 20 100 grpc $SPID 16 1000 30 >> $O/fanout.log 2>&1
echo "end $(uptime)" >> $O/fanout.log
kill $SPID; wait $SPID
echo "proxy $(uptime)" > $O/proxy.log
rm -rf $O/px $O/px1
$J $NA -XX:MaxTenuringThreshold=1 -cp $JAR dev.agentledger.bench.ProxyLoad 1000 8 $O/px separate >> $O/proxy.log 2>$O/proxy-err.log
echo "proxy, authority in the same process $(uptime)" >> $O/proxy.log
$J $NA -XX:MaxTenuringThreshold=1 -cp $JAR dev.agentledger.bench.ProxyLoad 1000 8 $O/px1 same >> $O/proxy.log 2>>$O/proxy-err.log
echo "end $(uptime)" >> $O/proxy.log
echo "done: logs in $O" >&2
