package dev.agentledger.verifierclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.InclusionProof;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.merkle.note.MalformedNoteException;
import dev.agentledger.merkle.note.SignatureType;
import dev.agentledger.merkle.note.SignerKey;
import dev.agentledger.merkle.note.VerifierKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogVerifierTest {
    private static final String ORIGIN = "example.test/log";

    private final SignerKey logKey = SignerKey.generate(ORIGIN, SignatureType.ED25519);
    private final List<SignerKey> witnesses = IntStream.range(0, 3)
            .mapToObj(i -> SignerKey.generate("witness" + i, SignatureType.COSIGNATURE_V1)).toList();
    private final TestLog log = new TestLog(ORIGIN, logKey, "a").grow(5);

    private LogVerifier verifier(int n, int k) {
        return LogVerifier.create(ORIGIN, logKey.verifierKey(),
                witnesses.subList(0, n).stream().map(SignerKey::verifierKey).toList(), k);
    }

    @ParameterizedTest(name = "{0} witnesses, threshold {1}, {2} cosign: accepted {3}")
    @CsvSource({
        "0, 0, 0, true",
        "1, 0, 0, true",
        "1, 1, 0, false",
        "1, 1, 1, true",
        "3, 2, 1, false",
        "3, 2, 2, true",
        "3, 2, 3, true",
        "3, 3, 2, false",
        "3, 3, 3, true",
    })
    void thresholdKofN(int n, int k, int cosigners, boolean accepted) throws VerificationException {
        String note = log.note(witnesses.subList(0, cosigners).toArray(SignerKey[]::new));
        LogVerifier verifier = verifier(n, k);
        VerifiedCheckpoint opened = verifier.open(note);
        assertEquals(Math.min(n, cosigners), opened.cosignatures().size());
        assertEquals(accepted, opened.isConfirmed());
        if (accepted) {
            assertEquals(5, verifier.verify(note).size());
        } else {
            InsufficientCosignaturesException e = assertThrows(InsufficientCosignaturesException.class,
                    () -> verifier.verify(note));
            assertEquals(k, e.threshold());
        }
    }

    @Test
    void cosignatureByUnknownWitnessDoesNotCount() {
        SignerKey stranger = SignerKey.generate("witness0", SignatureType.COSIGNATURE_V1);
        assertThrows(InsufficientCosignaturesException.class, () -> verifier(3, 1).verify(log.note(stranger)));
    }

    @Test
    void tamperedCosignatureDoesNotCountAndDoesNotReject() throws VerificationException {
        String note = log.note(witnesses.get(0), witnesses.get(1));
        String tampered = flipInLine(note, "— witness1 ");
        VerifiedCheckpoint opened = verifier(3, 2).open(tampered);
        assertEquals(List.of(witnesses.get(0).verifierKey()), List.copyOf(opened.cosignatures().keySet()));
        assertThrows(InsufficientCosignaturesException.class, () -> verifier(3, 2).verify(tampered));
    }

    @Test
    void cosignatureOfAnotherCheckpointDoesNotCount() {
        String other = new TestLog(ORIGIN, logKey, "a").grow(6).note(witnesses.get(0));
        String cosignature = other.substring(other.indexOf("— witness0 "));
        String note = log.note() + cosignature;
        assertThrows(InsufficientCosignaturesException.class, () -> verifier(3, 1).verify(note));
    }

    @Test
    void cosignatureTimestampIsReported() throws VerificationException {
        long before = java.time.Instant.now().getEpochSecond();
        VerifiedCheckpoint opened = verifier(1, 1).verify(log.note(witnesses.get(0)));
        long at = opened.cosignatures().get(witnesses.get(0).verifierKey()).getEpochSecond();
        assertTrue(at >= before && at <= before + 5, "timestamp " + at);
    }

    @Test
    void wrongOrigin() {
        TestLog other = new TestLog("other.test/log", logKey, "a").grow(5);
        WrongOriginException e = assertThrows(WrongOriginException.class, () -> verifier(0, 0).verify(other.note()));
        assertEquals("other.test/log", e.got());
    }

    @Test
    void noSignatureByTheLogKey() {
        TestLog impostor = new TestLog(ORIGIN, SignerKey.generate(ORIGIN, SignatureType.ED25519), "a").grow(5);
        assertThrows(LogSignatureException.class, () -> verifier(0, 0).verify(impostor.note()));
    }

    @Test
    void invalidLogSignature() {
        String tampered = flipInLine(log.note(), "— " + ORIGIN + " ");
        assertThrows(LogSignatureException.class, () -> verifier(0, 0).verify(tampered));
    }

    @Test
    void textChangedAfterSigning() {
        String note = log.note().replaceFirst("\n5\n", "\n6\n");
        assertThrows(LogSignatureException.class, () -> verifier(0, 0).verify(note));
    }

    @Test
    void malformedNote() {
        assertThrows(MalformedNoteException.class, () -> verifier(0, 0).verify("not a note"));
    }

    @Test
    void entryVerifies() throws VerificationException {
        for (int i = 0; i < 5; i++) {
            verifier(1, 1).verifyEntry(TestLog.entry("a", i), i, log.inclusion(i, 5), log.note(witnesses.get(0)).getBytes());
        }
    }

    /** Each row breaks one part of a valid (entry 2, proof, checkpoint of size 5) triple. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"wrong-entry", "wrong-index", "proof-for-other-index", "proof-for-other-size", "truncated-proof",
            "tampered-proof"})
    void entryMutations(String mutation) {
        byte[] entry = TestLog.entry("a", 2);
        long index = 2;
        InclusionProof proof = log.inclusion(2, 5);
        switch (mutation) {
            case "wrong-entry" -> entry = TestLog.entry("b", 2);
            case "wrong-index" -> index = 3;
            case "proof-for-other-index" -> proof = new InclusionProof(3, 5, proof.hashes());
            case "proof-for-other-size" -> proof = log.grow(1).inclusion(2, 6);
            case "truncated-proof" -> proof = new InclusionProof(2, 5, proof.hashes().subList(1, proof.hashes().size()));
            case "tampered-proof" -> {
                List<dev.agentledger.merkle.Hash> hashes = new ArrayList<>(proof.hashes());
                hashes.set(0, Rfc6962.hashLeaf(new byte[] {1}));
                proof = new InclusionProof(2, 5, hashes);
            }
            default -> throw new IllegalArgumentException(mutation);
        }
        byte[] note = new TestLog(ORIGIN, logKey, "a").grow(5).note().getBytes();
        byte[] e = entry;
        long i = index;
        InclusionProof p = proof;
        assertThrows(NotIncludedException.class, () -> verifier(0, 0).verifyEntry(e, i, p, note));
    }

    @Test
    void configurationErrors() {
        List<VerifierKey> keys = witnesses.stream().map(SignerKey::verifierKey).toList();
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.create(ORIGIN, logKey.verifierKey(), keys, 4));
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.create(ORIGIN, logKey.verifierKey(), keys, -1));
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.create(ORIGIN, logKey.verifierKey(),
                List.of(keys.get(0), keys.get(0)), 1));
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.create(ORIGIN, keys.get(0), keys, 1));
        assertThrows(IllegalArgumentException.class, () -> LogVerifier.create(ORIGIN, logKey.verifierKey(),
                List.of(logKey.verifierKey()), 1));
    }

    /** Flips one bit in the base64 signature of the line starting with {@code prefix}. */
    static String flipInLine(String note, String prefix) {
        int start = note.indexOf(prefix) + prefix.length();
        int end = note.indexOf('\n', start);
        byte[] sig = java.util.Base64.getDecoder().decode(note.substring(start, end));
        sig[sig.length - 1] ^= 1;
        return note.substring(0, start) + java.util.Base64.getEncoder().encodeToString(sig) + note.substring(end);
    }

}
