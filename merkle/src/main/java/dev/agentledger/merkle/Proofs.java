package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds RFC 9162 proofs and roots from a {@link NodeSource}: inclusion (section 2.1.3.1) and
 * consistency (section 2.1.4.1). Reads only complete subtrees; the hashes of incomplete subtrees
 * on the right border are recomputed from them.
 *
 * <p>The static methods build one proof each. An instance from {@link #forTree} builds many
 * proofs for one tree size and computes each right-border hash once, which is what answering a
 * whole batch of appends needs. Instances are not thread-safe.
 */
public final class Proofs {
    private final NodeSource source;
    private final long size;
    /** Right-border subtree roots of this tree, by first leaf: [lo, size) is fixed by lo. */
    private final Map<Long, Hash> borderRoots = new HashMap<>();

    private Proofs(NodeSource source, long size) {
        this.source = source;
        this.size = size;
    }

    /**
     * A prover for the tree of {@code size} leaves that remembers the right-border hashes it
     * computes.
     *
     * @throws IllegalArgumentException if {@code size < 0}
     */
    public static Proofs forTree(NodeSource source, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
        return new Proofs(source, size);
    }

    /** The root of the tree of {@code size} leaves; requires {@code size >= 0}. */
    public static Hash root(NodeSource source, long size) {
        return forTree(source, size).root();
    }

    /**
     * The inclusion proof of leaf {@code index} in the tree of {@code size} leaves.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size}
     */
    public static InclusionProof inclusion(NodeSource source, long index, long size) {
        return forTree(source, size).inclusion(index);
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
        return forTree(source, size2).consistencyFrom(size1);
    }

    /** This tree's root. */
    public Hash root() {
        return subtreeRoot(0, size);
    }

    /**
     * The inclusion proof of leaf {@code index} in this tree.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < size}
     */
    public InclusionProof inclusion(long index) {
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("index " + index + " not in [0, " + size + ")");
        }
        List<Hash> path = new ArrayList<>(64);
        path(index, 0, size, path);
        return new InclusionProof(index, size, path);
    }

    /**
     * The consistency proof from the tree of {@code size1} leaves to this tree.
     *
     * @throws IllegalArgumentException unless {@code 0 < size1 <= size}
     */
    public ConsistencyProof consistencyFrom(long size1) {
        if (size1 <= 0 || size1 > size) {
            throw new IllegalArgumentException("sizes " + size1 + ", " + size + " not 0 < size1 <= size2");
        }
        List<Hash> proof = new ArrayList<>(64);
        if (size1 < size) {
            subproof(size1, 0, size, true, proof);
        }
        return new ConsistencyProof(size1, size, proof);
    }

    /** RFC 9162 PATH(m, D[lo:hi]); appends sibling roots bottom-up. */
    private void path(long m, long lo, long hi, List<Hash> out) {
        long n = hi - lo;
        if (n == 1) {
            return;
        }
        long k = splitPoint(n);
        if (m - lo < k) {
            path(m, lo, lo + k, out);
            out.add(subtreeRoot(lo + k, hi));
        } else {
            path(m, lo + k, hi, out);
            out.add(subtreeRoot(lo, lo + k));
        }
    }

    /** RFC 9162 SUBPROOF(m, D[lo:hi], b) with m counted from lo. */
    private void subproof(long m, long lo, long hi, boolean complete, List<Hash> out) {
        long n = hi - lo;
        if (m == n) {
            if (!complete) {
                out.add(subtreeRoot(lo, hi));
            }
            return;
        }
        long k = splitPoint(n);
        if (m <= k) {
            subproof(m, lo, lo + k, complete, out);
            out.add(subtreeRoot(lo + k, hi));
        } else {
            subproof(m - k, lo + k, hi, false, out);
            out.add(subtreeRoot(lo, lo + k));
        }
    }

    /**
     * MTH(D[lo:hi]) for the two shapes the recursions produce: a perfect subtree aligned on its
     * size, read from the source, or a range ending at the tree's right border, which splits into
     * perfect subtrees by the bits of its length (largest first, since lo is aligned on more than
     * its length) and is remembered.
     */
    private Hash subtreeRoot(long lo, long hi) {
        long n = hi - lo;
        if (Long.bitCount(n) == 1) {
            int level = Long.numberOfTrailingZeros(n);
            return source.hash(level, lo >>> level);
        }
        if (hi != size) {
            throw new IllegalStateException("range [" + lo + ", " + hi + ") is neither perfect nor on the border of " + size);
        }
        Hash known = borderRoots.get(lo);
        if (known != null) {
            return known;
        }
        List<Hash> parts = new ArrayList<>(Long.bitCount(n));
        long start = lo;
        for (long rest = n; rest != 0; ) {
            int level = 63 - Long.numberOfLeadingZeros(rest);
            parts.add(source.hash(level, start >>> level));
            start += 1L << level;
            rest -= 1L << level;
        }
        Hash root = CompactRange.foldBorder(parts);
        borderRoots.put(lo, root);
        return root;
    }

    /** The largest power of two strictly smaller than {@code n}; requires {@code n >= 2}. */
    private static long splitPoint(long n) {
        return Long.highestOneBit(n - 1);
    }
}
