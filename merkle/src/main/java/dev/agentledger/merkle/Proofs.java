package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds RFC 9162 proofs and roots from a {@link NodeSource}: inclusion (section 2.1.3.1) and
 * consistency (section 2.1.4.1). Reads O(log² size) node hashes at most, and only of complete
 * subtrees; the hashes of incomplete subtrees on the right border are recomputed from them.
 */
public final class Proofs {
    private Proofs() {}

    /** The root of the tree of {@code size} leaves; requires {@code size >= 0}. */
    public static Hash root(NodeSource source, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
        return subtreeRoot(source, 0, size);
    }

    /**
     * The inclusion proof of leaf {@code index} in the tree of {@code size} leaves.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size}
     */
    public static InclusionProof inclusion(NodeSource source, long index, long size) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " not in [0, " + size + ")");
        }
        List<Hash> path = new ArrayList<>(64);
        path(source, index, 0, size, path);
        return new InclusionProof(index, size, path);
    }

    /**
     * The consistency proof from the tree of {@code size1} leaves to the tree of {@code size2}.
     *
     * @throws IllegalArgumentException unless {@code 0 < size1 <= size2}
     */
    public static ConsistencyProof consistency(NodeSource source, long size1, long size2) {
        if (size1 <= 0 || size1 > size2) {
            throw new IllegalArgumentException("sizes " + size1 + ", " + size2 + " not 0 < size1 <= size2");
        }
        List<Hash> proof = new ArrayList<>(64);
        if (size1 < size2) {
            subproof(source, size1, 0, size2, true, proof);
        }
        return new ConsistencyProof(size1, size2, proof);
    }

    /** RFC 9162 PATH(m, D[lo:hi]); appends sibling roots bottom-up. */
    private static void path(NodeSource source, long m, long lo, long hi, List<Hash> out) {
        long n = hi - lo;
        if (n == 1) {
            return;
        }
        long k = splitPoint(n);
        if (m - lo < k) {
            path(source, m, lo, lo + k, out);
            out.add(subtreeRoot(source, lo + k, hi));
        } else {
            path(source, m, lo + k, hi, out);
            out.add(subtreeRoot(source, lo, lo + k));
        }
    }

    /** RFC 9162 SUBPROOF(m, D[lo:hi], b) with m counted from lo. */
    private static void subproof(NodeSource source, long m, long lo, long hi, boolean complete, List<Hash> out) {
        long n = hi - lo;
        if (m == n) {
            if (!complete) {
                out.add(subtreeRoot(source, lo, hi));
            }
            return;
        }
        long k = splitPoint(n);
        if (m <= k) {
            subproof(source, m, lo, lo + k, complete, out);
            out.add(subtreeRoot(source, lo + k, hi));
        } else {
            subproof(source, m - k, lo + k, hi, false, out);
            out.add(subtreeRoot(source, lo, lo + k));
        }
    }

    /**
     * MTH(D[lo:hi]) for the two shapes the recursions produce: a perfect subtree aligned on its
     * size, or the right border of the tree, which splits into perfect subtrees by the bits of
     * its length (largest first, since lo is aligned on more than its length).
     */
    private static Hash subtreeRoot(NodeSource source, long lo, long hi) {
        List<Hash> parts = new ArrayList<>(Long.bitCount(hi - lo));
        long start = lo;
        for (long rest = hi - lo; rest != 0; ) {
            int level = 63 - Long.numberOfLeadingZeros(rest);
            parts.add(source.hash(level, start >>> level));
            start += 1L << level;
            rest -= 1L << level;
        }
        return CompactRange.foldBorder(parts);
    }

    /** The largest power of two strictly smaller than {@code n}; requires {@code n >= 2}. */
    private static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }
}
