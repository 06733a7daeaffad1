package dev.agentledger.ledger;

import dev.agentledger.merkle.note.Ed25519NoteSigner;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** A fixed test key and configurations that use it. */
final class TestLogs {
    static final String ORIGIN = "test.agentledger.local/log";
    private static final SignerKey KEY = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, new byte[32]);

    private TestLogs() {}

    static Ed25519NoteSigner signer() {
        return Ed25519NoteSigner.create(KEY);
    }

    static Ed25519NoteVerifier verifier() {
        return Ed25519NoteVerifier.create(KEY.verifierKey());
    }

    static LedgerConfig config(Path directory) {
        return LedgerConfig.of(directory, ORIGIN, signer(), verifier());
    }

    /**
     * Appends {@code entries} again in one group, each with dedupe: each must come back at its
     * index in {@code expected} (the same order), and the tree must not grow.
     */
    static void assertDedupeFinds(Ledger ledger, List<byte[]> entries, List<Long> expected) throws Exception {
        long size = ledger.checkpoint().size();
        boolean[] dedupe = new boolean[entries.size()];
        java.util.Arrays.fill(dedupe, true);
        List<Appended> again = ledger.appendAll(entries, dedupe).get();
        for (int i = 0; i < expected.size(); i++) {
            org.junit.jupiter.api.Assertions.assertEquals(expected.get(i), again.get(i).index(), "dedupe of the entry logged at " + expected.get(i));
        }
        org.junit.jupiter.api.Assertions.assertEquals(size, ledger.checkpoint().size(), "dedupe of logged entries grew the tree");
    }

    /** A write into the raw store's column families (default, entries, nodes, checkpoints, indexes, leaves). */
    interface RawWrite {
        void apply(RocksDB db, List<ColumnFamilyHandle> families, WriteBatch batch) throws RocksDBException;
    }

    /** Opens the closed store in {@code store} with RocksDB alone, applies {@code write} as one synced batch, closes it. */
    static void raw(Path store, RawWrite write) throws RocksDBException {
        List<ColumnFamilyDescriptor> families = Stream.of("default", "entries", "nodes", "checkpoints", "indexes", "leaves")
                .map(name -> new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8))).toList();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions();
                RocksDB db = RocksDB.open(options, store.toString(), families, handles);
                WriteBatch batch = new WriteBatch();
                WriteOptions sync = new WriteOptions().setSync(true)) {
            write.apply(db, handles, batch);
            db.write(sync, batch);
            handles.forEach(ColumnFamilyHandle::close);
        }
    }
}
