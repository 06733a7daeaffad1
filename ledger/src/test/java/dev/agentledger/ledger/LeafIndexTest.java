package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaf-hash index kept out of the synced write ({@link LeafIndex}): dedupe finds every leaf
 * whether its row is in the store, in a sealed segment waiting for the background thread, or in
 * the segment being filled; a clean close leaves every row in the store; a store whose rows stop
 * short (as a crash leaves it) or that never recorded how far they reach (a store written before)
 * is made whole at open.
 */
class LeafIndexTest {
    /** Small segments, so a few hundred entries cross many of them. */
    private static final int SEGMENT = 8;

    @TempDir
    Path dir;

    @Test
    void dedupeFindsEveryLeafWhereverItsRowIs() throws Exception {
        Random random = new Random(7);
        List<byte[]> logged = new ArrayList<>();
        try (Ledger ledger = Ledger.open(TestLogs.config(dir), SEGMENT)) {
            while (logged.size() < 300) {
                // Groups of 1 to 20 entries, each group one batch: segments fill and seal mid-batch.
                List<byte[]> group = new ArrayList<>();
                for (int n = 1 + random.nextInt(20); n > 0; n--) {
                    group.add(entry(logged.size() + group.size()));
                }
                List<Appended> appended = ledger.appendAll(group, new boolean[group.size()]).get();
                assertEquals(logged.size(), appended.getFirst().index());
                logged.addAll(group);
                // Every entry so far, right after its batch: most of the newest are in memory.
                checkDedupe(ledger, logged, random);
            }
            // The same bytes again without dedupe: a second index, and dedupe still answers the first.
            assertEquals(logged.size(), ledger.append(logged.get(5), false).get().index());
            assertEquals(5, ledger.append(logged.get(5), true).get().index());
        }
        try (Store store = Store.open(dir)) {
            assertEquals(logged.size() + 1, store.leafRowsUpTo().orElseThrow(), "a clean close adds every row to the store");
            for (int i = 0; i < logged.size(); i++) {
                assertEquals(i, store.indexOfLeaf(Rfc6962.hashLeaf(logged.get(i))).orElseThrow(), "row of leaf " + i);
            }
        }
    }

