package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.proto.v1.RevocationServiceGrpc;
import dev.agentledger.proto.v1.RevokeRequest;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.WatchRevocationsRequest;
import dev.agentledger.proto.v1.WatchRevocationsResponse;
import dev.agentledger.server.bootstrap.Credentials;
import dev.agentledger.server.client.LedgerClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /observe/metrics} in Prometheus form after a revocation with a gRPC and an SSE subscriber
 * connected, an issuance and a policy decision: every meter of issue 7's list with a plausible value.
 */
class MetricsTest {
    @Test
    void theMetricsHoldTheWritePathIssuanceDecisionsAndTheRevocationFanOut(@TempDir Path dir) throws Exception {
        try (AgentAuthority authority = AgentAuthority.start(dir)) {
            RunningServer server = authority.server;
            Credentials agent = authority.spawn("metered");
            String chain = authority.delegate(AgentAuthority.spiffeId(agent), "\"invoices:read\"");
            assertEquals(200, authority.exchange(agent, chain, "invoices:read", Optional.empty()).statusCode());

            try (LedgerClient watcher = server.operatorClient(); LedgerClient revoker = server.operatorClient()) {
                long from = server.server.revocations().lastSequence();
                Iterator<WatchRevocationsResponse> grpc = RevocationServiceGrpc.newBlockingStub(watcher.channel())
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .watchRevocations(WatchRevocationsRequest.newBuilder().setFromSequence(from).build());
                HttpResponse<InputStream> sse = server.http.send(HttpRequest.newBuilder(
                                URI.create(server.server.publicUrl() + "/api/v1/revocations/events?from=" + from)).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, sse.statusCode());
                // Both subscribers are live once each has had a heartbeat (sent every second).
                while (!grpc.next().hasHeartbeat()) {
                    // replayed events, if any
                }
                try (BufferedReader events = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
                    readUntil(events, "event:heartbeat");
                    String metrics = server.getText("/observe/metrics");
                    assertEquals(1.0, RunningServer.metric(metrics, "agentledger_revocation_subscribers", "transport=\"grpc\""), metrics);
                    assertEquals(1.0, RunningServer.metric(metrics, "agentledger_revocation_subscribers", "transport=\"sse\""), metrics);

                    long sequence = RevocationServiceGrpc.newBlockingStub(revoker.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
                            .revoke(RevokeRequest.newBuilder().setRevocation(Revoked.newBuilder().setTokenId("metered-token")
                                            .setReason(dev.agentledger.proto.v1.RevocationReason.REVOCATION_REASON_KEY_COMPROMISE))
                                    .setRequestId("metrics").build()).getEvent().getSequence();
                    WatchRevocationsResponse event = grpc.next();
                    while (!event.hasEvent()) {
                        event = grpc.next();
                    }
                    assertEquals(sequence, event.getEvent().getSequence());
                    readUntil(events, "event:revocation");
                }
            }
            String metrics = server.getText("/observe/metrics");
            for (String transport : new String[] {"grpc", "sse"}) {
                String tag = "transport=\"" + transport + "\"";
                assertTrue(RunningServer.metric(metrics, "agentledger_revocation_fanout_seconds_count", tag) >= 1, metrics);
                double sum = RunningServer.metric(metrics, "agentledger_revocation_fanout_seconds_sum", tag);
                // From logged to written: not negative, within the design's 5-second bound on this machine.
                assertTrue(sum >= 0 && sum < 5 * RunningServer.metric(metrics, "agentledger_revocation_fanout_seconds_count", tag), metrics);
                assertTrue(RunningServer.metric(metrics, "agentledger_revocation_fanout_seconds_bucket", tag + ",le=\"5.0\"") >= 1, metrics);
            }
            assertTrue(RunningServer.metric(metrics, "agentledger_ledger_appended_total", "") >= server.treeSize() - 1, metrics);
            assertTrue(RunningServer.metric(metrics, "agentledger_ledger_batch_entries_count", "") >= 1, metrics);
            assertTrue(RunningServer.metric(metrics, "agentledger_ledger_sync_seconds_count", "") >= 1, metrics);
            // Served (the registry is the JVM's, so other tests' servers count too: a full disk fails additions).
            for (String index : new String[] {"leaf_hash", "lookup"}) {
                assertTrue(RunningServer.metric(metrics, "agentledger_ledger_index_rows_failures_total", "index=\"" + index + "\"") >= 0, metrics);
            }
            assertTrue(RunningServer.metric(metrics, "agentledger_issued_total", "kind=\"x509_svid\"") >= 1, metrics);
            assertTrue(RunningServer.metric(metrics, "agentledger_policy_decisions_total", "decision=\"allow\"") >= 1, metrics);
        }
    }

    private static void readUntil(BufferedReader in, String line) throws Exception {
        for (String l = in.readLine(); l != null; l = in.readLine()) {
            if (l.replace(" ", "").equals(line)) {
                return;
            }
        }
        throw new AssertionError("the SSE stream ended before " + line);
    }
}
