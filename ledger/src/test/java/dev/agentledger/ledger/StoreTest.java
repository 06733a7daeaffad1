package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/** Batches in RocksDB's serialized form; node runs: one key per batch and level, read back across run boundaries. */
class StoreTest {
    @TempDir
    Path dir;

    @Test
    void nodesAreReadAcrossRuns() {
        try (Store store = Store.open(dir)) {
            // Level 0: runs [0, 3), [3, 4), [4, 9); level 1: run [0, 4).
            commit(store, 0, 0, 3);
            commit(store, 0, 3, 1);
            commit(store, 0, 4, 5);
            commit(store, 1, 0, 4);
            for (int i = 0; i < 9; i++) {
                assertEquals(hash(0, i), store.node(0, i), "node 0/" + i);
            }
            assertEquals(hash(1, 3), store.node(1, 3));
            byte[] row = store.nodeRow(0, 2, 6);
            for (int i = 0; i < 6; i++) {
                assertEquals(hash(0, 2 + i), Hash.of(row, i * Hash.SIZE));
            }
            assertArrayEquals(store.nodeRow(0, 0, 9), concat(0, 0, 9));
        }
    }

    @Test
    void aMissingNodeIsAStorageFailure() {
        try (Store store = Store.open(dir)) {
            commit(store, 0, 0, 3);
            commit(store, 0, 5, 2); // a gap at 3 and 4
            assertThrows(StorageException.class, () -> store.node(0, 3));
            assertThrows(StorageException.class, () -> store.node(0, 7));
            assertThrows(StorageException.class, () -> store.node(1, 0));
            assertThrows(StorageException.class, () -> store.nodeRow(0, 1, 5));
            assertEquals(hash(0, 6), store.node(0, 6));
        }
    }

