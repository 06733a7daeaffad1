package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * c2sp.org/tlog-cosignature, Ed25519 {@code cosignature/v1}. The vector in cosignature-v1.json was
 * computed from the specs alone with pyca/cryptography (make-cosignature-vector.py beside it).
 */
class CosignatureV1Test {
    private static final Map<String, String> VECTOR = VectorFile.resource("cosignature-v1.json");
    private static final Map<String, String> PUBLISHED = VectorFile.resource("published-vectors.json");
    private static final long TIMESTAMP = Long.parseLong(VECTOR.get("timestamp"));
    private static final String CHECKPOINT = VECTOR.get("checkpoint");

    private static InstantSource clockAt(long seconds) {
        return InstantSource.fixed(Instant.ofEpochSecond(seconds, 999_999_999));
    }

    private static CosignatureV1Verifier witnessVerifier() {
        return CosignatureV1Verifier.create(VerifierKey.parse(VECTOR.get("witness_vkey")));
    }

    private static Ed25519NoteVerifier logVerifier() {
        return Ed25519NoteVerifier.create(VerifierKey.parse(VECTOR.get("log_vkey")));
    }

    @Test
    void vectorOpensWithLogSignatureAndCosignature() throws VerificationException {
        CosignatureV1Verifier witness = witnessVerifier();
        Note note = Notes.open(VECTOR.get("note"), List.of(logVerifier(), witness));
        assertEquals(CHECKPOINT, note.text());
        assertEquals(2, note.verifiedSignatures().size());
        assertEquals(OptionalLong.of(TIMESTAMP), witness.verifiedTimestamp(note));
        assertEquals(OptionalLong.of(TIMESTAMP), witnessVerifier().verifiedTimestamp(note), "equal verifier");
        assertEquals(Checkpoint.parse(CHECKPOINT), Checkpoint.parse(note.text()));
    }

    @Test
    void signingReproducesTheVectorByteForByte() {
        Ed25519NoteSigner log = Ed25519NoteSigner.create(SignerKey.parse(VECTOR.get("log_skey")));
        CosignatureV1Signer witness =
                CosignatureV1Signer.create(SignerKey.parse(VECTOR.get("witness_skey")), clockAt(TIMESTAMP));
        assertEquals(VECTOR.get("note"), Notes.sign(CHECKPOINT, log, witness));
        assertEquals(VECTOR.get("witness_vkey"), witness.verifierKey().toString());
    }

