package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.merkle.VerificationException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the signed-note and checkpoint parsers (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).
 * The only exceptions allowed out are the documented ones: {@link VerificationException} (and its
 * {@link MalformedNoteException}, {@link InvalidSignatureException}, {@link UnverifiedNoteException})
 * from {@link Notes#open}, {@link MalformedCheckpointException} from {@link Checkpoint#parse}. A body
 * that parses formats back byte for byte, and signs and opens to the same text.
 *
 * <p>Seeds, generated with the key below: {@code NoteFuzzTestInputs/openAndParse/}.
 */
class NoteFuzzTest {
    /** A fixed key so the committed seeds carry signatures that verify. */
    static final SignerKey KEY = SignerKey.fromSeed("fuzz.example/log", SignatureType.ED25519, seed());
    private final Ed25519NoteSigner signer = Ed25519NoteSigner.create(KEY);
    private final List<Ed25519NoteVerifier> known = List.of(Ed25519NoteVerifier.create(KEY.verifierKey()));

    private static byte[] seed() {
        byte[] seed = new byte[32];
        Arrays.fill(seed, (byte) 7);
        return seed;
    }

    @FuzzTest
    void openAndParse(byte[] input) throws VerificationException {
        try {
            Note note = Notes.open(input, known);
            // A note that opened is valid UTF-8 and ends its text with a newline.
            assertEquals(note.text(), new String(input, StandardCharsets.UTF_8).substring(0, note.text().length()));
        } catch (VerificationException expected) {
            // MalformedNoteException, InvalidSignatureException or UnverifiedNoteException
        }
        String body = new String(input, StandardCharsets.UTF_8);
        Checkpoint checkpoint;
        try {
            checkpoint = Checkpoint.parse(body);
        } catch (MalformedCheckpointException expected) {
            return;
        }
        assertEquals(body, checkpoint.format());
        // Any body that parses is signable, and the signed note opens to the same checkpoint.
        Note signed = Notes.open(Notes.sign(body, signer), known);
        assertEquals(checkpoint, Checkpoint.parse(signed.text()));
    }
}
