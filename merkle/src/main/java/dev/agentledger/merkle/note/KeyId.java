package dev.agentledger.merkle.note;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The 32-bit key ID that, with the key name, identifies a signing key in a note (c2sp.org/signed-note,
 * section "Signatures"). Printed as 8 lower-case hex digits, as in verifier keys.
 *
 * @param value the four bytes of the ID as a big-endian int
 */
public record KeyId(int value) implements Serializable {
    /** The length of a key ID in a signature line. */
    public static final int SIZE = 4;

    /**
     * Computes {@code SHA-256(name || 0x0A || type || publicKey)[:4]}, the ID recommended by
     * c2sp.org/signed-note and required by c2sp.org/tlog-cosignature.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid key name
     */
    public static KeyId compute(String name, SignatureType type, byte[] publicKey) {
        NoteSyntax.requireValidKeyName(name);
        MessageDigest sha = sha256();
        sha.update(name.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
        sha.update(type.id());
        sha.update(publicKey);
        return fromBytes(sha.digest(), 0);
    }

    /**
     * Parses exactly 8 hex digits, as in a verifier key.
     *
     * @throws IllegalArgumentException if {@code hex} is not 8 hex digits
     */
    public static KeyId parseHex(String hex) {
        if (hex.length() != 2 * SIZE || !hex.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException("key ID \"" + hex + "\" is not 8 hex digits");
        }
        return new KeyId(HexFormat.fromHexDigits(hex));
    }

    /** Reads the big-endian ID at {@code offset}; requires {@code offset + 4 <= bytes.length}. */
    static KeyId fromBytes(byte[] bytes, int offset) {
        // Big-endian: the first byte is the most significant.
        return new KeyId((bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16
                | (bytes[offset + 2] & 0xff) << 8 | (bytes[offset + 3] & 0xff));
    }

    /** Writes the ID big-endian into {@code target} at {@code offset}. */
    void copyTo(byte[] target, int offset) {
        for (int i = 0; i < SIZE; i++) {
            // Byte i holds bits 31-8i down to 24-8i.
            target[offset + i] = (byte) (value >>> (24 - 8 * i));
        }
    }

    /** Eight lower-case hex digits. */
    @Override
    public String toString() {
        return HexFormat.of().toHexDigits(value);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
