package dev.agentledger.server.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.ledger.StorageException;
import dev.agentledger.ledger.WitnessSubmitter;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.server.HostPort;
import dev.agentledger.verifierclient.LogVerifier;
import dev.agentledger.verifierclient.VerifiedCheckpoint;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.Witness;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log's witness submitter against real in-process witnesses: rounds are driven with {@link
 * WitnessSubmitter#submitOnce()} and a settable clock; the submitter's thread is never started.
 */
class WitnessSubmitterTest {
    private static final String ORIGIN = "example.test/log";

    @TempDir
    Path dir;

    private final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    private final SignerKey key1 = SignerKey.generate("witness.test/w1", SignatureType.COSIGNATURE_V1);
    private final SignerKey key2 = SignerKey.generate("witness.test/w2", SignatureType.COSIGNATURE_V1);
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final List<AutoCloseable> open = new ArrayList<>();
    private TestLedger log;

    @BeforeEach
    void openLog() {
        log = closing(new TestLedger(dir.resolve("log"), ORIGIN, logKey, "a"));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closing(T c) {
        open.add(c);
        return c;
    }

    private WitnessServer witness(SignerKey key, String stateDir, int port) {
        Witness witness = Witness.create(CosignatureV1Signer.create(key, InstantSource.system()),
                Map.of(ORIGIN, List.of(logKey.verifierKey())), new FileWitnessStore(dir.resolve(stateDir)));
        return closing(WitnessServer.start(witness, new HostPort("127.0.0.1", port)));
    }

    private WitnessSubmitter submitter(TestLedger ledger, String stateFile, WitnessSubmitter.Witness... witnesses) {
        return closing(WitnessSubmitter.create(ledger.ledger, List.of(witnesses), dir.resolve(stateFile), clock,
                d -> {}, metrics, Duration.ofSeconds(1), Duration.ofSeconds(5)));
    }

    private static WitnessSubmitter.Witness at(WitnessServer server, SignerKey key) {
        return new WitnessSubmitter.Witness(URI.create(server.url()), key.verifierKey());
    }

    private LogVerifier verifier(int threshold) {
        return LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(key1.verifierKey(), key2.verifierKey()), threshold);
    }

    @Test
    void twoWitnessesCosignEachNewCheckpoint() throws Exception {
        WitnessServer w1 = witness(key1, "w1", 0);
        WitnessServer w2 = witness(key2, "w2", 0);
        WitnessSubmitter submitter = submitter(log.growTo(5), "witnessed", at(w1, key1), at(w2, key2));

        submitter.submitOnce();
        VerifiedCheckpoint first = verifier(2).verify(submitter.witnessedCheckpoint().orElseThrow());
        assertEquals(5, first.size());
        assertTrue(first.note().startsWith(log.ledger.checkpoint().note()), "the log's signature line comes first");

        log.growTo(9);
        submitter.submitOnce();
        VerifiedCheckpoint second = verifier(2).verify(submitter.witnessedCheckpoint().orElseThrow());
        assertEquals(9, second.size());
        assertEquals(Map.of("witness.test/w1", 2, "witness.test/w2", 2), metrics.cosigned);
        assertEquals(Map.of(), metrics.failed);

        submitter.submitOnce();
        assertEquals(2, metrics.cosigned.get("witness.test/w1"), "nothing new: no submission");
    }

    @Test
    void restartedWitnessAndLogContinueFromTheWitnessSize() throws Exception {
        WitnessServer w1 = witness(key1, "w1", 0);
        int port = w1.address().port();
        WitnessSubmitter before = submitter(log.growTo(4), "witnessed", at(w1, key1));
        before.submitOnce();
        assertEquals(4, verifier(1).verify(before.witnessedCheckpoint().orElseThrow()).size());
        w1.close();
        before.close();

        WitnessServer restarted = witness(key1, "w1", port);
        log.growTo(10);
        // A new submitter (the log restarted) believes the witness is at 0: the witness answers
        // 409 with 4, and the next round proves 4 -> 10.
        WitnessSubmitter after = submitter(log, "witnessed", at(restarted, key1));
        assertEquals(4, verifier(1).verify(after.witnessedCheckpoint().orElseThrow()).size(), "persisted");
        after.submitOnce();
        assertEquals(4, verifier(1).verify(after.witnessedCheckpoint().orElseThrow()).size());
        after.submitOnce();
        assertEquals(10, verifier(1).verify(after.witnessedCheckpoint().orElseThrow()).size());
        assertEquals(Map.of(), metrics.forkAlarms);
    }