    @Test
    void everyLeafsRowsAreReportedAddedByTheTimeTheLogCloses() throws Exception {
        java.util.concurrent.atomic.AtomicLong added = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        LedgerMetrics metrics = new LedgerMetrics() {
            @Override
            public void leafRowsAdded(int leaves, long nanos) {
                added.addAndGet(leaves);
            }

            @Override
            public void leafRowsFailed() {
                failed.incrementAndGet();
            }
        };
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withMetrics(metrics), SEGMENT)) {
            for (int i = 0; i < 100; i++) {
                ledger.append(entry(i), false).get();
            }
        }
        assertEquals(100, added.get());
        assertEquals(0, failed.get());
    }

    @Test
    void rowsMissingAsACrashLeavesThemAreRebuiltFromTheNodes() throws Exception {
        List<byte[]> logged = appendAndClose(200);
        // As after a kill: no row in the store, and its record of them at 0.
        TestLogs.raw(dir, (db, cf, batch) -> {
            batch.deleteRange(cf.get(5), new byte[0], filled(41, (byte) 0xff));
            batch.put(cf.get(0), bytes("leaves-indexed"), Store.longKey(0));
        });
        try (Store store = Store.open(dir)) {
            assertTrue(store.indexOfLeaf(Rfc6962.hashLeaf(logged.get(0))).isEmpty());
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir), SEGMENT)) {
            checkDedupe(ledger, logged, new Random(1));
            assertEquals(200, ledger.checkpoint().size());
        }
        try (Store store = Store.open(dir)) {
            assertEquals(200, store.leafRowsUpTo().orElseThrow());
            assertEquals(199, store.indexOfLeaf(Rfc6962.hashLeaf(logged.get(199))).orElseThrow());
        }
    }

    @Test
    void aStoreThatNeverRecordedItsRowsHasThemAll() throws Exception {
        List<byte[]> logged = appendAndClose(50);
        TestLogs.raw(dir, (db, cf, batch) -> batch.delete(cf.get(0), bytes("leaves-indexed")));
        try (Ledger ledger = Ledger.open(TestLogs.config(dir), SEGMENT)) {
            checkDedupe(ledger, logged, new Random(2));
        }
        try (Store store = Store.open(dir)) {
            assertEquals(50, store.leafRowsUpTo().orElseThrow());
        }
    }

    @Test
    void aRecordBeyondTheTreeIsRefused() throws Exception {
        appendAndClose(10);
        TestLogs.raw(dir, (db, cf, batch) -> batch.put(cf.get(0), bytes("leaves-indexed"), Store.longKey(11)));
        StorageException e = org.junit.jupiter.api.Assertions.assertThrows(StorageException.class,
                () -> Ledger.open(TestLogs.config(dir), SEGMENT).close());
        assertTrue(e.getMessage().contains("leaf-hash index covers 11 leaves of a tree of 10"), e.getMessage());
    }

    /** Against a plain sort of the rows as byte arrays, and a search of the hashes in order. */
    @Test
    void aSegmentsRowsComeOutInTheStoresOrder() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            int capacity = 1 + random.nextInt(3000);
            int count = 1 + random.nextInt(capacity);
            long first = random.nextLong(1L << 40);
            LeafIndex.Segment segment = new LeafIndex.Segment(first, capacity);
            List<byte[]> expected = new ArrayList<>();
            List<byte[]> added = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] hash = new byte[32];
                random.nextBytes(hash);
                if (!added.isEmpty() && random.nextInt(4) == 0) {
                    // The sort keeps only a prefix of each hash (at least 52 bits here): the same 7 or
                    // more bytes with other later ones, or the very same hash (an entry logged twice).
                    byte[] earlier = added.get(random.nextInt(added.size()));
                    System.arraycopy(earlier, 0, hash, 0, random.nextBoolean() ? 32 : 7 + random.nextInt(25));
                }
                added.add(hash);
                segment.add(dev.agentledger.merkle.Hash.of(hash));
                expected.add(Store.leafKey(dev.agentledger.merkle.Hash.of(hash), first + i));
            }
            expected.sort(Arrays::compareUnsigned);
            byte[] rows = segment.sortedRows();
            assertEquals(count * Store.LEAF_KEY_BYTES, rows.length);
            for (int k = 0; k < count; k++) {
                byte[] row = Arrays.copyOfRange(rows, k * Store.LEAF_KEY_BYTES, (k + 1) * Store.LEAF_KEY_BYTES);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(k), row, "row " + k + " of " + count + " in round " + round);
            }
            for (int i = 0; i < count; i++) {
                int firstEqual = 0;
                while (!Arrays.equals(added.get(firstEqual), added.get(i))) {
                    firstEqual++;
                }
                assertEquals(firstEqual, segment.find(added.get(i)), "the first position of hash " + i);
            }
        }
    }

    private List<byte[]> appendAndClose(int count) throws Exception {
        List<byte[]> logged = new ArrayList<>();
        try (Ledger ledger = Ledger.open(TestLogs.config(dir), SEGMENT)) {
            for (int i = 0; i < count; i++) {
                logged.add(entry(i));
            }
            ledger.appendAll(logged, new boolean[count]).get();
        }
        return logged;
    }

    /** Appends every logged entry again with dedupe, in shuffled groups: each must come back at its index, the tree unchanged. */
    private static void checkDedupe(Ledger ledger, List<byte[]> logged, Random random) throws Exception {
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < logged.size(); i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        TestLogs.assertDedupeFinds(ledger, order.stream().map(i -> logged.get(i.intValue())).toList(), order);
    }

    private static byte[] entry(int i) {
        return bytes("leaf-index-test entry " + i);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filled(int length, byte value) {
        byte[] out = new byte[length];
        Arrays.fill(out, value);
        return out;
    }
}
