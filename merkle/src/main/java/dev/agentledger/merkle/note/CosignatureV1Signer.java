package dev.agentledger.merkle.note;

import java.nio.ByteBuffer;
import java.security.Provider;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Cosigns checkpoints as a witness: an Ed25519 {@code cosignature/v1}, signature type {@code 0x04}
 * (c2sp.org/tlog-cosignature). The signature is {@code timestamp || Ed25519(message)} where the
 * message is {@code cosignature/v1\ntime <timestamp>\n} followed by the checkpoint body, and the
 * timestamp is the clock's current second. Plugs into {@link Notes#sign} and {@link
 * Notes#addSignatures} like any {@link NoteSigner}. Thread-safe.
 */
public final class CosignatureV1Signer implements NoteSigner {
    private final SignerKey key;
    private final InstantSource clock;
    private final Ed25519 ed25519;

    private CosignatureV1Signer(SignerKey key, InstantSource clock, Provider provider) {
        if (key.type() != SignatureType.COSIGNATURE_V1) {
            throw new IllegalArgumentException(
                    "key " + key + " is for " + key.type() + ", want COSIGNATURE_V1");
        }
        this.key = key;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ed25519 = Ed25519.signing(key.seed(), provider);
    }

    /**
     * A cosigner on the default {@code java.security} providers, stamping signatures with
     * {@code clock}.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#COSIGNATURE_V1}
     */
    public static CosignatureV1Signer create(SignerKey key, InstantSource clock) {
        return new CosignatureV1Signer(key, clock, null);
    }

    /**
     * A cosigner whose Ed25519 runs on {@code provider}.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link
     *     SignatureType#COSIGNATURE_V1} or the provider refuses it
     */
    public static CosignatureV1Signer create(SignerKey key, InstantSource clock, Provider provider) {
        return new CosignatureV1Signer(key, clock, Objects.requireNonNull(provider, "provider"));
    }

    @Override
    public String name() {
        return key.name();
    }

    @Override
    public KeyId keyId() {
        return key.keyId();
    }

    /** The public half of this cosigner's key, type {@code 0x04}. */
    public VerifierKey verifierKey() {
        return key.verifierKey();
    }

    /**
     * Returns {@code timestamp (8 bytes, big-endian) || Ed25519 signature (64)} over the
     * {@code cosignature/v1} message for the checkpoint body {@code text}.
     *
     * @throws IllegalArgumentException if {@code text} is not a checkpoint body
     * @throws IllegalStateException if the clock is before 1970
     */
    @Override
    public byte[] sign(byte[] text) {
        try {
            CosignatureV1Message.requireCheckpoint(text);
        } catch (MalformedCheckpointException e) {
            throw new IllegalArgumentException("a cosignature signs only checkpoints: " + e.getMessage(), e);
        }
        long timestamp = clock.instant().getEpochSecond();
        if (timestamp < 0) {
            throw new IllegalStateException("clock reads " + clock.instant() + ", before 1970");
        }
        byte[] signature = ed25519.sign(CosignatureV1Message.of(timestamp, text));
        return ByteBuffer.allocate(CosignatureV1Message.SIGNATURE_SIZE)
                .putLong(timestamp)
                .put(signature)
                .array();
    }

    @Override
    public String toString() {
        return "CosignatureV1Signer[" + name() + "+" + keyId() + "]";
    }
}
