package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.Rfc6962;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test oracle: the RFC 9162 section 2.1.1 definition of the Merkle Tree Hash, written as plainly as
 * possible and used only to check the tile code against.
 */
final class TreeOracle {
    private TreeOracle() {}

    /**
     * MTH of the leaves {@code [from, to)}: the leaf hash for one leaf, else
     * hashChildren(MTH(first k), MTH(rest)) with k the largest power of two smaller than n.
     */
    static Hash mth(List<Hash> leafHashes, long from, long to) {
        long n = to - from;
        if (n == 1) {
            return leafHashes.get((int) from);
        }
        long k = 1;
        while (k * 2 < n) {
            k *= 2;
        }
        return Rfc6962.hashChildren(mth(leafHashes, from, from + k), mth(leafHashes, from + k, to));
    }

    /** Leaf hashes of {@code size} entries made of a seed and the entry's index. */
    static List<Hash> leafHashes(int size, long seed) {
        List<Hash> hashes = new ArrayList<>(size);
        Random random = new Random(seed);
        for (int i = 0; i < size; i++) {
            byte[] entry = ByteBuffer.allocate(12).putInt(random.nextInt()).putLong(i).array();
            hashes.add(Rfc6962.hashLeaf(entry));
        }
        return hashes;
    }

    /**
     * The width of tile (level, index) in a tree of {@code treeSize} leaves, counted one hash at a
     * time from the tlog-tiles definition: hash i is MTH(D[(N*256 + i) * 256^L : (N*256 + i + 1) *
     * 256^L]), present when that whole range is in the tree.
     */
    static int width(int level, long index, long treeSize) {
        int width = 0;
        for (int i = 0; i < 256; i++) {
            try {
                long block = 1;
                for (int l = 0; l < level; l++) {
                    block = Math.multiplyExact(block, 256);
                }
                long end = Math.multiplyExact(Math.addExact(Math.multiplyExact(index, 256), i + 1), block);
                if (end <= treeSize) {
                    width++;
                }
            } catch (ArithmeticException beyondAnyTree) {
                // the range ends past 2^63 - 1, so no tree of a long size holds it
            }
        }
        return width;
    }
}
