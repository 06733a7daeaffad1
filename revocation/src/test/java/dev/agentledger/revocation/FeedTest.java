package dev.agentledger.revocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.agentledger.ledger.Ledger;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.Serials;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.RevocationReason;
import dev.agentledger.proto.v1.Revoked;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numbering, replay, live delivery, cut-off and resume, heartbeats, restarts. */
class FeedTest {
    private static final int BURST = 40;

    private static RevocationsConfig smallQueues(TestClock clock) {
        return RevocationsConfig.of(clock).withSubscriberQueue(4).withEventCache(8);
    }

    @Test
    void aSubscriberCutOffDuringABurstResumesAndGetsEveryEventOnceInOrder(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(TestLog.START);
        try (TestLog log = new TestLog(dir, smallQueues(clock), clock)) {
            CountDownLatch release = new CountDownLatch(1);
            Recorder slow = new Recorder(release);
            Recorder fast = new Recorder();
            Subscription slowSubscription = log.revocations.subscribe(0, slow);
            log.revocations.subscribe(0, fast);
            slow.awaitLive(log.revocations);
            fast.awaitLive(log.revocations);
            for (int i = 0; i < BURST; i++) {
                log.revoke(Target.tokenId("burst-" + i), false);
                // The fast one takes each event before the next (its queue never fills); the slow one takes none.
                fast.awaitEvents(i + 1);
            }
            release.countDown();
            Recorder.Closed closed = slow.next(Recorder.Closed.class);
            assertEquals(RevocationListener.Cause.TOO_SLOW, closed.cause());
            assertTrue(closed.reason().contains("too slow"), closed.reason());
            // The slow one holds what it took before blocking (event 1, with whatever was queued behind
            // it then), or none if its thread had not run yet; it delivers that, then is cut off.
            assertEquals(slow.sequences.isEmpty() ? 0L : slow.sequences.get(slow.sequences.size() - 1), closed.lastSequence());
            assertTrue(closed.lastSequence() < BURST, "the slow subscriber got " + slow.sequences);
            assertEquals(closed.lastSequence(), slowSubscription.lastSequence());

            Recorder resumed = new Recorder();
            log.revocations.subscribe(closed.lastSequence(), resumed);
            resumed.awaitEvents((int) (BURST - closed.lastSequence()));
            List<Long> all = new ArrayList<>(slow.sequences);
            all.addAll(resumed.sequences);
            assertEquals(LongStream.rangeClosed(1, BURST).boxed().toList(), all);

            fast.awaitEvents(BURST);
            assertEquals(LongStream.rangeClosed(1, BURST).boxed().toList(), fast.sequences);
            assertTrue(fast.messages.stream().noneMatch(m -> m instanceof Recorder.Closed), "the fast subscriber was cut off");
        }
    }

    @Test
    void eventsWaitingTogetherAreDeliveredTogetherOnceInOrderCutOnlyAtAHeartbeat(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(TestLog.START);
        try (TestLog log = new TestLog(dir, RevocationsConfig.of(clock).withSubscriberQueue(64), clock)) {
            CountDownLatch release = new CountDownLatch(1);
            Recorder recorder = new Recorder(release);
            log.revocations.subscribe(0, recorder);
            recorder.awaitLive(log.revocations);
            log.revoke(Target.tokenId("first"), false);
            recorder.blocked.await(); // Holding event 1: what follows waits in its queue.
            for (int i = 2; i <= 11; i++) {
                log.revoke(Target.tokenId("backlog-" + i), false);
            }
            log.revocations.heartbeat();
            for (int i = 12; i <= 16; i++) {
                log.revoke(Target.tokenId("backlog-" + i), false);
            }
            release.countDown();
            recorder.awaitEvents(16);
            assertEquals(LongStream.rangeClosed(1, 16).boxed().toList(), recorder.sequences);
            assertEquals(List.of(LongStream.rangeClosed(2, 11).boxed().toList(), LongStream.rangeClosed(12, 16).boxed().toList()),
                    recorder.together);
            // The heartbeat comes between the events numbered before it and those after.
            List<Object> afterFirst = recorder.messages.stream().dropWhile(m -> !(m instanceof RevocationEvent)).toList();
            assertEquals(11, afterFirst.indexOf(recorder.messages.stream().filter(m -> m instanceof Heartbeat h
                    && h.sequence() == 11).findFirst().orElseThrow()));
        }
    }

