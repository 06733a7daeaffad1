package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup index kept out of the synced write ({@link KeyIndex}): a lookup finds every entry
 * with a key whether its row is in the store, in a sealed segment waiting for the background
 * thread, or in the segment being filled, also while appends go on; a clean close leaves every row
 * in the store; a store whose rows stop short (as a crash leaves it) or that never recorded how far
 * they reach (a store written before) is made whole at open.
 */
class KeyIndexTest {
    /** Small segments, so a few hundred entries cross many of them. */
    private static final int SEGMENT = 8;
    /** The keys entries carry: few, so each is in many entries and segments. */
    private static final List<IndexKey> POOL = List.of(
            new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://example.org/agent/a"),
            new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://example.org/agent/b"),
            new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://example.org/" + "c".repeat(400)),
            new IndexKey(IndexKey.Kind.SERIAL, "1f"),
            new IndexKey(IndexKey.Kind.SERIAL, "2e"),
            new IndexKey(IndexKey.Kind.TOKEN_ID, "spiffe://example.org/agent/a"), // the same value as another kind
            new IndexKey(IndexKey.Kind.TOKEN_ID, "tok-7"));
    /** Entry text: "entry N k1 k2 ...", each k an index into POOL (possibly repeated). */
    private static final EntryIndexer BY_POOL = entry -> {
        String[] words = new String(entry, StandardCharsets.UTF_8).split(" ");
        List<IndexKey> keys = new ArrayList<>();
        for (int i = 2; i < words.length; i++) {
            keys.add(POOL.get(Integer.parseInt(words[i])));
        }
        return keys;
    };

    @TempDir
    Path dir;

