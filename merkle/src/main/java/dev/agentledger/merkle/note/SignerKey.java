package dev.agentledger.merkle.note;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * A secret Ed25519 signing key with its name and type, as in the private key string
 * {@code PRIVATE+KEY+<name>+<hex key ID>+<base64(type || 32-byte seed)>} of
 * golang.org/x/mod/sumdb/note (also accepted by transparency-dev/formats with type {@code 0x04}).
 *
 * <p>Security: whoever holds the private key string can sign as this key. {@link #toString()}
 * never prints the secret; only {@link #toPrivateKeyString()} does. Immutable.
 */
public final class SignerKey {
    private static final String PREFIX = "PRIVATE+KEY+";

    private final byte[] seed;
    private final VerifierKey verifierKey;

    private SignerKey(String name, SignatureType type, byte[] seed) {
        this.seed = seed;
        this.verifierKey = VerifierKey.of(name, type, Ed25519.publicKeyOf(seed));
    }

    /**
     * The key with this 32-byte seed (the RFC 8032 private key).
     *
     * @throws IllegalArgumentException if the name is invalid or the seed is not 32 bytes
     */
    public static SignerKey fromSeed(String name, SignatureType type, byte[] seed) {
        NoteSyntax.requireValidKeyName(name);
        return new SignerKey(name, Objects.requireNonNull(type, "type"), seed.clone());
    }

    /** A fresh key from a new {@link SecureRandom}; see {@link #generate(String, SignatureType, SecureRandom)}. */
    public static SignerKey generate(String name, SignatureType type) {
        return generate(name, type, new SecureRandom());
    }

    /**
     * A fresh key whose seed comes from {@code random}. Print it with {@link #toPrivateKeyString()}
     * and its public half with {@code verifierKey().toString()}.
     *
     * @throws IllegalArgumentException if the name is invalid
     */
    public static SignerKey generate(String name, SignatureType type, SecureRandom random) {
        return fromSeed(name, type, Ed25519.newSeed(random));
    }

    /**
     * Parses {@code PRIVATE+KEY+<name>+<8 hex digits>+<base64(type || 32-byte seed)>}. Error
     * messages never include the secret.
     *
     * @throws IllegalArgumentException if the string is malformed, the type is not supported, or
     *     the key ID does not match the name, type and derived public key
     */
    public static SignerKey parse(String skey) {
        if (!skey.startsWith(PREFIX)) {
            throw new IllegalArgumentException("private key string does not start with " + PREFIX);
        }
        String[] parts = skey.substring(PREFIX.length()).split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    "private key string wants PRIVATE+KEY+<name>+<key ID>+<key>");
        }
        KeyId stated = KeyId.parseHex(parts[1]);
        byte[] typed;
        try {
            typed = VerifierKey.decodeKey(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("private key material is not canonical base64");
        }
        SignatureType type = SignatureType.fromId(typed[0]).orElseThrow(() ->
                new IllegalArgumentException(String.format("unsupported signature type 0x%02x", typed[0])));
        if (typed.length != 1 + Ed25519.KEY_SIZE) {
            throw new IllegalArgumentException("private key seed is " + (typed.length - 1)
                    + " bytes, want " + Ed25519.KEY_SIZE);
        }
        SignerKey key = fromSeed(parts[0], type, Arrays.copyOfRange(typed, 1, typed.length));
        if (!key.keyId().equals(stated)) {
            throw new IllegalArgumentException("private key ID is " + stated
                    + ", but name, type and public key give " + key.keyId());
        }
        return key;
    }

    /** The key name, as in signature lines. */
    public String name() {
        return verifierKey.name();
    }

    /** The signature type this key makes. */
    public SignatureType type() {
        return verifierKey.type();
    }

    /** The key ID, computed from the name, type and public key. */
    public KeyId keyId() {
        return verifierKey.keyId();
    }

    /** The public half, to hand to verifiers. */
    public VerifierKey verifierKey() {
        return verifierKey;
    }

    /** The seed itself, for this package only. Never hand it out. */
    byte[] seed() {
        return seed;
    }

    /** Encodes the secret private key string {@code PRIVATE+KEY+<name>+<key ID>+<base64(type || seed)>}. */
    public String toPrivateKeyString() {
        return PREFIX + name() + "+" + keyId() + "+"
                + NoteSyntax.encodeBase64(VerifierKey.typedKey(type(), seed));
    }

    /** Names the key without its secret. */
    @Override
    public String toString() {
        return "SignerKey[" + name() + "+" + keyId() + ", " + type() + ", secret redacted]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignerKey other
                && verifierKey.equals(other.verifierKey)
                && MessageDigest.isEqual(seed, other.seed);
    }

    @Override
    public int hashCode() {
        return verifierKey.hashCode();
    }
}