    @Test
    void witnessAheadOnAForkRaisesTheAlarmAndTheLogKeepsAppending() throws Exception {
        WitnessServer w1 = witness(key1, "w1", 0);
        WitnessServer w2 = witness(key2, "w2", 0);
        // The witness first sees a fork: the same key signing another history, longer than the log.
        try (TestLedger fork = new TestLedger(dir.resolve("fork"), ORIGIN, logKey, "b").growTo(20)) {
            WitnessSubmitter forked = submitter(fork, "fork-witnessed", at(w1, key1));
            forked.submitOnce();
            assertEquals(Map.of("witness.test/w1", 1), metrics.cosigned);
            forked.close();
        }
        WitnessSubmitter submitter = submitter(log.growTo(12), "witnessed", at(w1, key1), at(w2, key2));
        submitter.submitOnce();

        assertEquals(Map.of("witness.test/w1", 1), metrics.forkAlarms);
        VerifiedCheckpoint witnessed = verifier(1).verify(submitter.witnessedCheckpoint().orElseThrow());
        assertEquals(12, witnessed.size(), "the honest witness still cosigns");
        assertEquals(List.of(key2.verifierKey()), List.copyOf(witnessed.cosignatures().keySet()));
        log.growTo(13);
        assertEquals(13, log.ledger.checkpoint().size());
    }

    @Test
    void witnessOnAForkOfTheSameSizeRaisesTheAlarmOnTheSecondRound() throws Exception {
        WitnessServer w1 = witness(key1, "w1", 0);
        try (TestLedger fork = new TestLedger(dir.resolve("fork"), ORIGIN, logKey, "b").growTo(12)) {
            submitter(fork, "fork-witnessed", at(w1, key1)).submitOnce();
        }
        WitnessSubmitter submitter = submitter(log.growTo(12), "witnessed", at(w1, key1));
        submitter.submitOnce(); // 409 with 12: this log signed a checkpoint of size 12, so retry from it
        assertEquals(Map.of(), metrics.forkAlarms);
        submitter.submitOnce(); // 409 again for the log's own 12: the witness holds another root
        assertEquals(Map.of("witness.test/w1", 1), metrics.forkAlarms);
        assertFalse(submitter.witnessedCheckpoint().isPresent());
    }

    @Test
    void witnessDownDoesNotStopAppendsAndIsRetriedAfterBackOff() throws Exception {
        WitnessServer gone = witness(key1, "w1", 0);
        WitnessSubmitter.Witness down = at(gone, key1);
        gone.close();
        WitnessSubmitter submitter = submitter(log.growTo(3), "witnessed", down);

        submitter.submitOnce();
        assertEquals(Map.of("witness.test/w1", 1), metrics.failed);
        log.growTo(6);
        assertEquals(6, log.ledger.checkpoint().size());
        submitter.submitOnce();
        assertEquals(Map.of("witness.test/w1", 1), metrics.failed, "backed off: not retried yet");
        now.set(now.get().plusSeconds(2));
        submitter.submitOnce();
        assertEquals(Map.of("witness.test/w1", 2), metrics.failed);
        assertFalse(submitter.witnessedCheckpoint().isPresent());
    }

