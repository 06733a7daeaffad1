package dev.agentledger.merkle.tiles;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.TreeOracle;
import dev.agentledger.merkle.Rfc6962;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test oracle for tiles: leaf hashes to build trees from, and tile widths counted from the
 * tlog-tiles definition one hash at a time. Tree hashes come from {@link TreeOracle}.
 */
final class TileOracle {
    private TileOracle() {}

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
