package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.VerificationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Ed25519 signed-note vector of golang.org/x/mod/sumdb/note's tests, from this project's copy
 * (src/test/resources/note/signed-note.json) and, when present, from ../shared/testvectors.
 */
class SignedNoteVectorTest {
    private static final String FILE = "signed-note.json";

    /** Loads the vector from "project" (always there) or "shared" (skipped when absent). */
    private static Map<String, String> vector(String source) {
        if (source.equals("project")) {
            return VectorFile.resource(FILE);
        }
        Optional<Path> shared = VectorFile.shared(FILE);
        Assumptions.assumeTrue(shared.isPresent(),
                "shared/testvectors/" + FILE + " not found in the working directory or its parents;"
                        + " skipping the shared copy (the project copy in src/test/resources/note still runs)");
        return VectorFile.read(shared.get());
    }

    private static Ed25519NoteVerifier verifier(Map<String, String> v) {
        return Ed25519NoteVerifier.create(VerifierKey.parse(v.get("vkey")));
    }

    @ParameterizedTest(name = "{0} copy")
    @ValueSource(strings = {"project", "shared"})
    void verifierAcceptsTheNote(String source) throws VerificationException {
        Map<String, String> v = vector(source);
        Note note = Notes.open(v.get("note").getBytes(StandardCharsets.UTF_8), List.of(verifier(v)));
        assertEquals(v.get("text"), note.text());
        assertEquals(1, note.verifiedSignatures().size());
        assertEquals("PeterNeumann", note.verifiedSignatures().get(0).name());
        assertEquals(KeyId.parseHex("c74f20a3"), note.verifiedSignatures().get(0).keyId());
    }

    @ParameterizedTest(name = "{0} copy")
    @ValueSource(strings = {"project", "shared"})
    void signingTheTextReproducesTheNote(String source) {
        Map<String, String> v = vector(source);
        SignerKey key = SignerKey.parse(v.get("skey"));
        assertEquals(v.get("vkey"), key.verifierKey().toString());
        assertEquals(v.get("note"), Notes.sign(v.get("text"), Ed25519NoteSigner.create(key)));
    }

    /** Every byte of the text, xor 0x01, breaks the note: a bad signature or a bad character. */
    @ParameterizedTest(name = "{0} copy")
    @ValueSource(strings = {"project", "shared"})
    void flippingAnyTextByteFails(String source) {
        Map<String, String> v = vector(source);
        byte[] note = v.get("note").getBytes(StandardCharsets.UTF_8);
        int textLength = v.get("text").getBytes(StandardCharsets.UTF_8).length;
        List<NoteVerifier> known = List.of(verifier(v));
        for (int i = 0; i < textLength; i++) {
            byte[] mutated = note.clone();
            mutated[i] ^= 0x01;
            int at = i;
            assertThrows(VerificationException.class, () -> Notes.open(mutated, known),
                    () -> "flipped text byte " + at);
        }
    }

    /**
     * Every byte of the signature after the key ID, xor 0x01, is a bad signature by a known key;
     * every byte of the key ID makes the signature one by an unknown key.
     */
    @ParameterizedTest(name = "{0} copy")
    @ValueSource(strings = {"project", "shared"})
    void flippingAnySignatureByteFails(String source) {
        Map<String, String> v = vector(source);
        String prefix = v.get("text") + "\n" + NoteSignature.LINE_PREFIX + "PeterNeumann ";
        assertEquals(prefix, v.get("note").substring(0, prefix.length()));
        byte[] payload = Base64.getDecoder().decode(v.get("note").substring(prefix.length()).strip());
        List<NoteVerifier> known = List.of(verifier(v));
        for (int i = 0; i < payload.length; i++) {
            byte[] mutated = payload.clone();
            mutated[i] ^= 0x01;
            String note = prefix + Base64.getEncoder().encodeToString(mutated) + "\n";
            Class<? extends VerificationException> want = i < KeyId.SIZE
                    ? UnverifiedNoteException.class
                    : InvalidSignatureException.class;
            int at = i;
            assertThrows(want, () -> Notes.open(note, known), () -> "flipped signature byte " + at);
        }
    }

    /** The project's copy must hold the same values as the shared one, or one of them is stale. */
    @Test
    void projectCopyMatchesSharedCopy() {
        Map<String, String> shared = vector("shared");
        Map<String, String> project = vector("project");
        Stream.of("vkey", "skey", "text", "note").forEach(key ->
                assertEquals(shared.get(key), project.get(key), key));
    }
}
