package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A batch records the tree by its size alone (8 bytes under {@code tree}) and its checkpoint once
 * (by size, after the synced write): the compact range is read back from the stored nodes. A store of the layout before
 * (size || compact range hashes under {@code tree}, a copy of the latest note under
 * {@code checkpoint}) still opens at its checkpoint and keeps appending.
 */
class TreeRowLayoutTest {
    private static final byte[] TREE = bytes("tree");
    private static final byte[] LATEST = bytes("checkpoint");

    @TempDir
    Path dir;

    static {
        RocksDB.loadLibrary();
    }

    /** Sizes with one set bit, several, and all of the low ones (a long compact range). */
    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {1, 8, 10, 127})
    void aBatchWritesTheSizeOnlyAndTheCompactRangeComesFromTheNodes(int size) throws Exception {
        SignedCheckpoint written = append(0, size);
        byte[][] rows = rawRows();
        assertArrayEquals(Store.longKey(size), rows[0], "the tree row is the size alone");
        assertNull(rows[1], "no second copy of the latest checkpoint");
        try (Store store = Store.open(dir)) {
            Store.TreeState tree = store.tree().orElseThrow();
            assertEquals(Long.bitCount(size), tree.border().size());
            assertEquals(written.checkpoint().root(), dev.agentledger.merkle.CompactRange.of(size, tree.border()).root());
            assertEquals(written.note(), new String(store.latestCheckpoint().orElseThrow(), StandardCharsets.UTF_8));
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(written, ledger.checkpoint());
        }
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {1, 10, 127})
    void aStoreOfTheLayoutBeforeOpensAtItsCheckpointAndKeepsAppending(int size) throws Exception {
        SignedCheckpoint written = append(0, size);
        toLayoutBefore(written);
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(written, ledger.checkpoint());
            Appended next = ledger.append(bytes("after " + size), false).get();
            assertEquals(size, next.index());
            next.proof().verify(next.leafHash(), next.checkpoint().checkpoint().root());
        }
        assertEquals(Store.longKey(size + 1).length, rawRows()[0].length, "the next batch wrote the size alone");
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(size + 1, ledger.checkpoint().size(), "reopened at the later size, not at the stale copy");
        }
    }

    @org.junit.jupiter.api.Test
    void aMissingNodeOfTheCompactRangeIsRefused() throws Exception {
        append(0, 10);
        withRaw((db, cf) -> {
            try (WriteOptions sync = new WriteOptions().setSync(true)) {
                // Size 10 = [0, 8) and [8, 10): the level-1 run starting at node 4 holds node (1, 4).
                db.delete(cf.get(2), sync, Store.nodeKey(1, 4));
            }
        });
        StorageException e = assertThrows(StorageException.class, () -> Ledger.open(TestLogs.config(dir)));
        assertTrue(e.getMessage().contains("missing node 1/4"), e.getMessage());
    }

    /**
     * A batch's note is stored after its synced write; a crash in between leaves the batch without
     * it. Opening the log signs the same root for the same size again: the very note it published.
     * An audit, which holds no key, names what to do instead.
     */
    @org.junit.jupiter.api.Test
    void theLostNoteOfTheLastBatchIsSignedAgainIdentically() throws Exception {
        SignedCheckpoint published = append(0, 10);
        withRaw((db, cf) -> {
            try (WriteOptions sync = new WriteOptions().setSync(true)) {
                db.delete(cf.get(3), sync, Store.longKey(10));
            }
        });
        StorageException e = assertThrows(StorageException.class, () -> Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier()));
        assertTrue(e.getMessage().contains("open the log once to sign it again"), e.getMessage());
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(published, ledger.checkpoint());
            assertEquals(published, ledger.checkpoint(10).orElseThrow(), "stored again by size");
        }
        assertEquals(published, Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier()));
    }

    private SignedCheckpoint append(int from, int count) throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            for (int i = from; i < from + count; i++) {
                ledger.append(bytes("entry " + i), false).get();
            }
            return ledger.checkpoint();
        }
    }

    /** The {@code tree} row and the {@code checkpoint} row of the default family. */
    private byte[][] rawRows() throws RocksDBException {
        byte[][] rows = new byte[2][];
        withRaw((db, cf) -> {
            rows[0] = db.get(cf.get(0), TREE);
            rows[1] = db.get(cf.get(0), LATEST);
        });
        return rows;
    }

    /** Rewrites the tree row as size || compact range hashes and adds the copy of the latest note. */
    private void toLayoutBefore(SignedCheckpoint latest) throws Exception {
        List<Hash> border;
        try (Store store = Store.open(dir)) {
            border = store.tree().orElseThrow().border();
        }
        ByteBuffer row = ByteBuffer.allocate(8 + border.size() * Hash.SIZE).putLong(latest.size());
        border.forEach(h -> row.put(h.toByteArray()));
        withRaw((db, cf) -> {
            try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
                batch.put(cf.get(0), TREE, row.array());
                batch.put(cf.get(0), LATEST, latest.noteBytes());
                db.write(sync, batch);
            }
        });
    }

    private interface RawUse {
        void apply(RocksDB db, List<ColumnFamilyHandle> families) throws RocksDBException;
    }

    /** Opens the store with plain options: default, entries, nodes, checkpoints, indexes, leaves. */
    private void withRaw(RawUse use) throws RocksDBException {
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(listing, dir.toString())) {
                families.add(new ColumnFamilyDescriptor(name));
            }
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions(); RocksDB db = RocksDB.open(options, dir.toString(), families, handles)) {
            try {
                use.apply(db, handles);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