    @Test
    void aWitnessThatNeverAnswersDoesNotHoldUpAppends() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accepted, read by no one, never answered
                    }
                } catch (IOException closed) {
                    // The test is over.
                }
            });
            WitnessSubmitter.Witness hanging = new WitnessSubmitter.Witness(
                    URI.create("http://127.0.0.1:" + silent.getLocalPort()), key1.verifierKey());
            WitnessSubmitter submitter = closing(WitnessSubmitter.create(log.growTo(3).ledger, List.of(hanging),
                    dir.resolve("witnessed"), clock, d -> {}, metrics, Duration.ofSeconds(1), Duration.ofMillis(500)));
            CompletableFuture<Void> round = CompletableFuture.runAsync(() -> {
                try {
                    submitter.submitOnce();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            while (held.isEmpty()) {
                Thread.sleep(5); // until the round is stuck on the silent witness
            }
            log.growTo(20);
            assertEquals(20, log.ledger.checkpoint().size(), "appends went on while the witness kept the round waiting");
            round.get(); // the round gives up at its timeout
            assertEquals(Map.of("witness.test/w1", 1), metrics.failed);
            assertFalse(submitter.witnessedCheckpoint().isPresent());
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aFlappingWitnessCosignsAgainEachTimeItComesBack() throws Exception {
        WitnessServer first = witness(key1, "w1", 0);
        int port = first.address().port();
        WitnessSubmitter.Witness flapping = at(first, key1);
        WitnessSubmitter submitter = submitter(log.growTo(3), "witnessed", flapping);
        submitter.submitOnce();
        assertEquals(3, verifier(1).verify(submitter.witnessedCheckpoint().orElseThrow()).size());
        for (int flap = 1; flap <= 3; flap++) {
            first.close();
            log.growTo(3 + 4 * flap - 2);
            submitter.submitOnce();
            assertEquals(flap, metrics.failed.get("witness.test/w1"), "down: the round fails");
            assertEquals(3 + 4 * (flap - 1), verifier(1).verify(submitter.witnessedCheckpoint().orElseThrow()).size(),
                    "the last witnessed checkpoint stays served while the witness is down");
            first = witness(key1, "w1", port); // back on the same address, with the state it kept
            log.growTo(3 + 4 * flap);
            now.set(now.get().plusSeconds(120)); // past any back-off
            submitter.submitOnce();
            assertEquals(3 + 4 * flap, verifier(1).verify(submitter.witnessedCheckpoint().orElseThrow()).size(),
                    "back: it cosigns the log's newest checkpoint, consistent with what it cosigned before");
        }
        assertEquals(Map.of("witness.test/w1", 4), metrics.cosigned);
        assertEquals(Map.of(), metrics.forkAlarms);
    }

    @Test
    void aStoreThatLostWhatItsWitnessesCosignedRefusesToStart() throws Exception {
        WitnessServer w1 = witness(key1, "w1", 0);
        WitnessSubmitter submitter = submitter(log.growTo(5), "witnessed", at(w1, key1));
        submitter.submitOnce();
        String witnessed = submitter.witnessedCheckpoint().orElseThrow();
        // The same log key over a store that holds less (a truncated write-ahead log, an old
        // backup), or another history of the same size.
        TestLedger behind = closing(new TestLedger(dir.resolve("behind"), ORIGIN, logKey, "a")).growTo(3);
        TestLedger forked = closing(new TestLedger(dir.resolve("forked"), ORIGIN, logKey, "b")).growTo(5);
        for (TestLedger store : List.of(behind, forked)) {
            StorageException e = assertThrows(StorageException.class, () -> submitter(store, "witnessed", at(w1, key1)));
            assertTrue(e.getMessage().contains("does not hold the checkpoint its witnesses cosigned"), e.getMessage());
            assertTrue(e.getMessage().contains("size 5"), e.getMessage());
        }
        // The store that went on from it starts, with the witnessed checkpoint it had.
        log.growTo(8);
        assertEquals(Optional.of(witnessed), submitter(log, "witnessed", at(w1, key1)).witnessedCheckpoint());
    }

    /** Counts reports per witness name. */
    private static final class RecordingMetrics implements WitnessSubmitter.Metrics {
        final Map<String, Integer> cosigned = new ConcurrentHashMap<>();
        final Map<String, Integer> failed = new ConcurrentHashMap<>();
        final Map<String, Integer> forkAlarms = new ConcurrentHashMap<>();

        @Override
        public void cosigned(String witness) {
            cosigned.merge(witness, 1, Integer::sum);
        }

        @Override
        public void failed(String witness) {
            failed.merge(witness, 1, Integer::sum);
        }

        @Override
        public void forkAlarm(String witness) {
            forkAlarms.merge(witness, 1, Integer::sum);
        }
    }
}
