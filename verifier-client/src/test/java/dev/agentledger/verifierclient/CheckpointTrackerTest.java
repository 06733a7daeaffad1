package dev.agentledger.verifierclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.ConsistencyProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointTrackerTest {
    private static final String ORIGIN = "example.test/log";
    private static final WitnessLagPolicy TEN_SECONDS = new WitnessLagPolicy(Duration.ofSeconds(10));

    private final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    private final SignerKey witness = SignerKey.generate("witness", SignatureType.COSIGNATURE_V1);
    private final TestLog log = new TestLog(ORIGIN, logKey, "a");
    private final TestLog fork = new TestLog(ORIGIN, logKey, "b");
    private final ManualClock clock = new ManualClock();

    /** A clock the test moves by hand. */
    static final class ManualClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    private LogVerifier verifier(int threshold) {
        return LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witness.verifierKey()), threshold);
    }

    private CheckpointTracker tracker(int threshold, ProofSource proofs, WitnessLagPolicy policy) {
        return CheckpointTracker.inMemory(verifier(threshold), proofs, policy, clock);
    }

    @Test
    void movesForwardThroughConsistencyProofs() throws Exception {
        CheckpointTracker tracker = tracker(0, log, TEN_SECONDS);
        for (int step : new int[] {1, 2, 5, 64, 1}) {
            log.grow(step);
            tracker.update(log.note());
            assertEquals(log.size(), tracker.latest().orElseThrow().size());
        }
    }

    @Test
    void olderConsistentCheckpointChangesNothing() throws Exception {
        CheckpointTracker tracker = tracker(0, log, TEN_SECONDS);
        String old = log.grow(3).note();
        tracker.update(log.grow(7).note());
        assertEquals(3, tracker.update(old).size());
        assertEquals(10, tracker.latest().orElseThrow().size());
    }

    /** Each row: the tracker holds the log at {@code held}, then sees the fork at {@code forked}. */
    @ParameterizedTest(name = "held {0}, forked {1}")
    @CsvSource({"4, 4", "4, 9", "9, 4", "1, 2", "8, 16"})
    void forkIsCaughtWithEvidence(int held, int forked) throws Exception {
        log.grow(Math.max(held, forked));
        fork.grow(forked);
        CheckpointTracker tracker = tracker(0, log, TEN_SECONDS);
        String trusted = log.note(held);
        tracker.update(trusted);
        String presented = fork.note();
        ForkException e = assertThrows(ForkException.class, () -> tracker.update(presented));
        assertEquals(trusted, e.trustedNote());
        assertEquals(presented, e.presentedNote());
        assertEquals(held == forked, e.proof().isEmpty());
        assertEquals(held, tracker.latest().orElseThrow().size());
        assertEquals(trusted, tracker.latest().orElseThrow().note());
    }

    @Test
    void proofForOtherSizesIsAFork() throws Exception {
        log.grow(10);
        ProofSource liar = (s1, s2) -> log.consistency(s1, s2 - 1);
        CheckpointTracker tracker = tracker(0, liar, TEN_SECONDS);
        tracker.update(log.note(4));
        assertThrows(ForkException.class, () -> tracker.update(log.note(10)));
    }

    @Test
    void tamperedProofIsAFork() throws Exception {
        log.grow(10);
        ProofSource liar = (s1, s2) -> {
            ConsistencyProof p = log.consistency(s1, s2);
            List<dev.agentledger.merkle.Hash> hashes = new ArrayList<>(p.hashes());
            hashes.set(0, Rfc6962.hashLeaf(new byte[0]));
            return new ConsistencyProof(s1, s2, hashes);
        };
        CheckpointTracker tracker = tracker(0, liar, TEN_SECONDS);
        tracker.update(log.note(5));
        ForkException e = assertThrows(ForkException.class, () -> tracker.update(log.note(10)));
        assertTrue(e.proof().isPresent());
    }

    @Test
    void unreachableProofSourceChangesNothing() throws Exception {
        log.grow(10);
        CheckpointTracker tracker = tracker(0, (s1, s2) -> {
            throw new IOException("down");
        }, TEN_SECONDS);
        tracker.update(log.note(5));
        assertThrows(IOException.class, () -> tracker.update(log.note(10)));
        assertEquals(5, tracker.latest().orElseThrow().size());
    }

    @Test
    void provisionalAcceptedUntilDeadlineThenAlarm() throws Exception {
        CheckpointTracker tracker = tracker(1, log, TEN_SECONDS);
        tracker.update(log.grow(2).note(witness));
        tracker.update(log.grow(2).note());
        assertEquals(4, tracker.latest().orElseThrow().size());
        assertEquals(2, tracker.latestConfirmed().orElseThrow().size());
        clock.advance(Duration.ofSeconds(9));
        tracker.update(log.grow(2).note());
        tracker.checkWitnessLag();
        clock.advance(Duration.ofSeconds(2));
        WitnessLagException alarm = assertThrows(WitnessLagException.class, tracker::checkWitnessLag);
        assertEquals(6, alarm.unconfirmedSize());
        assertEquals(2, alarm.confirmedSize());
        assertThrows(WitnessLagException.class, () -> tracker.update(log.grow(1).note()));
        assertEquals(6, tracker.latest().orElseThrow().size());
        // A confirmed checkpoint covering everything clears the alarm.
        tracker.update(log.note(witness));
        tracker.checkWitnessLag();
        assertEquals(7, tracker.latestConfirmed().orElseThrow().size());
        tracker.update(log.grow(1).note());
    }

    @Test
    void partialConfirmationKeepsTheClock() throws Exception {
        CheckpointTracker tracker = tracker(1, log, TEN_SECONDS);
        log.grow(10);
        tracker.update(log.note(8));
        clock.advance(Duration.ofSeconds(6));
        tracker.update(log.note(10));
        tracker.update(log.note(9, witness));
        clock.advance(Duration.ofSeconds(5));
        assertThrows(WitnessLagException.class, tracker::checkWitnessLag);
    }

    @Test
    void sameSizeCosignedReplacesProvisional() throws Exception {
        CheckpointTracker tracker = tracker(1, log, TEN_SECONDS);
        tracker.update(log.grow(3).note());
        assertFalse(tracker.latest().orElseThrow().isConfirmed());
        tracker.update(log.note(witness));
        assertTrue(tracker.latest().orElseThrow().isConfirmed());
        clock.advance(Duration.ofMinutes(1));
        tracker.checkWitnessLag();
    }

    @Test
    void confirmedOnlyRefusesProvisional() throws Exception {
        CheckpointTracker tracker = tracker(1, log, WitnessLagPolicy.CONFIRMED_ONLY);
        assertThrows(InsufficientCosignaturesException.class, () -> tracker.update(log.grow(3).note()));
        assertTrue(tracker.latest().isEmpty());
        tracker.update(log.note(witness));
    }

    @Test
    void forkIsCaughtBeforeTheLagRule() throws Exception {
        // The log serves proofs of its own history, then of the forked one.
        CheckpointTracker tracker = tracker(1, (s1, s2) -> s2 <= 4 ? log.consistency(s1, s2)
                : fork.consistency(s1, s2), TEN_SECONDS);
        fork.grow(5);
        tracker.update(log.grow(3).note(witness));
        tracker.update(log.grow(1).note());
        clock.advance(Duration.ofMinutes(1));
        assertThrows(WitnessLagException.class, tracker::checkWitnessLag);
        assertThrows(ForkException.class, () -> tracker.update(fork.note()));
    }

    @Test
    void persistsAndReloads(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tracker.state");
        CheckpointTracker first = CheckpointTracker.persistent(file, verifier(1), log, TEN_SECONDS, clock);
        first.update(log.grow(3).note(witness));
        first.update(log.grow(2).note());
        CheckpointTracker second = CheckpointTracker.persistent(file, verifier(1), log, TEN_SECONDS, clock);
        assertEquals(5, second.latest().orElseThrow().size());
        assertEquals(3, second.latestConfirmed().orElseThrow().size());
        clock.advance(Duration.ofSeconds(11));
        assertThrows(WitnessLagException.class, second::checkWitnessLag);
        assertThrows(ForkException.class, () -> second.update(fork.grow(5).note()));
    }

    @Test
    void stateUnderAnotherKeyIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tracker.state");
        CheckpointTracker.persistent(file, verifier(0), log, TEN_SECONDS, clock).update(log.grow(3).note());
        LogVerifier other = LogVerifier.create(ORIGIN, SignerKey.generate(ORIGIN, SignatureType.ED25519).verifierKey(),
                List.of(), 0);
        assertThrows(VerificationException.class, () -> CheckpointTracker.persistent(file, other, log, TEN_SECONDS, clock));
    }
}
