package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console verifies in the browser with its own JavaScript (merkle.js): this runs that code
 * under Node.js against a live server's checkpoint, entries and revocation events, and checks it
 * also refuses tampered proofs and notes and does not trust unknown signers, so the console's ✓
 * means what it says.
 */
class ConsoleVerifierTest {
    @Test
    void consoleScriptVerifiesTheServersProofsAndRefusesTamperedOnes(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(node().isPresent(), "node is not on PATH: the console's JavaScript verifier is not checked");
        try (RunningServer server = RunningServer.start(dir.resolve("data"))) {
            List<CompletableFuture<?>> appends = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                appends.add(server.server.ledger().append(
                        RunningServer.revocation("spiffe://agentledger.local/agent/" + i, "r" + i).toByteArray(), false));
            }
            CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).join();
            for (int i = 0; i < 2; i++) {
                server.server.revocations().revoke(dev.agentledger.revocation.Revocation.of(dev.agentledger.proto.v1.Revoked.newBuilder()
                        .setSpiffeId("spiffe://agentledger.local/agent/revoked-" + i)
                        .setReason(dev.agentledger.proto.v1.RevocationReason.REVOCATION_REASON_KEY_COMPROMISE).build(),
                        "spiffe://agentledger.local/operator"), "console-" + i);
            }
            Path fixture = Files.createDirectories(dir.resolve("fixture"));
            Files.writeString(fixture.resolve("revocations.json"), server.getText("/api/v1/revocations/snapshot"));
            Files.writeString(fixture.resolve("discovery.json"), server.getText("/.well-known/agentledger"));
            Files.writeString(fixture.resolve("checkpoint.txt"), server.getText("/checkpoint"));
            for (long index : new long[] {0, 1, 2, 127, 255, 256, server.treeSize() - 1}) {
                Files.writeString(fixture.resolve("entry-" + index + ".json"), server.getText("/api/v1/entries/" + index));
            }
            assertTrue(server.getText("/ui/").contains("AgentLedger"), "the console page is served");
            assertEquals(404, server.get("/ui/nothing.js").statusCode());

            Process node = new ProcessBuilder(node().get(), Path.of("src/test/js/verify-fixture.mjs").toString(),
                    Path.of("src/main/resources/dev/agentledger/server/ui/merkle.js").toString(), fixture.toString())
                    .redirectErrorStream(true).start();
            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node did not finish");
            String output = new String(node.getInputStream().readAllBytes());
            assertEquals(0, node.exitValue(), output);
            assertTrue(output.strip().startsWith("ok 7 entries, "), output);
        }
    }

    private static java.util.Optional<String> node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "node");
            if (Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate.toString());
            }
        }
        return java.util.Optional.empty();
    }
}
