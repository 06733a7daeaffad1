package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * The compact range {@code [0, size)} of a log: the hashes of the perfect subtrees that make up
 * the tree's right border, one per set bit of {@code size}, largest (leftmost) first.
 *
 * <p>It is everything needed to compute the root and to append more leaves without reading the
 * rest of the tree, so the ledger keeps only this in memory, whatever the log's size. Immutable:
 * {@link #append} returns a new range and leaves this one as it was, so a batch that fails to
 * commit leaves no trace.
 */
public final class CompactRange {
    private static final CompactRange EMPTY = new CompactRange(0, List.of());

    private final long size;
    private final List<Hash> hashes;

    private CompactRange(long size, List<Hash> hashes) {
        this.size = size;
        this.hashes = hashes;
    }

    /** The range of the empty tree. */
    public static CompactRange empty() {
        return EMPTY;
    }

    /**
     * Restores a range from its size and border hashes, largest subtree first (as
     * {@link #hashes()} returned them).
     *
     * @throws IllegalArgumentException if {@code size < 0} or the number of hashes is not the
     *     number of set bits in {@code size}
     */
    public static CompactRange of(long size, List<Hash> hashes) {
        if (size < 0) {
            throw new IllegalArgumentException("size " + size + " < 0");
        }
        if (hashes.size() != Long.bitCount(size)) {
            throw new IllegalArgumentException(
                    "compact range of size " + size + " has " + hashes.size() + " hashes, want " + Long.bitCount(size));
        }
        return new CompactRange(size, List.copyOf(hashes));
    }

    /** Builds the range of a whole tree from its leaf hashes. */
    public static CompactRange of(List<Hash> leafHashes) {
        return EMPTY.append(leafHashes, NodeVisitor.NONE);
    }

    /** The number of leaves covered. */
    public long size() {
        return size;
    }

    /** The border hashes, largest subtree first; one per set bit of {@link #size()}. */
    public List<Hash> hashes() {
        return hashes;
    }

    /** The RFC 9162 root of the tree {@code [0, size)}; the empty root when size is 0. */
    public Hash root() {
        return foldBorder(hashes);
    }

    /**
     * Returns the range extended by {@code leafHashes}, reporting every leaf and every completed
     * subtree to {@code visitor}.
     */
    public CompactRange append(List<Hash> leafHashes, NodeVisitor visitor) {
        List<Hash> border = new ArrayList<>(hashes.size() + 1 + leafHashes.size());
        border.addAll(hashes);
        long newSize = size;
        for (Hash leaf : leafHashes) {
            visitor.visit(0, newSize, leaf);
            Hash carry = leaf;
            // Each trailing one bit of the old size is a subtree of equal height waiting for a
            // right sibling: merge with it, as a binary counter carries.
            int level = 0;
            for (long bits = newSize; (bits & 1) == 1; bits >>>= 1) {
                carry = Rfc6962.hashChildren(border.removeLast(), carry);
                level++;
                visitor.visit(level, newSize >>> level, carry);
            }
            border.add(carry);
            newSize = Math.addExact(newSize, 1);
        }
        return new CompactRange(newSize, List.copyOf(border));
    }

    /** Returns the range extended by one leaf. */
    public CompactRange append(Hash leafHash, NodeVisitor visitor) {
        return append(List.of(leafHash), visitor);
    }

    /**
     * Folds perfect subtree hashes that lie side by side on a right border, largest first, into
     * their RFC 9162 root: {@code H(h0, H(h1, ... H(hn-2, hn-1)))}. Empty gives the empty root.
     */
    static Hash foldBorder(List<Hash> leftToRight) {
        if (leftToRight.isEmpty()) {
            return Rfc6962.EMPTY_ROOT;
        }
        Hash root = leftToRight.getLast();
        for (int i = leftToRight.size() - 2; i >= 0; i--) {
            root = Rfc6962.hashChildren(leftToRight.get(i), root);
        }
        return root;
    }

    @Override
    public String toString() {
        return "CompactRange[size=" + size + ", root=" + root() + "]";
    }
}
