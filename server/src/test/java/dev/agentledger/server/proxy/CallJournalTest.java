package dev.agentledger.server.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.proto.v1.ToolCallRecorded;
import dev.agentledger.verifierclient.replay.ReplayException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The call journal: single use across reopening, records kept until shipped, the interrupted call's record as begun. */
class CallJournalTest {
    private static final Instant NOW = Instant.parse("2026-11-24T03:00:00Z");

    private static ToolCallRecorded call(String token, int status) {
        return ToolCallRecorded.newBuilder().setUpstream("spiffe://td/tool/billing").setMethod("GET").setPath("/billing/x")
                .setCapabilityTokenId(token).setResponseStatus(status).build();
    }

    @Test
    void aSpentTokenIsRefusedAlsoAfterReopeningAndUnshippedRecordsComeBack(@TempDir Path dir) throws Exception {
        AtomicReference<Instant> now = new AtomicReference<>(NOW);
        InstantSource clock = now::get;
        long interrupted;
        try (CallJournal journal = CallJournal.open(dir, clock)) {
            long shipped = journal.begin(ToolCallRecorder.entry(call("t1", 0), "r1"), "t1", NOW.plusSeconds(60));
            journal.update(shipped, ToolCallRecorder.entry(call("t1", 200), "r1"));
            journal.shipped(shipped);
            interrupted = journal.begin(ToolCallRecorder.entry(call("t2", 0), "r2"), "t2", NOW.plusSeconds(60));
            long answered = journal.begin(ToolCallRecorder.entry(call("t3", 0), "r3"), "t3", NOW.plusSeconds(60));
            journal.update(answered, ToolCallRecorder.entry(call("t3", 201), "r3"));
            assertEquals(2, journal.unshipped());
            assertThrows(ReplayException.class, () -> journal.begin(ToolCallRecorder.entry(call("t1", 0), "r4"), "t1", NOW.plusSeconds(60)));
        }
        try (CallJournal journal = CallJournal.open(dir, clock)) {
            for (String token : List.of("t1", "t2", "t3")) {
                assertThrows(ReplayException.class, () -> journal.begin(ToolCallRecorder.entry(call(token, 0), "r5"), token,
                        NOW.plusSeconds(60)), token + " was spent before the journal was reopened");
            }
            List<CallJournal.Held> held = journal.heldAtOpen();
            assertEquals(List.of(interrupted, interrupted + 1), held.stream().map(CallJournal.Held::sequence).toList());
            assertEquals(List.of(0, 201), held.stream().map(h -> h.entry().getToolCallRecorded().getResponseStatus()).toList(),
                    "a call interrupted before its answer keeps status 0; an answered one its status");
            assertEquals(List.of("r2", "r3"), held.stream().map(h -> h.entry().getHeader().getRequestId()).toList());
            assertEquals(2, journal.unshipped());
            long next = journal.begin(ToolCallRecorder.entry(call("t4", 0), "r6"), "t4", NOW.plusSeconds(60));
            assertEquals(interrupted + 2, next, "sequence numbers go on after the held ones");
        }
        now.set(NOW.plusSeconds(61));
        try (CallJournal journal = CallJournal.open(dir, clock)) {
            journal.begin(ToolCallRecorder.entry(call("t1", 0), "r7"), "t1", NOW.plusSeconds(120));
            assertEquals(4, journal.unshipped(), "an expired spend is forgotten; the records stay until shipped");
        }
    }

    /**
     * Concurrent calls, written both by their own threads (journal idle) and by the writer thread
     * (journal busy): each token is spent exactly once, and after reopening exactly the unshipped
     * calls are held, each with its last update (a shipped call's delete never lands before its
     * update, an update never before its begin).
     */
    @Test
    void concurrentCallsKeepSingleUseAndTheOrderOfEachCallsWrites(@TempDir Path dir) throws Exception {
        int threads = 16;
        int callsEach = 40;
        Set<String> spentBy = ConcurrentHashMap.newKeySet();
        AtomicInteger replays = new AtomicInteger();
        var expected = new ConcurrentHashMap<Long, Integer>(); // unshipped sequence -> last status
        try (CallJournal journal = CallJournal.open(dir, () -> NOW);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(pool.submit(() -> {
                    for (int i = 0; i < callsEach; i++) {
                        String token = "t" + (i % 2 == 0 ? "shared" + i : thread + "-" + i); // even calls race for one token
                        String request = "r" + thread + "-" + i;
                        long sequence;
                        try {
                            sequence = journal.begin(ToolCallRecorder.entry(call(token, 0), request), token, NOW.plusSeconds(60));
                        } catch (ReplayException e) {
                            replays.incrementAndGet();
                            continue;
                        }
                        if (!spentBy.add(token)) {
                            throw new AssertionError(token + " was spent twice");
                        }
                        int status = 200 + thread;
                        journal.update(sequence, ToolCallRecorder.entry(call(token, status), request));
                        if (i % 3 == 0) {
                            journal.shipped(sequence);
                        } else {
                            expected.put(sequence, status);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
        int shared = callsEach / 2;
        assertEquals(shared * (threads - 1), replays.get(), "each shared token admitted once, refused to the other threads");
        assertEquals(threads * callsEach - shared * (threads - 1), spentBy.size());
        try (CallJournal journal = CallJournal.open(dir, () -> NOW)) {
            var held = new TreeMap<Long, Integer>();
            journal.heldAtOpen().forEach(h -> held.put(h.sequence(), h.entry().getToolCallRecorded().getResponseStatus()));
            assertEquals(new TreeMap<>(expected), held);
        }
    }
}