    @Test
    void eventsNumberedWithinTheCoalescingWindowAfterADeliveryReachTheListenerTogether(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(TestLog.START);
        // A window far longer than two revocations in process take, so what is asserted does not hang on timing.
        RevocationsConfig d = RevocationsConfig.of(clock);
        RevocationsConfig config = new RevocationsConfig(clock, Duration.ofSeconds(30), d.tailInterval(), d.retention(), 64,
                d.eventCache(), d.maxAffectedBytes(), Duration.ofSeconds(3));
        try (TestLog log = new TestLog(dir, config, clock)) {
            Recorder recorder = new Recorder();
            log.revocations.subscribe(0, recorder);
            recorder.awaitLive(log.revocations);
            log.revoke(Target.tokenId("after-a-quiet-spell"), false);
            recorder.awaitEvents(1);
            log.revoke(Target.tokenId("within-the-window-1"), false);
            log.revoke(Target.tokenId("within-the-window-2"), false);
            recorder.awaitEvents(3);
            assertEquals(List.of(1L, 2L, 3L), recorder.sequences);
            // The first went out alone at once; the two numbered while it was the last delivery went out together.
            assertEquals(List.of(List.of(2L, 3L)), recorder.together);
        }
    }

    @Test
    void aCoalescingWindowMustBeShorterThanTheHeartbeatInterval() {
        RevocationsConfig defaults = RevocationsConfig.of(new TestClock(TestLog.START));
        assertEquals(RevocationsConfig.DEFAULT_COALESCE, defaults.coalesce());
        assertEquals(Duration.ZERO, defaults.withCoalesce(Duration.ZERO).coalesce());
        assertThrows(IllegalArgumentException.class, () -> defaults.withCoalesce(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withCoalesce(defaults.heartbeatInterval()));
    }

    @Test
    void aReplayReachesTheListenerTogether(@TempDir Path dir) throws Exception {
        try (TestLog log = new TestLog(dir)) {
            for (int i = 1; i <= 6; i++) {
                log.revoke(Target.tokenId("old-" + i), false);
            }
            Recorder recorder = new Recorder();
            log.revocations.subscribe(2, recorder);
            recorder.awaitEvents(4);
            assertEquals(List.of(List.of(3L, 4L, 5L, 6L)), recorder.together);
        }
    }

    @Test
    void resumingFromASequenceReplaysTheRestFromTheLogThenGoesLive(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(TestLog.START);
        try (TestLog log = new TestLog(dir, smallQueues(clock), clock)) {
            List<RevocationEvent> made = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                made.add(log.revoke(Target.tokenId("r-" + i), false));
            }
            Recorder recorder = new Recorder();
            log.revocations.subscribe(5, recorder);
            recorder.awaitEvents(15);
            recorder.awaitLive(log.revocations);
            RevocationEvent live = log.revoke(Target.tokenId("live"), false);
            recorder.awaitEvents(16);
            assertEquals(LongStream.rangeClosed(6, 21).boxed().toList(), recorder.sequences);
            assertEquals(21, live.sequence());
            // Old events (beyond the 8 kept in memory) are rebuilt from the log with a fresh proof.
            List<RevocationEvent> received = recorder.messages.stream()
                    .filter(RevocationEvent.class::isInstance).map(RevocationEvent.class::cast).toList();
            for (RevocationEvent event : received) {
                TestLog.verifyProof(event);
                if (event.sequence() <= 20) {
                    assertEquals(made.get((int) event.sequence() - 1).logIndex(), event.logIndex());
                    assertEquals(made.get((int) event.sequence() - 1).entry(), event.entry());
                }
            }
        }
    }

    @Test
    void aSequenceBeyondTheLastIsRefused(@TempDir Path dir) throws Exception {
        try (TestLog log = new TestLog(dir)) {
            log.revoke(Target.tokenId("x"), false);
            InvalidRevocationException e = assertThrows(InvalidRevocationException.class,
                    () -> log.revocations.subscribe(2, new Recorder()));
            assertTrue(e.getMessage().contains("from sequence 2 is not in 0..1"), e.getMessage());
        }
    }

