package dev.agentledger.merkle;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * RFC 9162 section 2.1.1 hashing with SHA-256: {@code leaf = SHA-256(0x00 || entry)},
 * {@code node = SHA-256(0x01 || left || right)}, and the empty tree's root {@code SHA-256("")}.
 *
 * <p>The two domain-separation prefixes are defined here and nowhere else. Thread-safe: each
 * thread hashes with its own {@link MessageDigest}.
 */
public final class Rfc6962 {
    /** Prefix of a leaf hash's input (RFC 9162 section 2.1.1). */
    public static final byte LEAF_PREFIX = 0x00;
    /** Prefix of an interior node hash's input (RFC 9162 section 2.1.1). */
    public static final byte NODE_PREFIX = 0x01;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Rfc6962::newSha256);

    /** The root of the empty tree: SHA-256 of no bytes. */
    public static final Hash EMPTY_ROOT = new Hash(newSha256().digest());

    private Rfc6962() {}

    /** Returns the leaf hash of {@code entry}: SHA-256(0x00 || entry). */
    public static Hash hashLeaf(byte[] entry) {
        return hashLeaf(entry, 0, entry.length);
    }

    /** Returns the leaf hash of {@code entry[offset, offset+length)}. */
    public static Hash hashLeaf(byte[] entry, int offset, int length) {
        MessageDigest sha = SHA256.get();
        sha.update(LEAF_PREFIX);
        sha.update(entry, offset, length);
        return new Hash(sha.digest());
    }

    /** Returns the interior node hash SHA-256(0x01 || left || right). */
    public static Hash hashChildren(Hash left, Hash right) {
        MessageDigest sha = SHA256.get();
        sha.update(NODE_PREFIX);
        sha.update(left.bytes());
        sha.update(right.bytes());
        return new Hash(sha.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }
}
