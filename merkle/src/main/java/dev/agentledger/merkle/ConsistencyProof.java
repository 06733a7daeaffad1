package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 9162 section 2.1.4 consistency proof: the hashes that show the tree of {@code size1}
 * leaves is a prefix of the tree of {@code size2} leaves.
 *
 * <p>Security guarantees: {@link #verify} accepts only if {@code 0 < size1 <= size2}, the proof
 * has exactly the length the sizes require (empty when they are equal), and both recomputed roots
 * equal the trusted ones. A size1 of 0 is refused: every tree extends the empty one, so such a
 * "proof" proves nothing, and a caller that means "no previous state" must say so itself.
 *
 * @param size1 the older tree size, {@code >= 0}
 * @param size2 the newer tree size, {@code >= 0}
 * @param hashes the proof's hashes in RFC 9162 order
 */
public record ConsistencyProof(long size1, long size2, List<Hash> hashes) {
    /** Copies the hashes; throws {@link IllegalArgumentException} on a negative size. */
    public ConsistencyProof {
        if (size1 < 0 || size2 < 0) {
            throw new IllegalArgumentException("negative size " + size1 + " or " + size2);
        }
        hashes = List.copyOf(hashes);
    }

    /**
     * Reads a proof from untrusted parts.
     *
     * @throws VerificationException if a hash is not 32 bytes or a size is negative
     */
    public static ConsistencyProof parse(long size1, long size2, List<byte[]> hashes) throws VerificationException {
        if (size1 < 0 || size2 < 0) {
            throw new VerificationException("negative size " + size1 + " or " + size2);
        }
        return new ConsistencyProof(size1, size2, InclusionProof.parseHashes(hashes));
    }

    /** The proof length RFC 9162 requires between sizes {@code 0 < size1 <= size2}. */
    public static int expectedLength(long size1, long size2) {
        if (size1 <= 0 || size1 > size2) {
            throw new IllegalArgumentException("sizes " + size1 + ", " + size2 + " not 0 < size1 <= size2");
        }
        if (size1 == size2) {
            return 0;
        }
        // The old tree's last leaf is proven inside the new tree, except that the levels below
        // the old tree's lowest complete subtree (its trailing zeros) need no hashes.
        int shift = Long.numberOfTrailingZeros(size1);
        int inner = InclusionProof.innerLength(size1 - 1, size2) - shift;
        int border = Long.bitCount((size1 - 1) >>> InclusionProof.innerLength(size1 - 1, size2));
        // When size1 is itself a power of two its root is that subtree, which the verifier
        // already holds; otherwise the proof starts with that subtree's hash.
        int seed = size1 == (1L << shift) ? 0 : 1;
        return seed + inner + border;
    }

    /**
     * Verifies that {@code root1}, the root at {@code size1}, and {@code root2}, the root at
     * {@code size2}, belong to one append-only log (RFC 9162 section 2.1.4.2).
     *
     * @throws RootMismatchException if the proof leads to another root1 or root2
     * @throws VerificationException if the sizes or the proof length are wrong
     */
    public void verify(Hash root1, Hash root2) throws VerificationException {
        if (size1 > size2) {
            throw new VerificationException("size1 " + size1 + " > size2 " + size2);
        }
        if (size1 == size2) {
            if (!hashes.isEmpty()) {
                throw new VerificationException("wrong proof size " + hashes.size() + ", want 0 for equal sizes");
            }
            if (!root1.equals(root2)) {
                throw new RootMismatchException(root1, root2);
            }
            return;
        }
        if (size1 == 0) {
            throw new VerificationException("consistency with the empty tree proves nothing; size1 must be > 0");
        }
        int want = expectedLength(size1, size2);
        if (hashes.size() != want) {
            throw new VerificationException("wrong proof size " + hashes.size() + ", want " + want);
        }
        List<Hash> path = hashes;
        if (Long.bitCount(size1) == 1) {
            path = new ArrayList<>(want + 1);
            path.add(root1);
            path.addAll(hashes);
        }
        long fn = size1 - 1;
        long sn = size2 - 1;
        // Climb past the levels where the old tree's last node is a right child: they are inside
        // the subtree the path starts from.
        while ((fn & 1) == 1) {
            fn >>>= 1;
            sn >>>= 1;
        }
        Hash fr = path.getFirst();
        Hash sr = fr;
        for (Hash c : path.subList(1, path.size())) {
            if ((fn & 1) == 1 || fn == sn) {
                fr = Rfc6962.hashChildren(c, fr);
                sr = Rfc6962.hashChildren(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>>= 1;
                    sn >>>= 1;
                }
            } else {
                sr = Rfc6962.hashChildren(sr, c);
            }
            fn >>>= 1;
            sn >>>= 1;
        }
        if (sn != 0) {
            // Unreachable after the length check; kept as the RFC's own final condition.
            throw new VerificationException("proof too short for sizes " + size1 + ", " + size2);
        }
        if (!fr.equals(root1)) {
            throw new RootMismatchException(root1, fr);
        }
        if (!sr.equals(root2)) {
            throw new RootMismatchException(root2, sr);
        }
    }
}
