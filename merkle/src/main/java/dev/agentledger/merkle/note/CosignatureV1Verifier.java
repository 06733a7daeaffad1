package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Verifies Ed25519 {@code cosignature/v1} witness cosignatures, signature type {@code 0x04}
 * (c2sp.org/tlog-cosignature), and gives access to the timestamp they sign. Plugs into {@link
 * Notes#open} like any {@link NoteVerifier}, so one call can check a log's signature and its
 * witnesses' cosignatures. Equal when their verifier keys are equal. Thread-safe.
 *
 * <p>The timestamp is not compared with any clock: a caller that wants to refuse cosignatures from
 * the future reads it with {@link #verifiedTimestamp}.
 */
public final class CosignatureV1Verifier implements NoteVerifier {
    private final VerifierKey key;
    private final Ed25519 ed25519;

    private CosignatureV1Verifier(VerifierKey key, Provider provider) {
        if (key.type() != SignatureType.COSIGNATURE_V1) {
            throw new IllegalArgumentException(
                    "key " + key + " is for " + key.type() + ", want COSIGNATURE_V1");
        }
        this.key = key;
        this.ed25519 = Ed25519.verifying(key.publicKeyBytes(), provider);
    }

    /**
     * A verifier on the default {@code java.security} providers.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#COSIGNATURE_V1}
     */
    public static CosignatureV1Verifier create(VerifierKey key) {
        return new CosignatureV1Verifier(key, null);
    }

    /**
     * A verifier whose Ed25519 runs on {@code provider}.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link
     *     SignatureType#COSIGNATURE_V1} or the provider refuses it
     */
    public static CosignatureV1Verifier create(VerifierKey key, Provider provider) {
        return new CosignatureV1Verifier(key, Objects.requireNonNull(provider, "provider"));
    }

    @Override
    public String name() {
        return key.name();
    }

    @Override
    public KeyId keyId() {
        return key.keyId();
    }

    /** The key this verifier checks against. */
    public VerifierKey verifierKey() {
        return key;
    }

    /**
     * Checks a 72-byte cosignature {@code timestamp || Ed25519 signature} of the checkpoint body
     * {@code text}.
     *
     * @throws VerificationException if the signature is not 72 bytes, its timestamp exceeds
     *     2^63-1, {@code text} is not a checkpoint, or the signature does not verify
     */
    @Override
    public void verify(byte[] text, byte[] signature) throws VerificationException {
        if (signature.length != CosignatureV1Message.SIGNATURE_SIZE) {
            throw new VerificationException("cosignature is " + signature.length + " bytes, want "
                    + CosignatureV1Message.SIGNATURE_SIZE);
        }
        long timestamp = CosignatureV1Message.timestamp(signature);
        if (timestamp < 0) {
            throw new VerificationException("cosignature timestamp "
                    + Long.toUnsignedString(timestamp) + " exceeds 2^63-1");
        }
        CosignatureV1Message.requireCheckpoint(text);
        byte[] ed25519Signature = Arrays.copyOfRange(
                signature, CosignatureV1Message.TIMESTAMP_SIZE, signature.length);
        if (!ed25519.verify(CosignatureV1Message.of(timestamp, text), ed25519Signature)) {
            throw new VerificationException("cosignature at time " + timestamp + " does not verify");
        }
    }

    /**
     * The timestamp (POSIX seconds) of this cosigner's signature in {@code note}, if this verifier
     * (or one equal to it) verified one when the note was opened.
     */
    public OptionalLong verifiedTimestamp(Note note) {
        return note.verifiedSignature(this)
                .map(s -> OptionalLong.of(CosignatureV1Message.timestamp(s.signatureBytes())))
                .orElse(OptionalLong.empty());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosignatureV1Verifier other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return "CosignatureV1Verifier[" + key + "]";
    }
}
