package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Proofs;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.tiles.EntryBundle;
import dev.agentledger.merkle.tiles.Tile;
import dev.agentledger.merkle.tiles.TileNodeSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
    @TempDir
    Path dir;

    @Test
    void newLogPublishesTheEmptyTree() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            SignedCheckpoint empty = ledger.checkpoint();
            assertEquals(0, empty.size());
            assertEquals(Rfc6962.EMPTY_ROOT, empty.checkpoint().root());
            assertEquals(TestLogs.ORIGIN, empty.checkpoint().origin());
            Notes.open(empty.note(), List.of(TestLogs.verifier()));
        }
    }

    @Test
    void appendReturnsAVerifiableLoggedEntry() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            byte[] entry = bytes("first entry");
            Appended a = ledger.append(entry, false).get();
            assertEquals(0, a.index());
            assertEquals(Rfc6962.hashLeaf(entry), a.leafHash());
            Checkpoint cp = Checkpoint.parse(Notes.open(a.checkpoint().note(), List.of(TestLogs.verifier())).text());
            assertEquals(1, cp.size());
            a.proof().verify(a.leafHash(), cp.root());
            assertArrayEquals(entry, ledger.entry(0).orElseThrow());
        }
    }

    @Test
    void entriesReadsARunOfPublishedEntriesAndNothingBeyond() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            List<CompletableFuture<Appended>> fs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                fs.add(ledger.append(bytes("entry " + i), false));
            }
            fs.getLast().get();
            for (int[] run : new int[][] {{0, 1}, {0, Ledger.MAX_ENTRIES_READ}, {300 - Ledger.MAX_ENTRIES_READ, Ledger.MAX_ENTRIES_READ}, {299, 1}, {44, 13}}) {
                List<byte[]> read = ledger.entries(run[0], run[1]);
                assertEquals(run[1], read.size());
                for (int i = 0; i < run[1]; i++) {
                    assertArrayEquals(ledger.entry(run[0] + i).orElseThrow(), read.get(i));
                }
            }
            assertThrows(IllegalArgumentException.class, () -> ledger.entries(299, 2), "beyond the checkpoint");
            assertThrows(IllegalArgumentException.class, () -> ledger.entries(300, 1), "beyond the checkpoint");
            assertThrows(IllegalArgumentException.class, () -> ledger.entries(-1, 1), "negative start");
            assertThrows(IllegalArgumentException.class, () -> ledger.entries(0, 0), "nothing asked");
            assertThrows(IllegalArgumentException.class, () -> ledger.entries(0, Ledger.MAX_ENTRIES_READ + 1), "over the limit");
        }
    }

    @Test
    void concurrentAppendsGetDistinctContiguousIndexesAndValidProofs() throws Exception {
        int threads = 16;
        int each = 200;
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitters.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        CompletableFuture<Appended> f = ledger.append(bytes("t" + thread + " e" + i), false);
                        synchronized (futures) {
                            futures.add(f);
                        }
                    }
                }));
            }
            for (Thread s : submitters) {
                s.join();
            }
            Set<Long> indexes = new HashSet<>();
            for (CompletableFuture<Appended> f : futures) {
                Appended a = f.get();
                assertTrue(indexes.add(a.index()), "index " + a.index() + " given twice");
                a.proof().verify(a.leafHash(), a.checkpoint().checkpoint().root());
                assertEquals(a.leafHash(), Rfc6962.hashLeaf(ledger.entry(a.index()).orElseThrow()));
            }
            assertEquals(threads * each, indexes.size());
            assertEquals(threads * each - 1, indexes.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertEquals(threads * each, ledger.checkpoint().size());
        }
    }

    @Test
    void dedupeReturnsTheExistingIndexOnlyWhenAsked() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            Appended first = ledger.append(bytes("same"), true).get();
            ledger.append(bytes("other"), false).get();
            Appended again = ledger.append(bytes("same"), true).get();
            assertEquals(first.index(), again.index());
            assertTrue(again.duplicate());
            assertEquals(2, ledger.checkpoint().size());
            again.proof().verify(again.leafHash(), again.checkpoint().checkpoint().root());
            Appended forced = ledger.append(bytes("same"), false).get();
            assertEquals(2, forced.index());
            assertFalse(forced.duplicate());
        }
    }

    @Test
    void dedupeWithinOneBatch() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            List<CompletableFuture<Appended>> same = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                same.add(ledger.append(bytes("burst"), true));
            }
            Set<Long> indexes = new HashSet<>();
            for (CompletableFuture<Appended> f : same) {
                indexes.add(f.get().index());
            }
            assertEquals(Set.of(0L), indexes);
            assertEquals(1, ledger.checkpoint().size());
        }
    }

    @Test
    void badEntriesAreRefusedAndChangeNothing() throws Exception {
        EntryIndexer strict = entry -> {
            if (entry[0] != 'o') {
                throw new InvalidEntryException("entries must start with 'o'");
            }
            return List.of(new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://test/" + new String(entry, StandardCharsets.UTF_8)));
        };
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(strict))) {
            ledger.append(bytes("ok"), false).get();
            SignedCheckpoint before = ledger.checkpoint();
            for (byte[] bad : List.of(new byte[0], new byte[Ledger.MAX_ENTRY_BYTES + 1], bytes("nope"))) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> ledger.append(bad, false).get());
                assertInstanceOf(InvalidEntryException.class, e.getCause());
            }
            assertEquals(before, ledger.checkpoint());
            assertEquals(List.of(0L), ledger.lookup(new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://test/ok"), 0, 10));
            assertEquals(List.of(), ledger.lookup(new IndexKey(IndexKey.Kind.SPIFFE_ID, "spiffe://test/nope"), 0, 10));
        }
    }

    @Test
    void lookupFindsEveryEntryWithAKey() throws Exception {
        EntryIndexer bySerial = entry -> List.of(new IndexKey(IndexKey.Kind.SERIAL, new String(entry, StandardCharsets.UTF_8).split(" ")[0]));
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withIndexer(bySerial))) {
            for (int i = 0; i < 30; i++) {
                ledger.append(bytes((i % 3 == 0 ? "aa" : "bb") + " " + i), false).get();
            }
            IndexKey aa = new IndexKey(IndexKey.Kind.SERIAL, "aa");
            assertEquals(List.of(0L, 3L, 6L, 9L, 12L, 15L, 18L, 21L, 24L, 27L), ledger.lookup(aa, 0, 100));
            assertEquals(List.of(9L, 12L), ledger.lookup(aa, 7, 2));
            // Another kind with the same value is another key.
            assertEquals(List.of(), ledger.lookup(new IndexKey(IndexKey.Kind.TOKEN_ID, "aa"), 0, 100));
        }
    }

    @Test
    void tilesAloneReproduceEveryCheckpoint() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withBatching(37, 5000))) {
            List<SignedCheckpoint> seen = new ArrayList<>();
            List<Hash> leaves = new ArrayList<>();
            // Batches of odd sizes leave partial tiles of many widths behind.
            for (int i = 0; i < 70_000; ) {
                int batch = Math.min(1 + (i * 7919) % 2500, 70_000 - i);
                List<CompletableFuture<Appended>> fs = new ArrayList<>();
                for (int j = 0; j < batch; j++, i++) {
                    byte[] e = bytes("entry " + i);
                    leaves.add(Rfc6962.hashLeaf(e));
                    fs.add(ledger.append(e, false));
                }
                fs.getLast().get();
                seen.add(ledger.checkpoint());
            }
            for (SignedCheckpoint cp : seen) {
                long size = cp.size();
                TileNodeSource fromTiles = new TileNodeSource(size, tile -> ledger.tile(tile).orElseThrow());
                assertEquals(cp.checkpoint().root(), Proofs.root(fromTiles, size), "root at " + size);
            }
            assertEquals(CompactRange.of(leaves).root(), ledger.checkpoint().checkpoint().root());
            // Entry bundles hash to the level-0 tiles.
            long size = ledger.checkpoint().size();
            for (long n = 0; n * 256 < size; n++) {
                int width = (int) Math.min(256, size - n * 256);
                Tile tile = new Tile(0, n, width);
                EntryBundle bundle = EntryBundle.parse(ledger.entryBundle(tile).orElseThrow(), width);
                for (int k = 0; k < width; k++) {
                    assertEquals(leaves.get((int) (n * 256 + k)), bundle.leafHash(k));
                }
            }
        }
    }

    @Test
    void tilesBeyondTheTreeAreAbsent() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            for (int i = 0; i < 300; i++) {
                ledger.append(bytes("e" + i), false);
            }
            ledger.append(bytes("last"), false).get();
            assertTrue(ledger.tile(Tile.full(0, 0)).isPresent());
            assertTrue(ledger.tile(new Tile(0, 1, 45)).isPresent());
            assertTrue(ledger.tile(new Tile(0, 1, 10)).isPresent(), "a narrower partial tile is a prefix");
            assertTrue(ledger.tile(new Tile(0, 1, 46)).isEmpty());
            assertTrue(ledger.tile(Tile.full(0, 1)).isEmpty());
            assertTrue(ledger.tile(new Tile(1, 0, 1)).isPresent());
            assertTrue(ledger.tile(new Tile(1, 0, 2)).isEmpty());
            assertTrue(ledger.entryBundle(new Tile(0, 1, 45)).isPresent());
            assertTrue(ledger.entryBundle(new Tile(0, 2, 1)).isEmpty());
        }
    }

    @Test
    void reopeningContinuesTheSameLog() throws Exception {
        List<SignedCheckpoint> seen = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
                for (int i = 0; i < 100; i++) {
                    seen.add(ledger.append(bytes("round " + round + " entry " + i), false).get().checkpoint());
                }
            }
        }
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            SignedCheckpoint last = ledger.checkpoint();
            assertEquals(300, last.size());
            for (SignedCheckpoint cp : seen) {
                ledger.consistencyProof(cp.size(), last.size()).verify(cp.checkpoint().root(), last.checkpoint().root());
                assertEquals(cp, ledger.checkpoint(cp.size()).orElseThrow());
            }
        }
    }

    @Test
    void proofsForOlderSizesVerifyAgainstOlderCheckpoints() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            List<SignedCheckpoint> seen = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                seen.add(ledger.append(bytes("e" + i), false).get().checkpoint());
            }
            for (SignedCheckpoint cp : seen) {
                for (long index = 0; index < cp.size(); index++) {
                    Hash leaf = Rfc6962.hashLeaf(ledger.entry(index).orElseThrow());
                    ledger.inclusionProof(index, cp.size()).verify(leaf, cp.checkpoint().root());
                }
            }
            assertThrows(IllegalArgumentException.class, () -> ledger.inclusionProof(0, 41));
            assertThrows(IllegalArgumentException.class, () -> ledger.inclusionProof(40, 40));
            assertThrows(IllegalArgumentException.class, () -> ledger.consistencyProof(0, 40));
        }
    }

    @Test
    void aStoreFromAnotherKeyIsRefused() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            ledger.append(bytes("x"), false).get();
        }
        var otherKey = dev.agentledger.merkle.note.SignerKey.generate(TestLogs.ORIGIN, dev.agentledger.merkle.note.SignatureType.ED25519);
        LedgerConfig other = LedgerConfig.of(dir, TestLogs.ORIGIN,
                dev.agentledger.merkle.note.Ed25519NoteSigner.create(otherKey),
                dev.agentledger.merkle.note.Ed25519NoteVerifier.create(otherKey.verifierKey()));
        StorageException e = assertThrows(StorageException.class, () -> Ledger.open(other));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void aStoreWhoseNodesDoNotReproduceTheCheckpointIsRefused() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            for (int i = 0; i < 10; i++) {
                ledger.append(bytes("e" + i), false).get();
            }
        }
        try (Store store = Store.open(dir); Store.Batch batch = store.newBatch()) {
            // Size 10 = subtrees [0, 8) and [8, 10): reopening reads both to recompute the root.
            batch.putNodeRun(3, 0, Rfc6962.hashLeaf(bytes("tampered")).toByteArray());
            store.commit(batch);
        }
        StorageException e = assertThrows(StorageException.class, () -> Ledger.open(TestLogs.config(dir)));
        assertTrue(e.getMessage().contains("stored nodes give root"), e.getMessage());
    }

    @Test
    void aStoreWithAnEntryBeyondItsTreeIsRefused() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            ledger.append(bytes("e"), false).get();
        }
        try (Store store = Store.open(dir); Store.Batch batch = store.newBatch()) {
            batch.putEntry(1, bytes("smuggled"));
            store.commit(batch);
        }
        assertThrows(StorageException.class, () -> Ledger.open(TestLogs.config(dir)));
    }

    @Test
    void appendsAfterCloseFailAsUnavailable() throws Exception {
        Ledger ledger = Ledger.open(TestLogs.config(dir));
        ledger.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> ledger.append(bytes("late"), false).get());
        assertInstanceOf(LedgerUnavailableException.class, e.getCause());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
