package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A damaged store is refused with a message naming what is wrong, so the log never signs a
 * checkpoint over data that does not reproduce the roots it published. Each case builds a log of
 * {@value #SIZE} entries in several batches, the first {@value #AUDITED} of them audited by a
 * reopen, damages the store the way a disk, an operator or an intruder might (through RocksDB, so
 * checksums stay valid, or in the files themselves), and reopens it, or audits it in full.
 *
 * <p>An open audits only what was appended since the last audit: a damage there, on the right
 * border of the audited part, or to the newest entry is refused at open; a damage inside the
 * audited part is left to the full audit ({@link Ledger#audit}), which refuses every case.
 */
class CorruptStoreTest {
    private static final int SIZE = 600;
    private static final int AUDITED = 300;
    /** A damage the open must refuse with this message, or must not see ({@code ""}), or may see either way ({@code null}). */
    private static final String NOT_READ_AT_OPEN = "";

    @TempDir
    Path dir;

    /** One way to damage a closed store. */
    private interface Damage {
        void apply(Path store) throws Exception;
    }

    static Stream<Arguments> damages() {
        return Stream.of(
                // Appended since the last audit.
                Arguments.of("an entry overwritten", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.put(cf.get(1), Store.longKey(400), bytes("tampered"))), "entry 400 does not hash to its stored leaf",
                        "entry 400 does not hash to its stored leaf"),
                // Within the run (one per level and batch) that holds it, wherever the batches ended.
                Arguments.of("a leaf hash overwritten", (Damage) store -> tamperNode(store, 0, 410),
                        "entry 410 does not hash to its stored leaf", "entry 410 does not hash to its stored leaf"),
                Arguments.of("an inner node overwritten", (Damage) store -> tamperNode(store, 3, 60),
                        "node 3/60 is not the hash of its children", "node 3/60 is not the hash of its children"),
                Arguments.of("the newest entries deleted", (Damage) store -> TestLogs.raw(store, (db, cf, batch) -> {
                    for (long i = SIZE - 5; i < SIZE; i++) {
                        batch.delete(cf.get(1), Store.longKey(i));
                    }
                }), "entry " + (SIZE - 1) + " is missing", "entry " + (SIZE - 1) + " is missing"),
                Arguments.of("an entry in the middle deleted", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.delete(cf.get(1), Store.longKey(417))), "missing entry 417", "missing entry 417"),
                Arguments.of("a leaf-hash index row deleted", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.delete(cf.get(5), Store.leafKey(leaf(420), 420))), "entry 420 has no row in the leaf-hash index",
                        "entry 420 has no row in the leaf-hash index"),
                // The audited part's right border (300 = 256 + 32 + 8 + 4: nodes 8/0, 5/8, 3/36, 2/74),
                // none of them on the border of 600.
                Arguments.of("a node on the audited part's border overwritten", (Damage) store -> tamperNode(store, 5, 8),
                        "its nodes give root", "node 5/8 is not the hash of its children"),
                // Inside the audited part: read by the full audit only.
                Arguments.of("an audited entry overwritten", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.put(cf.get(1), Store.longKey(100), bytes("tampered"))), NOT_READ_AT_OPEN,
                        "entry 100 does not hash to its stored leaf"),
                Arguments.of("an audited leaf hash overwritten", (Damage) store -> tamperNode(store, 0, 110), NOT_READ_AT_OPEN,
                        "entry 110 does not hash to its stored leaf"),
                Arguments.of("an audited inner node overwritten", (Damage) store -> tamperNode(store, 3, 10), NOT_READ_AT_OPEN,
                        "node 3/10 is not the hash of its children"),
                Arguments.of("an audited leaf-hash index row deleted", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.delete(cf.get(5), Store.leafKey(leaf(120), 120))), NOT_READ_AT_OPEN,
                        "entry 120 has no row in the leaf-hash index"),
                Arguments.of("an audited entry deleted", (Damage) store -> TestLogs.raw(store, (db, cf, batch) ->
                        batch.delete(cf.get(1), Store.longKey(17))), NOT_READ_AT_OPEN, "missing entry 17"),
                // Anywhere: the open sees it when it reads that block.
                Arguments.of("a byte flipped in a table file", (Damage) store -> {
                    flush(store);
                    Path table = tables(store).getLast();
                    try (RandomAccessFile file = new RandomAccessFile(table.toFile(), "rw")) {
                        long at = file.length() / 3;
                        file.seek(at);
                        int b = file.read();
                        file.seek(at);
                        file.write(b ^ 0x40);
                    }
                }, null, "checksum mismatch"),
                Arguments.of("a table file deleted", (Damage) store -> {
                    flush(store);
                    Files.delete(tables(store).getLast());
                }, ".sst", ".sst"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void atOpenADamageSinceTheLastAuditIsRefused(String what, Damage damage, String atOpen, String byAudit) throws Exception {
        build(true);
        damage.apply(dir);
        if (atOpen == null) {
            return;
        }
        if (atOpen.equals(NOT_READ_AT_OPEN)) {
            try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
                assertEquals(SIZE, ledger.checkpoint().size(), what + ": not read at open, left to the full audit");
                // The audit a server runs in the background after it starts finds it and stops the log.
                StorageException e = assertThrows(StorageException.class, ledger::auditWhileServing, what);
                assertTrue(e.getMessage().contains(byAudit), what + ": the message should name the problem (" + byAudit + "): " + e.getMessage());
                assertTrue(ledger.failure().isPresent(), what + ": the log should report why it stopped");
                CompletableFuture<Appended> refused = ledger.append(bytes("after the damage was found"), false);
                ExecutionException stopped = assertThrows(ExecutionException.class, refused::get, what);
                assertTrue(stopped.getCause() instanceof LedgerUnavailableException && stopped.getCause().getMessage().contains(byAudit),
                        what + ": appends are refused naming the damage: " + stopped.getCause());
                assertEquals(SIZE, ledger.checkpoint().size(), what + ": nothing signed after the damage was found");
            }
            return;
        }
        StorageException e = assertThrows(StorageException.class, () -> Ledger.open(TestLogs.config(dir)).close(), what);
        assertTrue(e.getMessage().contains(atOpen), what + ": the message should name the problem (" + atOpen + "): " + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void theFullAuditRefusesEveryDamage(String what, Damage damage, String atOpen, String byAudit) throws Exception {
        build(true);
        damage.apply(dir);
        StorageException e = assertThrows(StorageException.class,
                () -> Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier()), what);
        assertTrue(e.getMessage().contains(byAudit), what + ": the message should name the problem (" + byAudit + "): " + e.getMessage());
    }

    /** An undamaged store passes the full audit, which moves the audit mark: the next open reads nothing more. */
    @Test
    void anUndamagedStorePassesTheAuditWhileServingAndKeepsAppending() throws Exception {
        build(true);
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertEquals(SIZE, ledger.auditWhileServing().size());
            assertTrue(ledger.failure().isEmpty());
            assertEquals(SIZE, ledger.append(bytes("after the audit"), false).get().index());
        }
        try (Store store = Store.open(dir)) {
            assertEquals(SIZE, store.auditMark().flatMap(StoreAudit.Mark::decode).orElseThrow().size(), "the audit moved the mark");
        }
    }

    @Test
    void anUndamagedStorePassesTheFullAudit() throws Exception {
        build(true);
        SignedCheckpoint audited = Ledger.audit(dir, TestLogs.ORIGIN, TestLogs.verifier());
        assertEquals(SIZE, audited.size());
        try (Store store = Store.open(dir)) {
            assertEquals(java.util.Optional.of(new StoreAudit.Mark(SIZE, audited.checkpoint().root())),
                    store.auditMark().flatMap(StoreAudit.Mark::decode));
            assertEquals(0, StoreAudit.sinceMark(store, new StoreAudit.Mark(SIZE, audited.checkpoint().root())));
        }
    }

    /**
     * The write-ahead log cut in the middle of one of its last records (a torn write): RocksDB
     * recovers up to the last whole record. Every batch is one record holding its entries, nodes
     * and tree size, followed by a record with its checkpoint note. A cut into the last note (20
     * bytes) leaves the last batch whole: the log signs its root again and reopens at exactly the
     * checkpoint it published (Ed25519 is deterministic: the same note). A cut into the last batch
     * (400 bytes: the note record is about 250) reopens exactly at an earlier checkpoint it signed,
     * never in between. (That checkpoint is older than the last one published: with witnesses
     * configured, the server refuses to start on such a store; see the witness submitter's tests.)
     */
    @ParameterizedTest(name = "cut {0} bytes")
    @ValueSource(ints = {20, 400})
    void aTornWriteAheadLogReopensAtASignedCheckpoint(int cut) throws Exception {
        List<SignedCheckpoint> published = build(false);
        Path wal = Files.list(dir).filter(p -> p.getFileName().toString().endsWith(".log"))
                .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - cut);
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            SignedCheckpoint reopened = ledger.checkpoint();
            if (cut < 250) {
                assertEquals(SIZE, reopened.size(), "the last batch is whole, only its note was torn");
            } else {
                assertTrue(reopened.size() < SIZE, "the torn batch is gone: " + reopened.size());
            }
            SignedCheckpoint same = published.stream().filter(c -> c.size() == reopened.size()).findFirst()
                    .orElseThrow(() -> new AssertionError("reopened at size " + reopened.size() + ", which was never signed"));
            assertEquals(same, reopened, "the very note published for that size");
        }
    }

    /**
     * Appends {@value #SIZE} entries in batches of 50 and closes the log (its batches stay in the
     * write-ahead log); with {@code audited}, closes and reopens it after {@value #AUDITED} entries,
     * which audits them (and moves them into table files). Returns the checkpoints the appends
     * returned (one per batch the sequencer made, repeated).
     */
    private List<SignedCheckpoint> build(boolean audited) throws Exception {
        List<SignedCheckpoint> published = new ArrayList<>();
        int pause = audited ? AUDITED : SIZE;
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            append(ledger, 0, pause, published);
        }
        if (audited) {
            try (Ledger reopened = Ledger.open(TestLogs.config(dir))) {
                assertEquals(AUDITED, reopened.checkpoint().size(), "the undamaged store opens");
                append(reopened, AUDITED, SIZE, published);
            }
        }
        return published;
    }

    private static void append(Ledger ledger, int from, int to, List<SignedCheckpoint> published) throws Exception {
        for (int batch = from; batch < to; batch += 50) {
            List<java.util.concurrent.CompletableFuture<Appended>> futures = new ArrayList<>();
            for (int i = batch; i < batch + 50; i++) {
                futures.add(ledger.append(bytes("entry " + i), false));
            }
            for (var f : futures) {
                published.add(f.get().checkpoint()); // every batch's checkpoint, wherever batches ended
            }
        }
        assertEquals(to, ledger.checkpoint().size());
    }

    /** Moves everything from the write-ahead log into table files. */
    private static void flush(Path store) throws RocksDBException {
        TestLogs.raw(store, (db, cf, batch) -> {
            try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
                db.flush(wait, cf);
            }
        });
    }

    /** The store's table files, smallest first. */
    private static List<Path> tables(Path store) throws IOException {
        try (Stream<Path> files = Files.list(store)) {
            List<Path> tables = files.filter(p -> p.getFileName().toString().endsWith(".sst"))
                    .sorted(Comparator.comparingLong(p -> p.toFile().length())).toList();
            assertTrue(!tables.isEmpty(), "no table file after a flush");
            return tables;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static {
        RocksDB.loadLibrary();
    }

    /** Leaf {@code i} as {@link #build} appended it. */
    private static Hash leaf(long i) {
        return Rfc6962.hashLeaf(bytes("entry " + i));
    }

    /** The run of nodes {@code [first, first + n)} of {@code level} as stored, with node {@code tampered} replaced. */
    /**
     * Replaces the stored hash of node {@code index} at {@code level} by another valid-looking hash,
     * inside whichever stored run (key: level and first index; value: consecutive hashes) holds it.
     */
    private static void tamperNode(Path store, int level, long index) throws RocksDBException {
        TestLogs.raw(store, (db, cf, batch) -> {
            try (org.rocksdb.RocksIterator it = db.newIterator(cf.get(2))) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    ByteBuffer key = ByteBuffer.wrap(it.key());
                    long first = key.get() == level ? key.getLong() : -1;
                    byte[] hashes = it.value();
                    if (first >= 0 && first <= index && index < first + hashes.length / Hash.SIZE) {
                        byte[] changed = hashes.clone();
                        System.arraycopy(leaf(-1).toByteArray(), 0, changed, (int) (index - first) * Hash.SIZE, Hash.SIZE);
                        batch.put(cf.get(2), it.key(), changed);
                        return;
                    }
                }
            }
            throw new AssertionError("no stored run holds node " + level + "/" + index);
        });
    }
}