    @Test
    void lookupsFindEveryEntryWhereverItsRowsAreAlsoWhileAppendsGoOn() throws Exception {
        List<byte[]> entries = entries(400, new Random(3));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readerFailed = new AtomicReference<>();
        AtomicInteger readerLookups = new AtomicInteger();
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL), SEGMENT)) {
            // A reader on its own thread: what it finds is exactly the entries with the key below
            // a size between the checkpoints seen before and after it.
            Thread reader = Thread.ofPlatform().start(() -> {
                Random random = new Random(5);
                try {
                    while (!done.get()) {
                        IndexKey key = POOL.get(random.nextInt(POOL.size()));
                        long before = ledger.checkpoint().size();
                        List<Long> found = ledger.lookup(key, 0, Ledger.MAX_LOOKUP);
                        long after = ledger.checkpoint().size();
                        List<Long> atLeast = expected(entries, key, 0, before);
                        assertEquals(atLeast, found.subList(0, Math.min(found.size(), atLeast.size())), "found below " + before);
                        assertEquals(found, expected(entries, key, 0, found.isEmpty() ? 0 : found.getLast() + 1));
                        assertTrue(found.isEmpty() || found.getLast() < after, "found beyond the checkpoint " + after);
                        readerLookups.incrementAndGet();
                    }
                } catch (Throwable t) {
                    readerFailed.set(t);
                }
            });
            Random random = new Random(7);
            for (int logged = 0; logged < entries.size(); ) {
                // Groups of 1 to 20 entries, each group one batch: segments fill and seal mid-batch.
                int n = Math.min(1 + random.nextInt(20), entries.size() - logged);
                ledger.appendAll(entries.subList(logged, logged + n), new boolean[n]).get();
                logged += n;
                checkLookups(ledger, entries, logged, random);
            }
            done.set(true);
            reader.join();
            if (readerFailed.get() != null) {
                throw new AssertionError("the concurrent reader failed after " + readerLookups.get() + " lookups", readerFailed.get());
            }
            assertTrue(readerLookups.get() > 0);
        }
        try (Store store = Store.open(dir)) {
            assertEquals(entries.size(), store.keyRowsUpTo().orElseThrow(), "a clean close adds every row to the store");
            for (IndexKey key : POOL) {
                assertEquals(expected(entries, key, 0, entries.size()), store.lookup(key, 0, 1000), key.toString());
            }
        }
    }

    @Test
    void everyRowIsReportedAddedByTheTimeTheLogCloses() throws Exception {
        AtomicLong added = new AtomicLong();
        AtomicInteger failed = new AtomicInteger();
        LedgerMetrics metrics = new LedgerMetrics() {
            @Override
            public void keyRowsAdded(int rows, long nanos) {
                added.addAndGet(rows);
            }

            @Override
            public void keyRowsFailed() {
                failed.incrementAndGet();
            }
        };
        List<byte[]> entries = entries(100, new Random(4));
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL).withMetrics(metrics), SEGMENT)) {
            for (byte[] entry : entries) {
                ledger.append(entry, false).get();
            }
        }
        long rows = 0;
        for (IndexKey key : POOL) {
            rows += expected(entries, key, 0, entries.size()).size();
        }
        assertEquals(rows, added.get());
        assertEquals(0, failed.get());
    }

    /** A log whose entries carry no keys (opaque entries) still records them all as indexed. */
    @Test
    void entriesWithoutKeysAreRecordedAsIndexed() throws Exception {
        AtomicInteger failed = new AtomicInteger();
        LedgerMetrics metrics = new LedgerMetrics() {
            @Override
            public void keyRowsFailed() {
                failed.incrementAndGet();
            }
        };
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withMetrics(metrics), SEGMENT)) {
            for (int i = 0; i < 20; i++) {
                ledger.append(bytes("opaque " + i), false).get();
            }
        }
        assertEquals(0, failed.get());
        try (Store store = Store.open(dir)) {
            assertEquals(20, store.keyRowsUpTo().orElseThrow());
        }
    }

    @Test
    void rowsMissingAsACrashLeavesThemAreRebuiltFromTheEntries() throws Exception {
        List<byte[]> entries = appendAndClose(200);
        // As after a kill: no row in the store, and its record of them at 0.
        TestLogs.raw(dir, (db, cf, batch) -> {
            batch.deleteRange(cf.get(4), new byte[] {1}, new byte[] {4});
            batch.put(cf.get(0), bytes("keys-indexed"), Store.longKey(0));
        });
        try (Store store = Store.open(dir)) {
            assertEquals(List.of(), store.lookup(POOL.get(0), 0, 10));
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL), SEGMENT)) {
            checkLookups(ledger, entries, 200, new Random(1));
        }
        try (Store store = Store.open(dir)) {
            assertEquals(200, store.keyRowsUpTo().orElseThrow());
            assertEquals(expected(entries, POOL.get(3), 0, 200), store.lookup(POOL.get(3), 0, 1000));
        }
    }

    @Test
    void aStoreThatNeverRecordedItsRowsHasThemAll() throws Exception {
        List<byte[]> entries = appendAndClose(50);
        TestLogs.raw(dir, (db, cf, batch) -> batch.delete(cf.get(0), bytes("keys-indexed")));
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL), SEGMENT)) {
            checkLookups(ledger, entries, 50, new Random(2));
        }
        try (Store store = Store.open(dir)) {
            assertEquals(50, store.keyRowsUpTo().orElseThrow());
        }
    }

    @Test
    void aRecordBeyondTheTreeIsRefused() throws Exception {
        appendAndClose(10);
        TestLogs.raw(dir, (db, cf, batch) -> batch.put(cf.get(0), bytes("keys-indexed"), Store.longKey(11)));
        StorageException e = assertThrows(StorageException.class,
                () -> Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL), SEGMENT).close());
        assertTrue(e.getMessage().contains("lookup index covers 11 entries of a tree of 10"), e.getMessage());
    }

    /** Against a plain sort of the rows as byte arrays, and a search of the keys entry by entry. */
    @Test
    void aSegmentsRowsComeOutInTheStoresOrder() {
        Random random = new Random(11);
        for (int round = 0; round < 100; round++) {
            long first = random.nextLong(1L << 40);
            KeyIndex.Segment segment = new KeyIndex.Segment(first, 1 << 20);
            List<IndexKey> pool = new ArrayList<>();
            for (int k = 1 + random.nextInt(300); k > 0; k--) {
                IndexKey.Kind kind = IndexKey.Kind.values()[random.nextInt(3)];
                // Short and long values (lengths above 255 take the second length byte), long shared
                // prefixes, values of one length that differ only near their end.
                String value = switch (random.nextInt(4)) {
                    case 0 -> "v".repeat(200 + random.nextInt(200)) + k;
                    case 1 -> "spiffe://example.org/agent/" + String.format("%09d", random.nextInt(1000));
                    default -> "spiffe://td/" + random.nextInt(1000);
                };
                pool.add(new IndexKey(kind, value));
            }
            int count = 1 + random.nextInt(500);
            List<byte[]> expected = new ArrayList<>();
            for (int e = 0; e < count; e++) {
                List<IndexKey> keys = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    keys.add(pool.get(random.nextInt(pool.size()))); // sometimes the same key twice: one row
                }
                for (IndexKey key : keys.stream().distinct().toList()) {
                    expected.add(Store.indexRowKey(key, first + e));
                }
                byte[][] prefixes = keys.stream().map(Store::indexPrefix).toArray(byte[][]::new);
                assertEquals(1, segment.addAll(java.util.Collections.singletonList(prefixes), 0));
            }
            expected.sort(Arrays::compareUnsigned);
            KeyIndex.Segment.Rows rows = segment.sortedRows();
            assertEquals(expected.size(), rows.ends().length);
            for (int i = 0, from = 0; i < expected.size(); from = rows.ends()[i++]) {
                assertArrayEquals(expected.get(i), Arrays.copyOfRange(rows.bytes(), from, rows.ends()[i]), "row " + i + " in round " + round);
            }
            for (IndexKey key : pool) {
                java.util.TreeSet<Long> found = new java.util.TreeSet<>();
                segment.collect(Store.indexPrefix(key), first, first + count, found);
                List<Long> want = expected.stream()
                        .filter(row -> Arrays.equals(row, 0, row.length - 8, Store.indexPrefix(key), 0, Store.indexPrefix(key).length))
                        .map(row -> java.nio.ByteBuffer.wrap(row, row.length - 8, 8).getLong())
                        .sorted()
                        .toList();
                assertEquals(want, List.copyOf(found), key + " in round " + round);
            }
        }
    }

    /** A segment stops taking entries at its entry count, row count or key bytes; an empty one takes the largest entry. */
    @Test
    void aSegmentIsFullAtItsLimits() {
        KeyIndex.Segment byEntries = new KeyIndex.Segment(0, 3);
        byte[][] one = {Store.indexPrefix(POOL.get(0))};
        assertEquals(3, byEntries.addAll(List.of(one, one, one, one), 0));
        assertEquals(0, byEntries.addAll(java.util.Collections.singletonList(one), 0));

        // Entries of 10,000 distinct keys each: the rows reach the limit before the entry count does.
        KeyIndex.Segment byRows = new KeyIndex.Segment(0, 1 << 20);
        int added = 0;
        for (int e = 0; ; e++) {
            byte[][] keys = new byte[10_000][];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = Store.indexPrefix(new IndexKey(IndexKey.Kind.TOKEN_ID, e + "/" + k));
            }
            int n = byRows.addAll(java.util.Collections.singletonList(keys), 0);
            if (n == 0) {
                break;
            }
            added += n;
        }
        assertEquals(KeyIndex.MAX_SEGMENT_ROWS / 10_000, added);

        // The most keys an entry can hold still fits an empty segment.
        KeyIndex.Segment empty = new KeyIndex.Segment(0, 1);
        byte[][] most = new byte[Ledger.MAX_ENTRY_BYTES / 4][];
        for (int k = 0; k < most.length; k++) {
            most[k] = Store.indexPrefix(new IndexKey(IndexKey.Kind.SERIAL, Integer.toHexString(k)));
        }
        assertEquals(1, empty.addAll(java.util.Collections.singletonList(most), 0));
        assertEquals(most.length, empty.sortedRows().ends().length);
    }

    private List<byte[]> appendAndClose(int count) throws Exception {
        List<byte[]> entries = entries(count, new Random(count));
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_POOL), SEGMENT)) {
            ledger.appendAll(entries, new boolean[count]).get();
        }
        return entries;
    }

    /** Entry {@code i} carries 0 to 3 keys of the pool, sometimes one twice. */
    private static List<byte[]> entries(int count, Random random) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder("entry " + i);
            for (int n = random.nextInt(4); n > 0; n--) {
                text.append(' ').append(random.nextInt(POOL.size()));
            }
            out.add(bytes(text.toString()));
        }
        return out;
    }

    /** The indexes in {@code [from, below)} of the entries carrying {@code key}. */
    private static List<Long> expected(List<byte[]> entries, IndexKey key, long from, long below) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < Math.min(below, entries.size()); i++) {
            try {
                if (BY_POOL.keys(entries.get((int) i)).contains(key)) {
                    out.add(i);
                }
            } catch (InvalidEntryException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /** Every key of the pool looked up whole, and from a random start with a random limit. */
    private static void checkLookups(Ledger ledger, List<byte[]> entries, long size, Random random) {
        for (IndexKey key : POOL) {
            assertEquals(expected(entries, key, 0, size), ledger.lookup(key, 0, Ledger.MAX_LOOKUP), key + " at size " + size);
            long from = random.nextLong(size + 1);
            int limit = 1 + random.nextInt(5);
            List<Long> want = expected(entries, key, from, size);
            assertEquals(want.subList(0, Math.min(limit, want.size())), ledger.lookup(key, from, limit), key + " from " + from);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
