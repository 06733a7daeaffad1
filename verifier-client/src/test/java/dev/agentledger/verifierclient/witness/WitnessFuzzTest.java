package dev.agentledger.verifierclient.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.merkle.note.Checkpoint;
import dev.agentledger.merkle.note.CosignatureV1Signer;
import dev.agentledger.merkle.note.CosignatureV1Verifier;
import dev.agentledger.merkle.note.Ed25519NoteVerifier;
import dev.agentledger.merkle.note.Notes;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.merkle.witness.AddCheckpointRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes the witness's {@code add-checkpoint} (c2sp.org/tlog-witness) over raw request bodies, with
 * its real file store: the only exceptions out are the {@link WitnessException} family (malformed,
 * unsigned, unknown origin, size conflict, inconsistent), never an {@link IOException} or a runtime
 * exception. Whatever it cosigns is a checkpoint signed by the log's key whose size and root are
 * then the witness's recorded state, and the cosignature verifies.
 *
 * <p>Seeds (bodies whose checkpoints carry the log key below): {@code WitnessFuzzTestInputs/addCheckpoint/}.
 */
class WitnessFuzzTest {
    static final String ORIGIN = "fuzz.example/log";
    /** The log's key: a fixed seed so the committed seeds carry signatures that verify. */
    static final SignerKey LOG_KEY = SignerKey.fromSeed(ORIGIN, SignatureType.ED25519, filled(7));
    private static final SignerKey WITNESS_KEY = SignerKey.fromSeed("fuzz.example/witness", SignatureType.COSIGNATURE_V1, filled(9));

    private final CosignatureV1Signer cosigner = CosignatureV1Signer.create(WITNESS_KEY, InstantSource.fixed(Instant.parse("2026-11-20T10:00:00Z")));
    private final FileWitnessStore store;
    private final Witness witness;

    WitnessFuzzTest() throws IOException {
        Path target = Files.createDirectories(Path.of("target"));
        store = new FileWitnessStore(Files.createTempDirectory(target, "witness-fuzz"));
        witness = Witness.create(cosigner, Map.of(ORIGIN, List.of(LOG_KEY.verifierKey())), store);
    }

    private static byte[] filled(int value) {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) value);
        return seed;
    }

    @FuzzTest
    void addCheckpoint(byte[] body) throws Exception {
        String cosignature;
        try {
            cosignature = witness.addCheckpoint(body);
        } catch (WitnessException expected) {
            return;
        }
        AddCheckpointRequest request = AddCheckpointRequest.parse(body);
        var note = Notes.open(request.note(), List.of(Ed25519NoteVerifier.create(LOG_KEY.verifierKey())));
        Checkpoint checkpoint = Checkpoint.parse(note.text());
        TreeState state = store.latest(ORIGIN).orElseThrow();
        assertEquals(new TreeState(checkpoint.size(), checkpoint.root()), state);
        // The cosignature line verifies over the checkpoint with the witness's public key.
        Notes.open(note.text() + "\n" + cosignature, List.of(CosignatureV1Verifier.create(cosigner.verifierKey())));
    }
}
