package dev.agentledger.merkle;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * An immutable 32-byte SHA-256 value: a leaf hash, a node hash or a tree root.
 *
 * <p>Copies on the way in and out, compares by content and prints as hex, so it is safe to keep in
 * records and collections (a raw {@code byte[]} is not).
 */
public final class Hash implements Comparable<Hash> {
    /** The length of every hash in RFC 9162 with SHA-256. */
    public static final int SIZE = 32;

    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    /** Takes ownership of {@code bytes}; callers in this package never touch it again. */
    Hash(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Copies a hash from trusted bytes.
     *
     * @throws IllegalArgumentException if {@code bytes} is not exactly 32 bytes long
     */
    public static Hash of(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("hash is " + bytes.length + " bytes, want " + SIZE);
        }
        return new Hash(bytes.clone());
    }

    /** Copies the 32 bytes at {@code offset}; requires {@code offset + 32 <= bytes.length}. */
    public static Hash of(byte[] bytes, int offset) {
        return new Hash(Arrays.copyOfRange(bytes, offset, Math.addExact(offset, SIZE)));
    }

    /**
     * Reads a hash from untrusted bytes.
     *
     * @throws VerificationException if {@code bytes} is not exactly 32 bytes long
     */
    public static Hash parse(byte[] bytes) throws VerificationException {
        if (bytes.length != SIZE) {
            throw new VerificationException("hash is " + bytes.length + " bytes, want " + SIZE);
        }
        return new Hash(bytes.clone());
    }

    /** Parses 64 hex digits; throws {@link IllegalArgumentException} otherwise. */
    public static Hash fromHex(String hex) {
        return of(HEX.parseHex(hex));
    }

    /** Parses standard base64 of 32 bytes; throws {@link IllegalArgumentException} otherwise. */
    public static Hash fromBase64(String base64) {
        return of(Base64.getDecoder().decode(base64));
    }

    /** Returns a fresh copy of the 32 bytes. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, SIZE);
    }

    /** The bytes themselves, for hashing in this package without a copy. Never hand them out. */
    byte[] bytes() {
        return bytes;
    }

    /** Lower-case hex, 64 characters. */
    public String toHex() {
        return HEX.formatHex(bytes);
    }

    /** Standard base64 with padding, as used in checkpoints and JSON proofs. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Orders hashes as unsigned big-endian numbers. */
    @Override
    public int compareTo(Hash other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
