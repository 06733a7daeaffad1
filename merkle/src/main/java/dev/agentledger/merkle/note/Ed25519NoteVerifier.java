package dev.agentledger.merkle.note;

import dev.agentledger.merkle.VerificationException;
import java.security.Provider;
import java.util.Objects;

/**
 * Verifies Ed25519 note signatures, signature type {@code 0x01} (c2sp.org/signed-note, section
 * "Ed25519 signatures"). Equal when their verifier keys are equal. Thread-safe.
 */
public final class Ed25519NoteVerifier implements NoteVerifier {
    private final VerifierKey key;
    private final Ed25519 ed25519;

    private Ed25519NoteVerifier(VerifierKey key, Provider provider) {
        if (key.type() != SignatureType.ED25519) {
            throw new IllegalArgumentException("key " + key + " is for " + key.type() + ", want ED25519");
        }
        this.key = key;
        this.ed25519 = Ed25519.verifying(key.publicKeyBytes(), provider);
    }

    /**
     * A verifier on the default {@code java.security} providers.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#ED25519}
     */
    public static Ed25519NoteVerifier create(VerifierKey key) {
        return new Ed25519NoteVerifier(key, null);
    }

    /**
     * A verifier whose Ed25519 runs on {@code provider}.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#ED25519}
     *     or the provider refuses it
     */
    public static Ed25519NoteVerifier create(VerifierKey key, Provider provider) {
        return new Ed25519NoteVerifier(key, Objects.requireNonNull(provider, "provider"));
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
     * Checks a 64-byte Ed25519 signature of {@code text}.
     *
     * @throws VerificationException if the signature is not 64 bytes or does not verify
     */
    @Override
    public void verify(byte[] text, byte[] signature) throws VerificationException {
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            throw new VerificationException(
                    "Ed25519 signature is " + signature.length + " bytes, want " + Ed25519.SIGNATURE_SIZE);
        }
        if (!ed25519.verify(text, signature)) {
            throw new VerificationException("Ed25519 signature does not verify");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Ed25519NoteVerifier other && key.equals(other.key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return "Ed25519NoteVerifier[" + key + "]";
    }
}
