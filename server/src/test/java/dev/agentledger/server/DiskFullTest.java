package dev.agentledger.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.CompactRange;
import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.proto.v1.AppendResponse;
import dev.agentledger.server.client.LedgerClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under a running server: its data directory is a 16 MiB tmpfs (mounted for the test,
 * so it needs root; skipped otherwise). Once the disk is full, appends fail over gRPC with
 * {@code UNAVAILABLE} and a message naming the cause, nothing that failed is in the log, and once
 * space returns appends succeed again without a restart (RocksDB resumes by itself when it sees
 * free space); after a restart everything acknowledged is there.
 */
class DiskFullTest {
    @TempDir
    Path dir;

    private Path mount;
    private boolean mounted;

    @BeforeEach
    void mountTmpfs() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "tmpfs mounts need Linux");
        mount = Files.createDirectories(dir.resolve("tmpfs"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0,
                "skipped: cannot mount a 16 MiB tmpfs here (needs root and mount rights): " + output.strip());
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void appendsFailCleanlyWhileTheDiskIsFullAndResumeWhenSpaceReturns() throws Exception {
        Path data = mount.resolve("data");
        Path filler = mount.resolve("filler");
        List<AppendResponse> acknowledged = new ArrayList<>();
        try (RunningServer server = RunningServer.start(data); LedgerClient client = server.operatorClient()) {
            acknowledged.add(client.append(RunningServer.revocation("spiffe://agentledger.local/agent/before", "0"), false));
            fill(filler);
            StatusRuntimeException refused = null;
            for (int i = 0; i < 10_000 && refused == null; i++) {
                try {
                    acknowledged.add(client.append(RunningServer.revocation("spiffe://agentledger.local/agent/f" + i, "f" + i), false));
                } catch (StatusRuntimeException e) {
                    refused = e;
                }
            }
            assertTrue(refused != null, "10,000 appends on a full disk all succeeded");
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
            // RocksDB's own error, or the store's check before reopening after a failed write
            // (when the write that hit the full disk was a committed batch's checkpoint note).
            String why = refused.getStatus().getDescription();
            assertTrue(why.contains("No space left on device") || why.contains("the disk holding the log store is full"), why);
            long size = server.treeSize();
            assertEquals(acknowledged.getLast().getIndex() + 1, size, "only acknowledged entries are in the log");
            assertRefusedWhileFull(client);
            assertEquals(size, server.treeSize(), "a refused append changed the log");

            Files.delete(filler);
            // RocksDB resumes writing by itself once it sees free space again (its file manager
            // polls for it); until then appends keep failing the same clean way.
            AppendResponse after = null;
            for (int attempt = 0; after == null; attempt++) {
                try {
                    after = client.append(RunningServer.revocation("spiffe://agentledger.local/agent/after", "after"), false);
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
                    assertTrue(attempt < 1200, "appends did not resume within two minutes of space returning: " + e);
                    Thread.sleep(100);
                }
            }
            assertEquals(size, after.getIndex(), "the first append after space returned continues the log");
            acknowledged.add(after);
            assertEquals(size + 1, server.treeSize());
        }
        try (RunningServer server = RunningServer.start(data)) {
            for (AppendResponse a : acknowledged) {
                byte[] entry = server.server.ledger().entry(a.getIndex()).orElseThrow(() -> new AssertionError("lost " + a.getIndex()));
                assertEquals(Hash.of(a.getLeafHash().toByteArray()), Rfc6962.hashLeaf(entry));
            }
        }
    }

    /**
     * Many concurrent appends while the disk fills, so batches of many appends fail and the store
     * is reopened under load. Afterwards, and after a restart, every acknowledged entry is at its
     * index and the log's entries rebuild the checkpoint's root: no gap, no batch half written. (A
     * batch whose synced write failed after reaching the write-ahead log may be in the log
     * unacknowledged, as its callers were told: such an append is retried with dedupe.)
     */
    @Test
    void concurrentAppendsOnAFillingDiskLeaveNoGapAndEveryAcknowledgedEntry() throws Exception {
        Path data = mount.resolve("data");
        Path filler = mount.resolve("filler");
        List<AppendResponse> acknowledged = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger refusals = new AtomicInteger();
        try (RunningServer server = RunningServer.start(data); LedgerClient client = server.operatorClient()) {
            acknowledged.add(client.append(RunningServer.revocation("spiffe://agentledger.local/agent/before", "0"), false));
            fillAllBut(filler, 1 << 20); // the appends below fill the last MiB
            try (var callers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int t = 0; t < 32; t++) {
                    int caller = t;
                    callers.submit(() -> {
                        for (int i = 0; i < 5_000 && refusals.get() < 200; i++) {
                            try {
                                acknowledged.add(client.append(RunningServer.revocation(
                                        "spiffe://agentledger.local/agent/c" + caller + "-" + i, caller + "-" + i), false));
                            } catch (StatusRuntimeException e) {
                                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
                                refusals.incrementAndGet();
                            }
                        }
                        return null;
                    });
                }
            }
            assertTrue(refusals.get() > 0, "the disk never filled");
            assertEquals(acknowledged.size(), acknowledged.stream().mapToLong(AppendResponse::getIndex).distinct().count(),
                    "each acknowledged entry has its own index");
            assertLogHolds(server, acknowledged);
        }
        Files.delete(filler);
        try (RunningServer server = RunningServer.start(data)) {
            assertLogHolds(server, acknowledged);
        }
    }

    /** Every acknowledged entry is at its index, and the leaves of all entries give the checkpoint's root. */
    private static void assertLogHolds(RunningServer server, List<AppendResponse> acknowledged) {
        long size = server.treeSize();
        for (AppendResponse a : acknowledged) {
            assertTrue(a.getIndex() < size, "entry " + a.getIndex() + " is beyond the tree (" + size + ")");
            byte[] entry = server.server.ledger().entry(a.getIndex()).orElseThrow(() -> new AssertionError("lost " + a.getIndex()));
            assertEquals(Hash.of(a.getLeafHash().toByteArray()), Rfc6962.hashLeaf(entry), "entry " + a.getIndex());
        }
        List<Hash> leaves = new ArrayList<>();
        for (long i = 0; i < size; i++) {
            long index = i;
            leaves.add(Rfc6962.hashLeaf(server.server.ledger().entry(i).orElseThrow(() -> new AssertionError("no entry " + index))));
        }
        assertEquals(server.server.ledger().checkpoint().checkpoint().root(), CompactRange.of(leaves).root(),
                "the entries rebuild the checkpoint's root");
    }

    /** Writes {@code file} until the file system has no more than {@code spare} bytes free. */
    private static void fillAllBut(Path file, long spare) throws IOException {
        byte[] block = new byte[64 * 1024];
        FileStore store = Files.getFileStore(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            while (store.getUsableSpace() > spare + block.length) {
                out.write(block);
            }
        }
    }

    /** A few more appends on the full disk: each refused the same way. */
    private static void assertRefusedWhileFull(LedgerClient client) {
        for (int i = 0; i < 3; i++) {
            try {
                client.append(RunningServer.revocation("spiffe://agentledger.local/agent/full" + i, "full" + i), false);
                throw new AssertionError("an append succeeded on a full disk");
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
            }
        }
    }

    /** Writes {@code file} until the file system is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
    }
}