    @Test
    void heartbeatsCarryTheLastSequenceAndACheckpointCoveringIt(@TempDir Path dir) throws Exception {
        try (TestLog log = new TestLog(dir)) {
            Recorder recorder = new Recorder();
            log.revocations.subscribe(0, recorder);
            recorder.awaitLive(log.revocations);
            RevocationEvent first = log.revoke(Target.tokenId("a"), false);
            RevocationEvent second = log.revoke(Target.tokenId("b"), false);
            log.revocations.heartbeat();
            recorder.awaitEvents(2);
            Heartbeat heartbeat = recorder.next(Heartbeat.class);
            assertEquals(2, heartbeat.sequence());
            assertTrue(heartbeat.checkpoint().size() > second.logIndex());
            assertEquals(List.of(first.sequence(), second.sequence()), recorder.sequences);
        }
    }

    @Test
    void sequencesFollowFromTheLogAcrossRestartsAndRawAppends(@TempDir Path dir) throws Exception {
        List<Long> indexes = new ArrayList<>();
        try (TestLog log = new TestLog(dir)) {
            for (int i = 0; i < 3; i++) {
                RevocationEvent event = log.revoke(Target.tokenId("before-" + i), false);
                assertEquals(i + 1, event.sequence());
                indexes.add(event.logIndex());
            }
            log.restart();
            assertEquals(3, log.revocations.lastSequence());
            RevocationEvent fourth = log.revoke(Target.tokenId("after"), false);
            assertEquals(4, fourth.sequence());
            indexes.add(fourth.logIndex());
            // A Revoked entry appended straight to the log (as the raw Append API may): numbered
            // when the log is next read, here on reopening, as after a crash before numbering.
            long raw = log.append(LogEntry.newBuilder().setHeader(TestLog.header()).setRevoked(Revoked.newBuilder()
                    .setTokenId("raw").setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN)).build());
            indexes.add(raw);
            log.restart();
            assertEquals(5, log.revocations.lastSequence());
            Recorder recorder = new Recorder();
            log.revocations.subscribe(0, recorder);
            recorder.awaitEvents(5);
            List<Long> replayed = recorder.messages.stream().filter(RevocationEvent.class::isInstance)
                    .map(m -> ((RevocationEvent) m).logIndex()).toList();
            assertEquals(indexes, replayed);
            assertEquals("raw", LogEntries.parse(log.revocations.snapshot().revocations().get(4).entry().toByteArray())
                    .getRevoked().getTokenId());
        }
    }

    @Test
    void aLogLongerThanOneReadIsIndexedWholeAcrossReads(@TempDir Path dir) throws Exception {
        int count = Ledger.MAX_ENTRIES_READ + 300;
        try (TestLog log = new TestLog(dir)) {
            List<byte[]> entries = new ArrayList<>();
            Set<String> ofAgent3 = new HashSet<>();
            for (int i = 0; i < count; i++) {
                // Serials of every form: minimal, with a redundant leading zero octet, and needing one (top bit set).
                byte[] serial = switch (i % 3) {
                    case 0 -> BigInteger.valueOf(1000 + i).toByteArray();
                    case 1 -> new byte[] {0, 0x12, (byte) i, (byte) (i >> 8)};
                    default -> new byte[] {0, (byte) 0x80, (byte) i, (byte) (i >> 8)};
                };
                String spiffeId = "spiffe://test.example/agent/" + i % 7;
                if (i % 7 == 3) {
                    ofAgent3.add(Serials.hex(ByteString.copyFrom(serial)));
                }
                entries.add(LogEntries.serialize(LogEntry.newBuilder().setHeader(TestLog.header())
                        .setX509SvidIssued(X509SvidIssued.newBuilder().setSerial(ByteString.copyFrom(serial)).setSpiffeId(spiffeId)
                                .setValidity(TestLog.validity(log.until(Duration.ofHours(1))))).build()));
            }
            // The last entry a revocation, which the feed numbers only if it read to the end.
            entries.add(LogEntries.serialize(LogEntry.newBuilder().setHeader(TestLog.header()).setRevoked(Revoked.newBuilder()
                    .setTokenId("last").setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN)).build()));
            log.ledger.appendAll(entries, new boolean[count + 1]).get();
            log.restart(); // the feed reads the whole log at open, in more than one read
            assertEquals(1, log.revocations.lastSequence());
            RevocationEvent event = log.revoke(Target.spiffeId("spiffe://test.example/agent/3"), false);
            assertEquals(ofAgent3, event.affected().serials());
            assertEquals(count + 1, event.logIndex());
        }
    }

    @Test
    void aRawRevokedEntryIsNumberedAndBroadcastWhenTheFeedTailsTheLog(@TempDir Path dir) throws Exception {
        try (TestLog log = new TestLog(dir)) {
            Recorder recorder = new Recorder();
            log.revocations.subscribe(0, recorder);
            recorder.awaitLive(log.revocations);
            log.append(LogEntry.newBuilder().setHeader(TestLog.header()).setRevoked(Revoked.newBuilder()
                    .setSpiffeId("spiffe://test.example/agent/x").setReason(RevocationReason.REVOCATION_REASON_WITHDRAWN)).build());
            log.revocations.tail();
            RevocationEvent event = recorder.next(RevocationEvent.class);
            assertEquals(1, event.sequence());
            assertEquals(java.util.Set.of("spiffe://test.example/agent/x"), event.affected().spiffeIds());
        }
    }

    @Test
    void closingCutsOffSubscribersWithWhereToResume(@TempDir Path dir) throws Exception {
        TestLog log = new TestLog(dir);
        Recorder recorder = new Recorder();
        log.revocations.subscribe(0, recorder);
        recorder.awaitLive(log.revocations);
        log.revoke(Target.tokenId("a"), false);
        recorder.awaitEvents(1);
        log.close();
        Recorder.Closed closed = recorder.next(Recorder.Closed.class);
        assertEquals(1, closed.lastSequence());
        assertEquals(RevocationListener.Cause.SHUTTING_DOWN, closed.cause());
        assertTrue(closed.reason().contains("shutting down"), closed.reason());
    }

    @Test
    void snapshotKeepsWhatMayStillBeValidAndDropsTheRest(@TempDir Path dir) throws Exception {
        TestClock clock = new TestClock(TestLog.START);
        RevocationsConfig config = RevocationsConfig.of(clock).withRetention(Duration.ofMinutes(10));
        try (TestLog log = new TestLog(dir, config, clock)) {
            log.token("short", "", TestLog.ALICE, "spiffe://test.example/agent/a", log.until(Duration.ofHours(1)));
            log.delegation("long", "", TestLog.ALICE, "spiffe://test.example/agent/b", log.until(Duration.ofHours(1)));
            log.token("child", "long", TestLog.ALICE, "spiffe://test.example/agent/b", log.until(Duration.ofDays(1)));
            RevocationEvent shortLived = log.revoke(Target.tokenId("short"), false);
            RevocationEvent cascade = log.revoke(Target.delegation("long"), true);
            RevocationEvent unknown = log.revoke(Target.spiffeId("spiffe://test.example/agent/none"), false);
            RevocationEvent later = log.revoke(Target.spiffeId("spiffe://test.example/agent/later"), false);
            log.x509("0abc", "spiffe://test.example/agent/later", "il", log.until(Duration.ofDays(1)));
            assertEquals(List.of(1L, 2L, 3L, 4L), sequences(log.revocations.snapshot()));

            clock.advance(Duration.ofHours(2));
            log.revocations.prune();
            Snapshot snapshot = log.revocations.snapshot();
            assertEquals(List.of(cascade.sequence(), later.sequence()), sequences(snapshot));
            assertEquals(4, snapshot.sequence());
            for (RevocationEvent event : snapshot.revocations()) {
                assertEquals(snapshot.checkpoint(), event.checkpoint());
                TestLog.verifyProof(event);
            }
            assertTrue(shortLived.sequence() < unknown.sequence());
        }
    }

    private static List<Long> sequences(Snapshot snapshot) {
        return snapshot.revocations().stream().map(RevocationEvent::sequence).toList();
    }
}
