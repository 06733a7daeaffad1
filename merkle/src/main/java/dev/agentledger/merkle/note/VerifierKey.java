package dev.agentledger.merkle.note;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A public key with its name and type, as written in a verifier key ("vkey") string
 * {@code <name>+<hex key ID>+<base64(type || public key)>} (c2sp.org/signed-note, section
 * "Verifier keys"; c2sp.org/tlog-cosignature, section "Format", for type {@code 0x04}).
 *
 * <p>Immutable. The key ID is always the one computed from name, type and key, so a parsed vkey
 * whose ID does not match is refused. Verifier keys are configuration, not untrusted input: a bad
 * one is an {@link IllegalArgumentException}.
 */
public final class VerifierKey {
    private final String name;
    private final SignatureType type;
    private final byte[] publicKey;
    private final KeyId keyId;

    private VerifierKey(String name, SignatureType type, byte[] publicKey) {
        this.name = NoteSyntax.requireValidKeyName(name);
        this.type = Objects.requireNonNull(type, "type");
        if (publicKey.length != Ed25519.KEY_SIZE) {
            throw new IllegalArgumentException(
                    "public key is " + publicKey.length + " bytes, want " + Ed25519.KEY_SIZE);
        }
        this.publicKey = publicKey;
        this.keyId = KeyId.compute(name, type, publicKey);
    }

    /**
     * A verifier key for a raw 32-byte Ed25519 public key (RFC 8032 encoding).
     *
     * @throws IllegalArgumentException if the name is invalid or the key is not 32 bytes
     */
    public static VerifierKey of(String name, SignatureType type, byte[] publicKey) {
        return new VerifierKey(name, type, publicKey.clone());
    }

    /**
     * Parses {@code <name>+<8 hex digits>+<base64(type || 32-byte key)>}.
     *
     * @throws IllegalArgumentException if the string is malformed, the type is not supported, or
     *     the key ID does not match the name, type and key
     */
    public static VerifierKey parse(String vkey) {
        String[] parts = vkey.split("\\+", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("verifier key has " + parts.length
                    + " '+'-separated parts, want <name>+<key ID>+<key>");
        }
        KeyId stated = KeyId.parseHex(parts[1]);
        byte[] typed = decodeKey(parts[2]);
        SignatureType type = SignatureType.fromId(typed[0]).orElseThrow(() ->
                new IllegalArgumentException(String.format("unsupported signature type 0x%02x", typed[0])));
        VerifierKey key = new VerifierKey(parts[0], type, Arrays.copyOfRange(typed, 1, typed.length));
        if (!key.keyId.equals(stated)) {
            throw new IllegalArgumentException(
                    "verifier key ID is " + stated + ", but name, type and key give " + key.keyId);
        }
        return key;
    }

    /** Decodes {@code base64(type || key)}; the type byte is always there. */
    static byte[] decodeKey(String base64) {
        byte[] typed = NoteSyntax.decodeBase64(base64);
        if (typed.length == 0) {
            throw new IllegalArgumentException("key material is empty, want a type byte and a key");
        }
        return typed;
    }

    /** The key name, as in signature lines. */
    public String name() {
        return name;
    }

    /** The signature type this key verifies. */
    public SignatureType type() {
        return type;
    }

    /** The key ID, {@code SHA-256(name || 0x0A || type || public key)[:4]}. */
    public KeyId keyId() {
        return keyId;
    }

    /** A copy of the raw 32-byte public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The public key itself, for this package only. Never hand it out. */
    byte[] publicKeyBytes() {
        return publicKey;
    }

    /** Encodes the verifier key string {@code <name>+<key ID>+<base64(type || key)>}. */
    @Override
    public String toString() {
        return name + "+" + keyId + "+" + NoteSyntax.encodeBase64(typedKey(type, publicKey));
    }

    /** {@code type || key}, as encoded in key strings. */
    static byte[] typedKey(SignatureType type, byte[] key) {
        byte[] typed = new byte[1 + key.length];
        typed[0] = type.id();
        System.arraycopy(key, 0, typed, 1, key.length);
        return typed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerifierKey other
                && name.equals(other.name)
                && type == other.type
                && MessageDigest.isEqual(publicKey, other.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(publicKey));
    }
}