    @Test
    void aBatchIsInRocksDbsSerializedFormAndLandsInItsFamilies() throws RocksDBException {
        byte[] small = "entry".getBytes(StandardCharsets.UTF_8);
        byte[] twoByteLength = new byte[300]; // varint32 lengths of 1, 2 and 3 bytes
        byte[] threeByteLength = new byte[20_000];
        Arrays.fill(threeByteLength, (byte) 7);
        byte[] serialized;
        try (Store store = Store.open(dir)) {
            try (Store.Batch batch = store.newBatch()) {
                batch.putEntry(0, small);
                batch.putEntry(1, twoByteLength);
                batch.putEntry(2, threeByteLength);
                batch.putNodeRun(0, 0, concat(0, 0, 3));
                batch.putNodeRun(1, 0, concat(1, 0, 1));
                batch.putAuditMark(twoByteLength);
                batch.putTreeSize(3);
                batch.putCheckpoint(3, small);

                serialized = batch.serialized();
                store.commit(batch);
            }
            // And each row is where the store reads it from.
            assertArrayEquals(small, store.entry(0).orElseThrow());
            assertArrayEquals(twoByteLength, store.entry(1).orElseThrow());
            assertArrayEquals(threeByteLength, store.entry(2).orElseThrow());
            assertEquals(hash(0, 2), store.node(0, 2));
            assertArrayEquals(twoByteLength, store.auditMark().orElseThrow());
            assertEquals(new Store.TreeState(3, List.of(hash(1, 0), hash(0, 2))), store.tree().orElseThrow());
            assertArrayEquals(small, store.checkpoint(3).orElseThrow());
        }
        // Byte for byte what RocksDB's own encoder makes of the same rows.
        List<ColumnFamilyDescriptor> families = Stream.of("default", "entries", "nodes", "checkpoints", "indexes", "leaves")
                .map(name -> new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8)))
                .toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB db = RocksDB.open(options, dir.toString(), families, handles);
                WriteBatch reference = new WriteBatch()) {
            reference.put(handles.get(1), Store.longKey(0), small);
            reference.put(handles.get(1), Store.longKey(1), twoByteLength);
            reference.put(handles.get(1), Store.longKey(2), threeByteLength);
            reference.put(handles.get(2), Store.nodeKey(0, 0), concat(0, 0, 3));
            reference.put(handles.get(2), Store.nodeKey(1, 0), concat(1, 0, 1));
            reference.put(handles.get(0), "audited".getBytes(StandardCharsets.UTF_8), twoByteLength);
            reference.put(handles.get(0), "tree".getBytes(StandardCharsets.UTF_8), Store.longKey(3));
            reference.put(handles.get(3), Store.longKey(3), small);
            assertArrayEquals(reference.data(), serialized);
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
        }
    }

    @Test
    void leafRowsIngestedAsATableFileAreFoundAndRecorded() {
        try (Store store = Store.open(dir)) {
            assertTrue(store.leafRowsUpTo().isEmpty());
            List<byte[]> rows = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                rows.add(Store.leafKey(hash(0, i % 700), i)); // 300 leaves logged twice
            }
            rows.sort(Arrays::compareUnsigned);
            store.ingestLeafRows(concat(rows), 1000);
            assertEquals(1000, store.leafRowsUpTo().orElseThrow());
            // Taken in again (a crash before the record): the same rows, nothing changes.
            store.ingestLeafRows(concat(rows.subList(0, 10)), 1000);
            for (int i = 0; i < 700; i++) {
                assertEquals(i, store.indexOfLeaf(hash(0, i)).orElseThrow(), "the first index of leaf " + i);
            }
            assertTrue(store.indexOfLeaf(hash(1, 0)).isEmpty());
            assertFalse(Files.exists(dir.resolve("leaf-rows.ingest")), "the table file was moved into the store");
        }
        try (Store store = Store.open(dir)) {
            assertEquals(1000, store.leafRowsUpTo().orElseThrow());
            assertEquals(699, store.indexOfLeaf(hash(0, 699)).orElseThrow());
        }
    }

    @Test
    void keyRowsIngestedAsATableFileAreFoundAndRecorded() {
        List<IndexKey> keys = List.of(
                new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://example.org/" + "a".repeat(300)), // a 2-byte length
                new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://example.org/b"),
                new IndexKey(IndexKey.Kind.SERIAL, "0a1b"),
                new IndexKey(IndexKey.Kind.TOKEN_ID, "spiffe://example.org/b")); // same value, other kind
        List<byte[]> rows = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            rows.add(Store.indexRowKey(keys.get(i % keys.size()), i));
        }
        rows.sort(Arrays::compareUnsigned);
        int[] ends = new int[rows.size()];
        for (int i = 0, at = 0; i < ends.length; i++) {
            at += rows.get(i).length;
            ends[i] = at;
        }
        try (Store store = Store.open(dir)) {
            assertTrue(store.keyRowsUpTo().isEmpty());
            store.ingestKeyRows(concat(rows), ends, 400);
            assertEquals(400, store.keyRowsUpTo().orElseThrow());
            // Taken in again (a crash before the record): the same rows, nothing changes.
            store.ingestKeyRows(concat(rows), ends, 400);
            for (int k = 0; k < keys.size(); k++) {
                assertEquals(List.of((long) k, k + 4L, k + 8L), store.lookup(keys.get(k), 0, 3), keys.get(k).toString());
                assertEquals(100, store.lookup(keys.get(k), 0, 1000).size());
                assertEquals(List.of(396L + k), store.lookup(keys.get(k), 396, 10));
            }
            assertEquals(List.of(), store.lookup(new IndexKey(IndexKey.Kind.SERIAL, "0a1"), 0, 10));
            assertFalse(Files.exists(dir.resolve("key-rows.ingest")), "the table file was moved into the store");
        }
        try (Store store = Store.open(dir)) {
            assertEquals(400, store.keyRowsUpTo().orElseThrow());
            assertEquals(List.of(399L), store.lookup(keys.get(3), 399, 10));
        }
    }

    /**
     * Flushes and compactions write with O_DIRECT where the file system takes it; where it does
     * not (tmpfs), the store must still flush, or every write would fail once a memtable filled.
     * A backup flushes the memtables first.
     */
    @Test
    void flushesOnAFileSystemWithoutDirectWrites() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "no /dev/shm (tmpfs) on this machine");
        Path onTmpfs = Files.createTempDirectory(shm, "store-test");
        try {
            for (Path where : List.of(onTmpfs, dir)) {
                try (Store store = Store.open(where.resolve("log"))) {
                    try (Store.Batch batch = store.newBatch()) {
                        batch.putEntry(0, "entry".getBytes(StandardCharsets.UTF_8));
                        store.commit(batch);
                    }
                    store.backup(where.resolve("copy"));
                }
                try (Store copy = Store.open(where.resolve("copy"))) {
                    assertArrayEquals("entry".getBytes(StandardCharsets.UTF_8), copy.entry(0).orElseThrow());
                }
                try (Stream<Path> files = Files.list(where.resolve("copy"))) {
                    assertTrue(files.anyMatch(f -> f.toString().endsWith(".sst")), "the backup holds a flushed table file in " + where);
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(onTmpfs)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static byte[] concat(List<byte[]> rows) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        rows.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static void commit(Store store, int level, long first, int n) {
        try (Store.Batch batch = store.newBatch()) {
            batch.putNodeRun(level, first, concat(level, first, n));
            store.commit(batch);
        }
    }

    private static byte[] concat(int level, long first, int n) {
        byte[] out = new byte[n * Hash.SIZE];
        for (int i = 0; i < n; i++) {
            hash(level, first + i).copyTo(out, i * Hash.SIZE);
        }
        return out;
    }

    private static Hash hash(int level, long index) {
        return Rfc6962.hashLeaf((level + "/" + index).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
