package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A store written before the {@code leaves} column family (its leaf-hash rows in {@code indexes}
 * as kind 0: kind (1) || length 32 (2) || leaf hash || index (8)) keeps its log when opened: the
 * rows move to {@code leaves} in chunks, dedupe finds every old entry, the other index kinds stay,
 * and a move cut short by a crash between two chunks finishes at the next open.
 */
class LeafIndexMigrationTest {
    /** More than two chunks of the move, so a crash can fall between chunks. */
    private static final int SIZE = 2 * Store.LEGACY_MOVE_CHUNK + 300;

    @TempDir
    Path dir;

    static {
        RocksDB.loadLibrary();
    }

    /**
     * @param alreadyMoved how many leaf rows (in key order) an earlier open had moved before it
     *     crashed: 0 for a store of the old layout as it was, one chunk for a crash after the
     *     first write of the move
     */
    @ParameterizedTest(name = "{0} rows moved before")
    @ValueSource(ints = {0, Store.LEGACY_MOVE_CHUNK})
    void anOldLayoutStoreKeepsItsLeafIndex(int alreadyMoved) throws Exception {
        SignedCheckpoint before = build();
        toOldLayout(alreadyMoved);
        try (Store store = Store.open(dir)) {
            for (long i : new long[] {0, 1, Store.LEGACY_MOVE_CHUNK, SIZE - 1}) {
                assertEquals(i, store.indexOfLeaf(leaf(i)).orElseThrow(), "entry " + i + " found by its leaf after the move");
            }
        }
        assertEquals(List.of(), legacyRows(), "no leaf-hash row is left in the indexes family");
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_SERIAL))) {
            assertEquals(before, ledger.checkpoint());
            for (long i : new long[] {0, 7, Store.LEGACY_MOVE_CHUNK + 1, SIZE - 1}) {
                Appended again = ledger.append(entry(i), true).get();
                assertTrue(again.duplicate(), "entry " + i + " is deduplicated");
                assertEquals(i, again.index());
            }
            assertEquals(SIZE, ledger.checkpoint().size(), "nothing appended twice");
            assertEquals(List.of(3L, 3L + 1000), ledger.lookup(new IndexKey(IndexKey.Kind.SERIAL, "s3"), 0, 2),
                    "the other index kinds are where they were");
            assertFalse(ledger.append(bytes("new"), true).get().duplicate());
        }
        assertEquals(SIZE + 1, Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier()).size(),
                "the full audit finds every entry's leaf-hash row");
    }

    private static final EntryIndexer BY_SERIAL = entry -> {
        String text = new String(entry, StandardCharsets.UTF_8);
        return text.startsWith("entry ")
                ? List.of(new IndexKey(IndexKey.Kind.SERIAL, "s" + Long.parseLong(text.substring(6)) % 1000))
                : List.of();
    };

    private SignedCheckpoint build() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(BY_SERIAL))) {
            for (int first = 0; first < SIZE; first += 1000) {
                List<CompletableFuture<Appended>> futures = new ArrayList<>();
                for (int i = first; i < Math.min(SIZE, first + 1000); i++) {
                    futures.add(ledger.append(entry(i), false));
                }
                for (CompletableFuture<Appended> f : futures) {
                    f.get();
                }
            }
            return ledger.checkpoint();
        }
    }

    /**
     * Rewrites the store as the old layout had it: the leaf rows back in {@code indexes} as kind
     * 0 and no {@code leaves} family; then, for a move cut short, the first {@code alreadyMoved}
     * rows moved as a chunk of the move does it.
     */
    private void toOldLayout(int alreadyMoved) throws RocksDBException {
        List<byte[]> leafRows = new ArrayList<>();
        withRaw(true, (db, cf) -> {
            try (ReadOptions all = new ReadOptions().setTotalOrderSeek(true); RocksIterator it = db.newIterator(cf.get(5), all)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    leafRows.add(it.key());
                }
            }
            try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
                for (byte[] row : leafRows) {
                    batch.put(cf.get(4), ByteBuffer.allocate(3 + row.length).put((byte) 0).putShort((short) 32).put(row).array(), new byte[0]);
                }
                db.write(sync, batch);
            }
            db.dropColumnFamily(cf.get(5));
        });
        assertEquals(SIZE, leafRows.size());
        assertEquals(SIZE, legacyRows().size());
        if (alreadyMoved > 0) {
            withRaw(true, (db, cf) -> {
                try (WriteBatch batch = new WriteBatch(); WriteOptions sync = new WriteOptions().setSync(true)) {
                    List<byte[]> rows = legacyRows(db, cf);
                    for (byte[] row : rows.subList(0, alreadyMoved)) {
                        batch.put(cf.get(5), java.util.Arrays.copyOfRange(row, 3, row.length), new byte[0]);
                    }
                    batch.deleteRange(cf.get(4), new byte[] {0}, rows.get(alreadyMoved));
                    db.write(sync, batch);
                }
            });
            assertEquals(SIZE - alreadyMoved, legacyRows().size());
        }
    }

    private List<byte[]> legacyRows() throws RocksDBException {
        List<byte[]> rows = new ArrayList<>();
        withRaw(false, (db, cf) -> rows.addAll(legacyRows(db, cf)));
        return rows;
    }

    private static List<byte[]> legacyRows(RocksDB db, List<ColumnFamilyHandle> cf) {
        List<byte[]> rows = new ArrayList<>();
        try (RocksIterator it = db.newIterator(cf.get(4))) {
            for (it.seek(new byte[] {0}); it.isValid() && it.key()[0] == 0; it.next()) {
                rows.add(it.key());
            }
        }
        return rows;
    }

    private interface RawUse {
        void apply(RocksDB db, List<ColumnFamilyHandle> families) throws RocksDBException;
    }

    /**
     * Opens the store with plain options and the column families it has (default, entries,
     * nodes, checkpoints, indexes, and leaves unless it is of the old layout), or with
     * {@code leaves} in any case.
     */
    private void withRaw(boolean leaves, RawUse use) throws RocksDBException {
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        try (org.rocksdb.Options listing = new org.rocksdb.Options()) {
            for (byte[] name : RocksDB.listColumnFamilies(listing, dir.toString())) {
                families.add(new ColumnFamilyDescriptor(name));
            }
        }
        if (leaves && families.size() == 5) {
            families.add(new ColumnFamilyDescriptor(bytes("leaves")));
        }
        List<String> names = families.stream().map(f -> new String(f.getName(), StandardCharsets.UTF_8)).toList();
        assertEquals(Stream.of("default", "entries", "nodes", "checkpoints", "indexes", "leaves").limit(families.size()).toList(), names);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateMissingColumnFamilies(true);
                RocksDB db = RocksDB.open(options, dir.toString(), families, handles)) {
            try {
                use.apply(db, handles);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    private static byte[] entry(long i) {
        return bytes("entry " + i);
    }

    private static Hash leaf(long i) {
        return Rfc6962.hashLeaf(entry(i));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
