package dev.agentledger.verifierclient.replay;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Single use across {@code kill -9}: every id a killed child acknowledged is refused after restart. */
class ConsumedTokensCrashTest {
    private static final int KILLS = 5;

    @TempDir
    Path dir;

    @Test
    void acknowledgedTokensStaySpentAfterSigkill() throws Exception {
        Random random = new Random(5);
        List<String> acknowledged = new ArrayList<>();
        for (int round = 0; round < KILLS; round++) {
            acknowledged.addAll(runAndKill(round, 100 + random.nextInt(400)));
            try (ConsumedTokens tokens = ConsumedTokens.open(dir.resolve("state"), InstantSource.system())) {
                for (String id : acknowledged) {
                    assertThrows(ReplayException.class, () -> tokens.consume(id, Instant.now().plusSeconds(3600)),
                            "acknowledged token " + id + " was accepted again after a crash");
                }
            }
        }
        assertTrue(acknowledged.size() > KILLS, "the child acknowledged almost nothing: the test proved little");
    }

    private List<String> runAndKill(int round, int millis) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path output = dir.resolve("child-" + round + ".out");
        Process child = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        ConsumeChild.class.getName(), dir.resolve("state").toString(), "r" + round)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(output.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(output).contains("ready")) {
            assertTrue(child.isAlive(), "child died before opening the journal");
            assertTrue(System.nanoTime() < deadline, "child never opened the journal");
            Thread.sleep(10);
        }
        Thread.sleep(millis);
        child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close.
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        String text = Files.readString(output);
        List<String> acks = new ArrayList<>();
        for (String line : text.substring(0, text.lastIndexOf('\n') + 1).split("\n")) {
            if (line.startsWith("ack ")) {
                acks.add(line.substring(4));
            } else if (!line.equals("ready")) {
                fail("the child reported before it was killed: " + line);
            }
        }
        return acks;
    }
}
