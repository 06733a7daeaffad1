package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.verifierclient.CheckpointTracker;
import dev.agentledger.verifierclient.HttpLogClient;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.WitnessLagPolicy;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stranger follows a running log over its public HTTP API with the verifier client only. */
class LogFollowTest {
    @Test
    void trackerFollowsThreeGrowthSteps(@TempDir Path dir) throws Exception {
        try (RunningServer running = RunningServer.start(dir.resolve("server"))) {
            HttpLogClient client = HttpLogClient.create(running.server.publicUrl());
            LogVerifier verifier = LogVerifier.create(running.server.ledger().origin(),
                    running.prepared.logKey().verifierKey(), List.of(), 0);
            CheckpointTracker tracker = CheckpointTracker.persistent(dir.resolve("tracker.state"), verifier, client,
                    WitnessLagPolicy.DEFAULT, InstantSource.system());
            long appended = running.treeSize(); // the issuer's key publications
            for (int step : new int[] {1, 7, 300}) {
                for (int i = 0; i < step; i++) {
                    running.server.ledger().append(
                            RunningServer.revocation("spiffe://agentledger.local/agent/" + appended, "r" + appended)
                                    .toByteArray(), false).get();
                    appended++;
                }
                VerifiedCheckpoint checkpoint = tracker.update(client.checkpoint());
                assertEquals(appended, checkpoint.size());
                assertEquals(appended, tracker.latest().orElseThrow().size());
            }
            CheckpointTracker reopened = CheckpointTracker.persistent(dir.resolve("tracker.state"), verifier, client,
                    WitnessLagPolicy.DEFAULT, InstantSource.system());
            assertEquals(appended, reopened.latest().orElseThrow().size());
            assertTrue(reopened.latest().orElseThrow().isConfirmed());
        }
    }
}
