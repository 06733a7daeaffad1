package dev.agentledger.verifierclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import dev.agentledger.verifierclient.witness.FileWitnessStore;
import dev.agentledger.verifierclient.witness.SizeConflictException;
import dev.agentledger.verifierclient.witness.Witness;
import dev.agentledger.verifierclient.witness.WitnessException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The witness core without HTTP: durability across restarts and check-and-persist under concurrency. */
class WitnessCoreTest {
    private static final String ORIGIN = "example.test/log";

    private final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    private final SignerKey witnessKey = SignerKey.generate("witness", SignatureType.COSIGNATURE_V1);
    private final TestLog log = new TestLog(ORIGIN, logKey, "a");

    private Witness witness(Path dir) {
        return Witness.create(CosignatureV1Signer.create(witnessKey, InstantSource.system()),
                Map.of(ORIGIN, List.of(logKey.verifierKey())), new FileWitnessStore(dir));
    }

    private byte[] request(long oldSize, long size) {
        return new AddCheckpointRequest(oldSize, oldSize == 0 ? List.of() : log.consistency(oldSize, size).hashes(),
                log.note(size)).format().getBytes();
    }

    @Test
    void cosignatureVerifiesUnderTheWitnessKey(@TempDir Path dir) throws Exception {
        log.grow(5);
        String line = witness(dir).addCheckpoint(request(0, 5));
        LogVerifier verifier = LogVerifier.create(ORIGIN, logKey.verifierKey(), List.of(witnessKey.verifierKey()), 1);
        assertEquals(5, verifier.verify(log.note(5) + line).size());
    }

    @Test
    void stateSurvivesRestart(@TempDir Path dir) throws Exception {
        log.grow(8);
        witness(dir).addCheckpoint(request(0, 4));
        witness(dir).addCheckpoint(request(4, 8));
        Witness restarted = witness(dir);
        SizeConflictException e = assertThrows(SizeConflictException.class, () -> restarted.addCheckpoint(request(4, 8)));
        assertEquals(8, e.latestSize());
        assertEquals(8, assertThrows(SizeConflictException.class, () -> restarted.addCheckpoint(request(0, 8))).latestSize());
        restarted.addCheckpoint(request(8, 8));
    }

    /** Many requests from the same old size race: exactly one advances, the others see 409 with its size. */
    @Test
    void concurrentRequestsAdvanceOnce(@TempDir Path dir) throws Exception {
        log.grow(40);
        Witness witness = witness(dir);
        witness.addCheckpoint(request(0, 4));
        int threads = 16;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Long>> calls = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            long size = 5 + i * 2;
            byte[] body = request(4, size);
            calls.add(() -> {
                start.await();
                try {
                    witness.addCheckpoint(body);
                    return size;
                } catch (WitnessException e) {
                    assertTrue(e instanceof SizeConflictException, e.toString());
                    return -((SizeConflictException) e).latestSize();
                }
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Long>> results = new ArrayList<>();
            calls.forEach(c -> results.add(pool.submit(c)));
            start.countDown();
            List<Long> won = new ArrayList<>();
            List<Long> conflicts = new ArrayList<>();
            for (Future<Long> f : results) {
                long r = f.get();
                (r > 0 ? won : conflicts).add(Math.abs(r));
            }
            assertEquals(1, won.size(), "winners " + won);
            assertTrue(conflicts.stream().allMatch(s -> s.equals(won.get(0))), "conflicts " + conflicts);
            assertEquals(won.get(0), assertThrows(SizeConflictException.class,
                    () -> witness(dir).addCheckpoint(request(0, 40))).latestSize());
        } finally {
            pool.shutdownNow();
        }
    }
}
