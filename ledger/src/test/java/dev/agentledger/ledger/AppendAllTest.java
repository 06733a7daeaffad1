package dev.agentledger.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.Notes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Appending a group of entries at once: one batch, one checkpoint, all or nothing. */
class AppendAllTest {
    @TempDir
    Path dir;

    @Test
    void aGroupGetsConsecutiveIndexesAndProofsToOneCheckpoint() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            ledger.append(bytes("before"), false).get();
            List<byte[]> entries = List.of(bytes("a"), bytes("b"), bytes("c"), bytes("d"), bytes("e"));
            List<Appended> appended = ledger.appendAll(entries, new boolean[entries.size()]).get();
            assertEquals(entries.size(), appended.size());
            SignedCheckpoint checkpoint = appended.getFirst().checkpoint();
            Checkpoint opened = Checkpoint.parse(Notes.open(checkpoint.note(), List.of(TestLogs.verifier())).text());
            assertEquals(1 + entries.size(), opened.size());
            for (int i = 0; i < entries.size(); i++) {
                Appended a = appended.get(i);
                assertEquals(1 + i, a.index());
                assertEquals(checkpoint, a.checkpoint());
                assertEquals(Rfc6962.hashLeaf(entries.get(i)), a.leafHash());
                a.proof().verify(a.leafHash(), opened.root());
                assertTrue(Arrays.equals(entries.get(i), ledger.entry(a.index()).orElseThrow()));
            }
        }
    }

    @Test
    void oneBadEntryRefusesTheWholeGroupAndNamesIt() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            ledger.append(bytes("before"), false).get();
            SignedCheckpoint before = ledger.checkpoint();
            List<byte[]> entries = List.of(bytes("good"), new byte[0], bytes("also good"));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> ledger.appendAll(entries, new boolean[3]).get());
            InvalidEntryException invalid = assertInstanceOf(InvalidEntryException.class, e.getCause());
            assertTrue(invalid.getMessage().startsWith("entry 1 of 3: "), invalid.getMessage());
            List<byte[]> oversize = List.of(bytes("good"), new byte[Ledger.MAX_ENTRY_BYTES + 1]);
            ExecutionException big = assertThrows(ExecutionException.class,
                    () -> ledger.appendAll(oversize, new boolean[2]).get());
            assertInstanceOf(InvalidEntryException.class, big.getCause());
            assertEquals(before, ledger.checkpoint());
            assertTrue(ledger.entry(1).isEmpty());
        }
        try (Ledger reopened = Ledger.open(TestLogs.config(dir))) {
            assertEquals(1, reopened.checkpoint().size());
        }
    }

    @Test
    void dedupeIsPerEntryAndWorksWithinTheGroup() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            Appended first = ledger.append(bytes("logged"), false).get();
            List<Appended> appended = ledger.appendAll(
                    List.of(bytes("logged"), bytes("new"), bytes("new"), bytes("logged")),
                    new boolean[] {true, true, true, false}).get();
            assertEquals(first.index(), appended.get(0).index());
            assertTrue(appended.get(0).duplicate());
            assertEquals(1, appended.get(1).index());
            assertFalse(appended.get(1).duplicate());
            assertEquals(1, appended.get(2).index());
            assertTrue(appended.get(2).duplicate());
            assertEquals(2, appended.get(3).index(), "without dedupe the same bytes are logged again");
            assertEquals(3, ledger.checkpoint().size());
        }
    }

    @Test
    void mismatchedFlagsAreACallerBug() throws Exception {
        try (Ledger ledger = Ledger.open(TestLogs.config(dir))) {
            assertThrows(IllegalArgumentException.class, () -> ledger.appendAll(List.of(bytes("x")), new boolean[2]));
            assertThrows(IllegalArgumentException.class, () -> ledger.appendAll(List.of(), new boolean[0]));
        }
    }

    /**
     * Groups submitted concurrently with single appends, under a small batch limit: a group is
     * never split, so each one's indexes are consecutive and share one checkpoint, and a group
     * larger than the batch limit still commits whole.
     */
    @Test
    void concurrentGroupsAreNeverSplit() throws Exception {
        int threads = 8;
        int groupsEach = 20;
        try (Ledger ledger = Ledger.open(TestLogs.config(dir).withBatching(16, 1024))) {
            List<CompletableFuture<List<Appended>>> groups = new ArrayList<>();
            List<CompletableFuture<Appended>> singles = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                submitters.add(Thread.ofPlatform().start(() -> {
                    for (int g = 0; g < groupsEach; g++) {
                        int size = 1 + (thread * groupsEach + g) % 24; // up to 24: some exceed the batch limit
                        List<byte[]> entries = new ArrayList<>();
                        for (int i = 0; i < size; i++) {
                            entries.add(bytes("t" + thread + " g" + g + " e" + i));
                        }
                        CompletableFuture<List<Appended>> f = ledger.appendAll(entries, new boolean[size]);
                        CompletableFuture<Appended> s = ledger.append(bytes("single t" + thread + " g" + g), false);
                        synchronized (groups) {
                            groups.add(f);
                            singles.add(s);
                        }
                    }
                }));
            }
            for (Thread s : submitters) {
                s.join();
            }
            Set<Long> indexes = new HashSet<>();
            for (CompletableFuture<List<Appended>> f : groups) {
                List<Appended> group = f.get();
                for (int i = 0; i < group.size(); i++) {
                    Appended a = group.get(i);
                    assertEquals(group.getFirst().index() + i, a.index());
                    assertEquals(group.getFirst().checkpoint(), a.checkpoint());
                    a.proof().verify(a.leafHash(), a.checkpoint().checkpoint().root());
                    assertTrue(indexes.add(a.index()));
                }
            }
            for (CompletableFuture<Appended> s : singles) {
                assertTrue(indexes.add(s.get().index()));
            }
            assertEquals(indexes.size(), ledger.checkpoint().size());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
