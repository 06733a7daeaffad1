package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leaf-hash rows written in sorted chunks of {@link Store#LEAF_ROW_CHUNK} entries: dedupe
 * finds every entry, whether its row is written or still waits in the sequencer; the first index
 * of repeated bytes wins; and an open writes the rows the last chunk did not cover (after a close
 * or a crash alike), so the store audit finds every entry's row.
 */
class LeafRowChunkTest {
    private static final int GROUP = 500;

    @TempDir
    Path dir;

    @Test
    void dedupeFindsEntriesOnBothSidesOfTheLastChunkAndAfterReopen() throws Exception {
        int total = Store.LEAF_ROW_CHUNK + 700;
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(0, ledger.append(bytes(0), false).get().index());
            // The same bytes again, not deduplicated: dedupe must still answer index 0, the first.
            assertEquals(1, ledger.append(bytes(0), false).get().index());
            assertEquals(0, ledger.append(bytes(0), true).get().index(), "first index, both rows waiting");
            appendDistinct(ledger, 1, total);
            for (int i : new int[] {0, 1, 17, Store.LEAF_ROW_CHUNK - 3, total - 650, total - 1}) {
                Appended again = ledger.append(bytes(i), true).get();
                assertTrue(again.duplicate(), "entry " + i);
                assertEquals(i == 0 ? 0 : i + 1, again.index(), "entry " + i);
            }
            Appended fresh = ledger.append(bytes(total), true).get();
            assertFalse(fresh.duplicate());
            assertEquals(total + 1, fresh.index());
        }
        long size = total + 2;
        try (Store store = Store.open(dir)) {
            long from = store.leafRowsFrom().orElseThrow();
            assertTrue(from >= Store.LEAF_ROW_CHUNK && from < size, "rows written up to " + from + " of " + size);
            assertEquals(from, store.firstWithoutLeafRow(0, leafHashes(store, 0, (int) size)), "the first entry without its row");
            assertEquals(OptionalLong.of(0), store.indexOfLeaf(Rfc6962.hashLeaf(bytes(0))));
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(size, ledger.checkpoint().size());
            assertEquals(total, ledger.append(bytes(total - 1), true).get().index(), "found after the open wrote its row");
        }
        try (Store store = Store.open(dir)) {
            assertEquals(OptionalLong.of(size), store.leafRowsFrom(), "the open wrote every missing row");
            assertEquals(-1, store.firstWithoutLeafRow(0, leafHashes(store, 0, (int) size)));
        }
        Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier());
    }

    @Test
    void aStoreWithoutTheMarkHasEveryRowAndGetsTheMark() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            appendDistinct(ledger, 0, 300);
        }
        // A store of the layout before: every row written, no mark.
        try (Store store = Store.open(dir)) {
            try (Store.Batch batch = store.newBatch()) {
                batch.putLeafRows(0, leafHashes(store, 0, 300));
                store.commit(batch);
            }
        }
        CorruptStoreTest.raw(dir, (db, cf, batch) -> batch.delete(cf.get(0), "leaves".getBytes(StandardCharsets.UTF_8)));
        try (Store store = Store.open(dir)) {
            assertTrue(store.leafRowsFrom().isEmpty());
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(42, ledger.append(bytes(42), true).get().index());
        }
        try (Store store = Store.open(dir)) {
            assertEquals(OptionalLong.of(300), store.leafRowsFrom());
        }
    }

    private static void appendDistinct(Ledger ledger, int from, int to) throws Exception {
        for (int first = from; first < to; first += GROUP) {
            List<byte[]> group = new ArrayList<>();
            for (int i = first; i < Math.min(to, first + GROUP); i++) {
                group.add(bytes(i));
            }
            ledger.appendAll(group, new boolean[group.size()]).get();
        }
    }

    private static List<Hash> leafHashes(Store store, long first, int count) {
        byte[] row = store.nodeRow(0, first, count);
        List<Hash> out = new ArrayList<>(count);
        for (int at = 0; at < row.length; at += Hash.SIZE) {
            out.add(Hash.of(row, at));
        }
        return out;
    }

    private static byte[] bytes(int i) {
        return ("entry " + i).getBytes(StandardCharsets.UTF_8);
    }
}
