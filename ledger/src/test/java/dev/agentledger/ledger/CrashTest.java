package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable before acknowledged, and never a fork, across {@code kill -9}: a child JVM appends from
 * many threads and is killed at random moments; after each kill the log is reopened and every
 * acknowledged entry must be at its acknowledged index, and every checkpoint ever returned must
 * be consistent with the reopened log's checkpoint, and dedupe must find each acknowledged entry
 * at its index and a lookup by each of its keys must find it (the leaf-hash and key indexes are
 * rebuilt from the store past what their table files hold; the child uses small segments of them,
 * so kills land before, during and after their ingestion).
 */
class CrashTest {
    /** 20 in the suite; {@code scripts/crash-soak.sh} runs hundreds through this property. */
    private static final int KILLS = Integer.getInteger("agentledger.crash.kills", 20);
    /** Entries per segment of the leaf-hash and key indexes in the child and after each reopen. */
    static final int SEGMENT = 256;
    /** Older acknowledged entries whose dedupe and lookups are checked after each kill, besides all of the last round's. */
    private static final int SAMPLE = 200;
    /** Two keys per entry from its first bytes: a token id many entries share, and a serial few do. */
    static final EntryIndexer KEYS = entry -> List.of(
            new IndexKey(IndexKey.Kind.TOKEN_ID, "t" + (entry[0] & 0xff)),
            new IndexKey(IndexKey.Kind.SERIAL, java.util.HexFormat.of().formatHex(entry, 1, 3)));

    @TempDir
    Path dir;

    private record Ack(long index, Hash leaf, long size, Hash root) {}

    @Test
    void acknowledgedEntriesSurviveSigkill() throws Exception {
        Random random = new Random(20261123);
        Map<Long, Hash> acknowledged = new HashMap<>();
        Map<Long, Hash> checkpoints = new HashMap<>();
        long totalAcks = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            List<Ack> acks = runAndKill(kill, 50 + random.nextInt(700));
            totalAcks += acks.size();
            for (Ack a : acks) {
                Hash before = acknowledged.putIfAbsent(a.index(), a.leaf());
                if (before != null && !before.equals(a.leaf())) {
                    fail("index " + a.index() + " acknowledged for two different entries");
                }
                checkpoints.put(a.size(), a.root());
            }
            try (Ledger ledger = Ledger.open(config(dir), SEGMENT)) {
                SignedCheckpoint now = ledger.checkpoint();
                checkDedupeAndLookups(ledger, acks, acknowledged, random);
                for (Map.Entry<Long, Hash> e : acknowledged.entrySet()) {
                    byte[] entry = ledger.entry(e.getKey())
                            .orElseThrow(() -> new AssertionError("acknowledged entry " + e.getKey() + " lost"));
                    assertEquals(e.getValue(), Rfc6962.hashLeaf(entry), "entry at " + e.getKey());
                }
                for (Map.Entry<Long, Hash> cp : checkpoints.entrySet()) {
                    long size = cp.getKey();
                    assertTrue(size <= now.size(), "checkpoint " + size + " beyond the reopened log " + now.size());
                    if (size > 0) {
                        ledger.consistencyProof(size, now.size()).verify(cp.getValue(), now.checkpoint().root());
                    }
                    assertEquals(cp.getValue(), ledger.checkpoint(size).orElseThrow().checkpoint().root());
                }
            }
        }
        assertTrue(totalAcks > KILLS, "the child acknowledged almost nothing (" + totalAcks + "): the test proved little");
    }

    static LedgerConfig config(Path dir) {
        return TestLogs.config(dir).withIndexer(KEYS);
    }

    /**
     * For every entry acknowledged in the last round and a sample of the older ones: a lookup of
     * each of its keys from its index finds it there, and appended again with dedupe it comes back
     * at its index without the tree growing.
     */
    private static void checkDedupeAndLookups(Ledger ledger, List<Ack> lastRound, Map<Long, Hash> acknowledged, Random random)
            throws Exception {
        List<Long> indexes = new ArrayList<>(lastRound.stream().map(Ack::index).toList());
        List<Long> older = new ArrayList<>(acknowledged.keySet());
        for (int i = 0; i < SAMPLE && !older.isEmpty(); i++) {
            indexes.add(older.get(random.nextInt(older.size())));
        }
        if (indexes.isEmpty()) {
            return;
        }
        List<byte[]> entries = new ArrayList<>(indexes.size());
        for (long index : indexes) {
            byte[] entry = ledger.entry(index).orElseThrow();
            entries.add(entry);
            for (IndexKey key : KEYS.keys(entry)) {
                assertEquals(List.of(index), ledger.lookup(key, index, 1), key + " of entry " + index);
            }
        }
        TestLogs.assertDedupeFinds(ledger, entries, indexes);
    }

    /** Starts a child, lets it append for {@code millis} after it is ready, kills it with SIGKILL. */
    private List<Ack> runAndKill(int round, int millis) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Path output = dir.resolveSibling(dir.getFileName() + "-child-" + round + ".out");
        Process child = new ProcessBuilder(
                        javaBin, "--enable-native-access=ALL-UNNAMED", "-XX:+IgnoreUnrecognizedVMOptions",
                        "-cp", System.getProperty("java.class.path"),
                        CrashChild.class.getName(), dir.toString(), "8", Integer.toString(round))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(output.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(output).contains("ready")) {
            assertTrue(child.isAlive(), "child died before opening the log");
            assertTrue(System.nanoTime() < deadline, "child never opened the log");
            Thread.sleep(10);
        }
        Thread.sleep(millis);
        child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flush, no close.
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        String text = Files.readString(output);
        Files.delete(output);
        // The kill may cut the last line short; only complete lines count.
        List<String> lines = List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
        List<Ack> acks = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            switch (f[0]) {
                case "ack" -> acks.add(new Ack(Long.parseLong(f[1]), Hash.fromHex(f[2]), Long.parseLong(f[3]), Hash.fromHex(f[4])));
                case "ready" -> {}
                default -> fail("the child reported before it was killed: " + line);
            }
        }
        return acks;
    }
}
