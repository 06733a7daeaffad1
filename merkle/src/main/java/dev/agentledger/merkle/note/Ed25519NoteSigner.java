package dev.agentledger.merkle.note;

import java.security.Provider;
import java.util.Objects;

/**
 * Signs notes with Ed25519 over the note text, signature type {@code 0x01} (c2sp.org/signed-note,
 * section "Ed25519 signatures"). Ed25519 is deterministic: the same key and text always give the
 * same note. Thread-safe.
 */
public final class Ed25519NoteSigner implements NoteSigner {
    private final SignerKey key;
    private final Ed25519 ed25519;

    private Ed25519NoteSigner(SignerKey key, Provider provider) {
        if (key.type() != SignatureType.ED25519) {
            throw new IllegalArgumentException("key " + key + " is for " + key.type() + ", want ED25519");
        }
        this.key = key;
        this.ed25519 = Ed25519.signing(key.seed(), provider);
    }

    /**
     * A signer on the default {@code java.security} providers.
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#ED25519}
     */
    public static Ed25519NoteSigner create(SignerKey key) {
        return new Ed25519NoteSigner(key, null);
    }

    /**
     * A signer whose Ed25519 runs on {@code provider} (for example a faster one than the JDK's).
     *
     * @throws IllegalArgumentException if {@code key} is not of type {@link SignatureType#ED25519}
     *     or the provider refuses it
     */
    public static Ed25519NoteSigner create(SignerKey key, Provider provider) {
        return new Ed25519NoteSigner(key, Objects.requireNonNull(provider, "provider"));
    }

    @Override
    public String name() {
        return key.name();
    }

    @Override
    public KeyId keyId() {
        return key.keyId();
    }

    /** The public half of this signer's key. */
    public VerifierKey verifierKey() {
        return key.verifierKey();
    }

    /** Returns the 64-byte Ed25519 signature of {@code text}. */
    @Override
    public byte[] sign(byte[] text) {
        return ed25519.sign(text);
    }

    @Override
    public String toString() {
        return "Ed25519NoteSigner[" + name() + "+" + keyId() + "]";
    }
}
