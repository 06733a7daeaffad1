package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupTest {
    @TempDir
    Path dir;

    private static byte[] entry(int i) {
        return ("entry " + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBackupTakenDuringAppendsHoldsWholeBatchesAndReopensAsTheSameLog() throws Exception {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("copy");
        SignedCheckpoint backedUp;
        List<byte[]> original = new ArrayList<>();
        try (Ledger ledger = Ledger.open(TestLogs.config(live))) {
            for (int i = 0; i < 50; i++) {
                ledger.append(entry(i), false).join();
            }
            List<CompletableFuture<Appended>> inFlight = new ArrayList<>();
            for (int i = 50; i < 2_000; i++) {
                inFlight.add(ledger.append(entry(i), false));
            }
            backedUp = ledger.backup(copy);
            inFlight.forEach(CompletableFuture::join);
            assertTrue(backedUp.size() >= 50 && backedUp.size() <= 2_000, "backup at size " + backedUp.size());
            for (long i = 0; i < backedUp.size(); i++) {
                original.add(ledger.entry(i).orElseThrow());
            }
            assertEquals(backedUp.checkpoint().root(), ledger.inclusionProof(0, backedUp.size()).rootFrom(
                    dev.agentledger.merkle.Rfc6962.hashLeaf(original.get(0))));
        }
        try (Ledger restored = Ledger.open(TestLogs.config(copy))) {
            assertArrayEquals(backedUp.noteBytes(), restored.checkpoint().noteBytes());
            for (long i = 0; i < backedUp.size(); i++) {
                assertArrayEquals(original.get((int) i), restored.entry(i).orElseThrow(), "entry " + i);
            }
            assertTrue(restored.entry(backedUp.size()).isEmpty());
            Appended next = restored.append(entry(-1), false).join();
            assertEquals(backedUp.size(), next.index());
        }
    }

    @Test
    void aBackupIntoAnExistingDirectoryIsRefused() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(existing.resolve("keep"), "x");
        try (Ledger ledger = Ledger.open(TestLogs.config(dir.resolve("live")))) {
            ledger.append(entry(0), false).join();
            StorageException e = assertThrows(StorageException.class, () -> ledger.backup(existing));
            assertTrue(e.getMessage().contains(existing.toString()), e.getMessage());
        }
        assertEquals("x", Files.readString(existing.resolve("keep")));
    }

    @Test
    void aPublishedCheckpointMustBePartOfTheStoresHistory() throws Exception {
        byte[] early;
        byte[] late;
        try (Ledger ledger = Ledger.open(TestLogs.config(dir.resolve("a")))) {
            for (int i = 0; i < 10; i++) {
                ledger.append(entry(i), false).join();
            }
            early = ledger.checkpoint(4).orElseThrow().noteBytes();
            late = ledger.checkpoint().noteBytes();
            ledger.checkPublished(early);
            ledger.checkPublished(late);
        }
        try (Ledger shorter = Ledger.open(TestLogs.config(dir.resolve("b")))) {
            for (int i = 0; i < 5; i++) {
                shorter.append(entry(i == 3 ? 99 : i), false).join();
            }
            StorageException behind = assertThrows(StorageException.class, () -> shorter.checkPublished(late));
            assertTrue(behind.getMessage().contains("holds only 5 entries"), behind.getMessage());
            StorageException other = assertThrows(StorageException.class, () -> shorter.checkPublished(early));
            assertTrue(other.getMessage().contains("another history"), other.getMessage());
            byte[] tampered = new String(early, StandardCharsets.UTF_8).replace("\n4\n", "\n3\n").getBytes(StandardCharsets.UTF_8);
            assertThrows(StorageException.class, () -> shorter.checkPublished(tampered));
        }
    }
}