    @Test
    void signedMessageIsTheSpecLayout() {
        byte[] message = CosignatureV1Message.of(TIMESTAMP, CHECKPOINT.getBytes(StandardCharsets.UTF_8));
        assertEquals(VECTOR.get("cosigned_message"), new String(message, StandardCharsets.UTF_8));
        assertEquals("cosignature/v1\ntime 0\n" + CHECKPOINT,
                new String(CosignatureV1Message.of(0, CHECKPOINT.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }

    /** The key ID commits to type 0x04: SHA-256(name || 0x0A || 0x04 || key)[:4], recomputed here. */
    @Test
    void keyIdUsesType04() throws Exception {
        VerifierKey key = VerifierKey.parse(VECTOR.get("witness_vkey"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update("witness.example.com/w1\n".getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0x04);
        sha.update(key.publicKey());
        assertEquals(HexFormat.of().formatHex(sha.digest(), 0, 4), key.keyId().toString());
        assertNotEquals(key.keyId(), KeyId.compute(key.name(), SignatureType.ED25519, key.publicKey()));
        // transparency-dev/formats' type 0x04 verifier key carries an ID computed the same way.
        assertEquals(KeyId.parseHex("da77ade7"), VerifierKey.parse(PUBLISHED.get("tdev_cosignature_vkey")).keyId());
    }

    @Test
    void roundTripWithFreshKeysRecoversTheTimestamp() throws VerificationException {
        SignerKey key = SignerKey.generate("witness.example/fresh", SignatureType.COSIGNATURE_V1);
        CosignatureV1Signer signer = CosignatureV1Signer.create(key, clockAt(1_700_000_000L));
        String text = new Checkpoint("log.example/x", 3, Rfc6962.EMPTY_ROOT, List.of("ext")).format();
        CosignatureV1Verifier verifier = CosignatureV1Verifier.create(key.verifierKey());
        Note note = Notes.open(Notes.sign(text, signer), List.of(verifier));
        assertEquals(OptionalLong.of(1_700_000_000L), verifier.verifiedTimestamp(note));
    }

    /** A witness adds its cosignature to the log's note; a client checks both in one call. */
    @Test
    void witnessCosignsAnOpenedCheckpoint() throws VerificationException {
        Ed25519NoteSigner log = Ed25519NoteSigner.create(SignerKey.parse(VECTOR.get("log_skey")));
        String logNote = Notes.sign(CHECKPOINT, log);
        Note seenByWitness = Notes.open(logNote, List.of(logVerifier()));
        CosignatureV1Signer witness =
                CosignatureV1Signer.create(SignerKey.parse(VECTOR.get("witness_skey")), clockAt(TIMESTAMP));
        String cosigned = Notes.addSignatures(seenByWitness, List.of(witness));
        assertEquals(VECTOR.get("note"), cosigned);
        // Without the log's key, the cosignature alone still verifies the note.
        CosignatureV1Verifier verifier = witnessVerifier();
        Note byWitnessOnly = Notes.open(cosigned, List.of(verifier));
        assertEquals(1, byWitnessOnly.unverifiedSignatures().size());
        assertEquals(OptionalLong.of(TIMESTAMP), verifier.verifiedTimestamp(byWitnessOnly));
        assertEquals(OptionalLong.empty(), verifier.verifiedTimestamp(Notes.open(logNote, List.of(logVerifier()))));
    }

    /** Each of the 8 timestamp bytes, changed, breaks the signature. */
    @ParameterizedTest(name = "timestamp byte {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void tamperedTimestampFails(int index) {
        byte[] payload = cosignaturePayload(VECTOR.get("note"));
        payload[KeyId.SIZE + index] ^= (byte) (index == 0 ? 0x01 : 0x80);
        String note = replaceCosignature(VECTOR.get("note"), payload);
        InvalidSignatureException e = assertThrows(InvalidSignatureException.class,
                () -> Notes.open(note, List.of(witnessVerifier())));
        assertEquals("witness.example.com/w1", e.keyName());
    }

    @Test
    void timestampAbove2To63Minus1IsRefused() {
        byte[] payload = cosignaturePayload(VECTOR.get("note"));
        ByteBuffer.wrap(payload, KeyId.SIZE, 8).putLong(-1L);
        String note = replaceCosignature(VECTOR.get("note"), payload);
        InvalidSignatureException e = assertThrows(InvalidSignatureException.class,
                () -> Notes.open(note, List.of(witnessVerifier())));
        assertTrue(e.getMessage().contains("18446744073709551615 exceeds 2^63-1"), e.getMessage());
    }

    @Test
    void tamperedCheckpointFails() {
        String note = VECTOR.get("note").replace("20852163", "20852164");
        assertThrows(InvalidSignatureException.class, () -> Notes.open(note, List.of(witnessVerifier())));
    }

    @Test
    void wrongLengthCosignatureFails() {
        byte[] payload = cosignaturePayload(VECTOR.get("note"));
        String note = replaceCosignature(VECTOR.get("note"), Arrays.copyOf(payload, payload.length - 1));
        InvalidSignatureException e = assertThrows(InvalidSignatureException.class,
                () -> Notes.open(note, List.of(witnessVerifier())));
        assertTrue(e.getMessage().contains("71 bytes, want 72"), e.getMessage());
    }

    /** A cosignature signs checkpoints only; a verifier refuses one over any other text. */
    @Test
    void onlyCheckpointsAreCosigned() {
        SignerKey key = SignerKey.generate("w", SignatureType.COSIGNATURE_V1);
        CosignatureV1Signer signer = CosignatureV1Signer.create(key, clockAt(1));
        assertThrows(IllegalArgumentException.class, () -> Notes.sign("just text\n", signer));
        // Forge the case with the same key signing the message for a non-checkpoint text.
        byte[] text = "just text\n".getBytes(StandardCharsets.UTF_8);
        byte[] signature = Ed25519.signing(key.seed(), null).sign(CosignatureV1Message.of(1, text));
        byte[] cosignature = ByteBuffer.allocate(72).putLong(1).put(signature).array();
        VerificationException e = assertThrows(VerificationException.class,
                () -> CosignatureV1Verifier.create(key.verifierKey()).verify(text, cosignature));
        assertTrue(e.getMessage().contains("malformed checkpoint"), e.getMessage());
    }

    @Test
    void clockBefore1970IsRefused() {
        CosignatureV1Signer signer = CosignatureV1Signer.create(
                SignerKey.generate("w", SignatureType.COSIGNATURE_V1), clockAt(-1));
        assertThrows(IllegalStateException.class, () -> Notes.sign(CHECKPOINT, signer));
    }

    /** A type 0x01 key does not make or check cosignatures, nor a 0x04 key plain signatures. */
    @Test
    void keyTypesDoNotMix() {
        SignerKey plain = SignerKey.parse(VECTOR.get("log_skey"));
        SignerKey cosigning = SignerKey.parse(VECTOR.get("witness_skey"));
        assertThrows(IllegalArgumentException.class, () -> CosignatureV1Signer.create(plain, clockAt(0)));
        assertThrows(IllegalArgumentException.class, () -> CosignatureV1Verifier.create(plain.verifierKey()));
        assertThrows(IllegalArgumentException.class, () -> Ed25519NoteSigner.create(cosigning));
        assertThrows(IllegalArgumentException.class, () -> Ed25519NoteVerifier.create(cosigning.verifierKey()));
    }

    /** The tlog-cosignature example: no key is published, so check its framing and that it is not trusted. */
    @Test
    void specExampleIsFramedAsKeyIdTimestampSignature() {
        String note = PUBLISHED.get("c2sp_cosigned_checkpoint");
        UnverifiedNoteException e = assertThrows(UnverifiedNoteException.class,
                () -> Notes.open(note, List.of(witnessVerifier(), logVerifier())));
        NoteSignature cosignature = e.unknownSignatures().get(1);
        assertEquals("witness.example.com/w1", cosignature.name());
        assertEquals(KeyId.parseHex(PUBLISHED.get("c2sp_cosignature_key_id")), cosignature.keyId());
        assertEquals(CosignatureV1Message.SIGNATURE_SIZE, cosignature.signature().length);
        assertEquals(Long.parseLong(PUBLISHED.get("c2sp_cosignature_timestamp")),
                CosignatureV1Message.timestamp(cosignature.signature()));
        byte[] tdev = Base64.getDecoder().decode(PUBLISHED.get("tdev_cosignature_base64"));
        assertEquals(Long.parseLong(PUBLISHED.get("tdev_cosignature_timestamp")),
                CosignatureV1Message.timestamp(Arrays.copyOfRange(tdev, KeyId.SIZE, tdev.length)));
    }

    /** The witness line's payload: key ID, timestamp, Ed25519 signature. */
    private static byte[] cosignaturePayload(String note) {
        String line = note.substring(note.lastIndexOf("\u2014 "));
        return Base64.getDecoder().decode(line.substring(line.lastIndexOf(' ') + 1).strip());
    }

    private static String replaceCosignature(String note, byte[] payload) {
        int at = note.lastIndexOf("\u2014 ");
        String line = note.substring(at);
        return note.substring(0, at) + line.substring(0, line.lastIndexOf(' ') + 1)
                + Base64.getEncoder().encodeToString(payload) + "\n";
    }
}
