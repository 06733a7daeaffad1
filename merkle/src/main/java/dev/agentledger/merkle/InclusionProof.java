package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 9162 section 2.1.3 inclusion proof: the audit path that links leaf {@code index} to the
 * root of the tree of {@code size} leaves.
 *
 * <p>Security guarantees: {@link #verify} accepts only if the path has exactly the length the
 * (index, size) pair requires, {@code index < size}, and the recomputed root equals the trusted
 * one. A verified proof binds the leaf hash to that position in that tree.
 *
 * @param index the leaf's position, {@code >= 0}
 * @param size the tree size the proof is for, {@code >= 0}
 * @param hashes the audit path, bottom to top
 */
public record InclusionProof(long index, long size, List<Hash> hashes) {
    /** Copies the path; throws {@link IllegalArgumentException} on negative index or size. */
    public InclusionProof {
        if (index < 0 || size < 0) {
            throw new IllegalArgumentException("negative index " + index + " or size " + size);
        }
        hashes = List.copyOf(hashes);
    }

    /**
     * Reads a proof from untrusted parts.
     *
     * @throws VerificationException if a hash is not 32 bytes, or index or size is negative
     */
    public static InclusionProof parse(long index, long size, List<byte[]> hashes) throws VerificationException {
        if (index < 0 || size < 0) {
            throw new VerificationException("negative index " + index + " or size " + size);
        }
        return new InclusionProof(index, size, parseHashes(hashes));
    }

    /** The path length RFC 9162 requires for leaf {@code index} in a tree of {@code size}. */
    public static int expectedLength(long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " not in [0, " + size + ")");
        }
        int inner = innerLength(index, size);
        // Above the levels where index and the last leaf differ, each set bit of index is a
        // complete left sibling on the border.
        return inner + Long.bitCount(index >>> inner);
    }

    /** Levels, from the leaves up, where the path to {@code index} and to the last leaf differ. */
    static int innerLength(long index, long size) {
        return 64 - Long.numberOfLeadingZeros(index ^ (size - 1));
    }

    /**
     * Recomputes the root from {@code leafHash} along this path (RFC 9162 section 2.1.3.2).
     *
     * @throws VerificationException if {@code index >= size} or the path has the wrong length
     */
    public Hash rootFrom(Hash leafHash) throws VerificationException {
        if (index >= size) {
            throw new VerificationException("leaf index " + index + " >= tree size " + size);
        }
        int want = expectedLength(index, size);
        if (hashes.size() != want) {
            throw new VerificationException("wrong proof size " + hashes.size() + ", want " + want);
        }
        long fn = index;
        long sn = size - 1;
        Hash r = leafHash;
        for (Hash p : hashes) {
            if ((fn & 1) == 1 || fn == sn) {
                // p is a left sibling: either fn is a right child, or fn is the last node of its
                // level and its missing right sibling is skipped by climbing past it.
                r = Rfc6962.hashChildren(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                r = Rfc6962.hashChildren(r, p);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            // Unreachable after the length check; kept as the RFC's own final condition.
            throw new VerificationException("proof too short for index " + index + " in size " + size);
        }
        return r;
    }

    /**
     * Verifies that {@code leafHash} is leaf {@code index} of the tree of {@code size} whose root
     * is {@code root}.
     *
     * @throws RootMismatchException if the path leads to another root
     * @throws VerificationException if the proof is malformed for (index, size)
     */
    public void verify(Hash leafHash, Hash root) throws VerificationException {
        Hash calculated = rootFrom(leafHash);
        if (!calculated.equals(root)) {
            throw new RootMismatchException(root, calculated);
        }
    }

    static List<Hash> parseHashes(List<byte[]> raw) throws VerificationException {
        List<Hash> parsed = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            byte[] h = raw.get(i);
            if (h == null || h.length != Hash.SIZE) {
                throw new VerificationException(
                        "proof hash " + i + " is " + (h == null ? "missing" : h.length + " bytes") + ", want 32 bytes");
            }
            parsed.add(Hash.of(h));
        }
        return parsed;
    }
}
