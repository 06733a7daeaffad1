package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Node runs: one key per batch and level, read back across run boundaries. */
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
