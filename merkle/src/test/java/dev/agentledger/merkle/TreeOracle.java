package dev.agentledger.merkle;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 9162 section 2.1 written as the RFC states it, recursively over the list of leaf hashes.
 * Slow and obviously right: the reference the real implementation is tested against.
 */
public final class TreeOracle {
    private TreeOracle() {}

    /** MTH(D[from:to]) of the given leaf hashes. */
    public static Hash root(List<Hash> leaves, long from, long to) {
        return root(leaves.subList((int) from, (int) to));
    }

    /** MTH(D[n]). */
    public static Hash root(List<Hash> leaves) {
        int n = leaves.size();
        if (n == 0) {
            return Rfc6962.EMPTY_ROOT;
        }
        if (n == 1) {
            return leaves.getFirst();
        }
        int k = largestPowerOfTwoBelow(n);
        return Rfc6962.hashChildren(root(leaves.subList(0, k)), root(leaves.subList(k, n)));
    }

    /** PATH(m, D[n]). */
    static List<Hash> path(int m, List<Hash> leaves) {
        int n = leaves.size();
        List<Hash> out = new ArrayList<>();
        if (n == 1) {
            return out;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m < k) {
            out.addAll(path(m, leaves.subList(0, k)));
            out.add(root(leaves.subList(k, n)));
        } else {
            out.addAll(path(m - k, leaves.subList(k, n)));
            out.add(root(leaves.subList(0, k)));
        }
        return out;
    }

    /** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
    static List<Hash> consistency(int m, List<Hash> leaves) {
        return subproof(m, leaves, true);
    }

    private static List<Hash> subproof(int m, List<Hash> leaves, boolean b) {
        int n = leaves.size();
        List<Hash> out = new ArrayList<>();
        if (m == n) {
            if (!b) {
                out.add(root(leaves));
            }
            return out;
        }
        int k = largestPowerOfTwoBelow(n);
        if (m <= k) {
            out.addAll(subproof(m, leaves.subList(0, k), b));
            out.add(root(leaves.subList(k, n)));
        } else {
            out.addAll(subproof(m - k, leaves.subList(k, n), false));
            out.add(root(leaves.subList(0, k)));
        }
        return out;
    }

    /** The largest power of two strictly less than n, for n >= 2, found by counting up. */
    private static int largestPowerOfTwoBelow(int n) {
        int k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return k;
    }

    /** Leaf hashes of the entries "leaf 0", "leaf 1", ... */
    static List<Hash> leaves(int n) {
        List<Hash> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Rfc6962.hashLeaf(("leaf " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return out;
    }
}
