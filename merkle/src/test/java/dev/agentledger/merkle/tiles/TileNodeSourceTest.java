package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.TreeOracle;
import dev.agentledger.merkle.NodeSource;
import dev.agentledger.merkle.Rfc6962;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TileNodeSourceTest {
    /**
     * The tiles of a tree, built only from the oracle: tile (L, N) of width W holds MTH of leaves
     * [(N*256 + i) * 256^L, (N*256 + i + 1) * 256^L) for i below W.
     */
    private static Map<Tile, byte[]> tilesByOracle(List<Hash> leaves) {
        long treeSize = leaves.size();
        Map<Tile, byte[]> tiles = new HashMap<>();
        long block = 1;
        for (int level = 0; level <= Tile.MAX_LEVEL && block <= treeSize; level++, block *= 256) {
            for (long index = 0; ; index++) {
                int width = TileOracle.width(level, index, treeSize);
                if (width == 0) {
                    break;
                }
                byte[] body = new byte[32 * width];
                for (int i = 0; i < width; i++) {
                    long first = (index * 256 + i) * block;
                    TreeOracle.root(leaves, first, first + block).copyTo(body, 32 * i);
                }
                tiles.put(new Tile(level, index, width), body);
            }
        }
        return tiles;
    }

    /** A reader that only knows the given tiles and fails the test for any other. */
    private static TileReader readerOf(Map<Tile, byte[]> tiles) {
        return tile -> {
            byte[] body = tiles.get(tile);
            assertTrue(body != null, "read " + tile.path() + ", which the tree does not have");
            return body;
        };
    }

    static IntStream sizes() {
        IntStream edges = IntStream.of(1, 2, 3, 7, 8, 255, 256, 257, 511, 512, 513, 1000, 4095, 4096, 4097);
        return IntStream.concat(edges, new Random(11).ints(12, 1, 5000));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void everyCompleteSubtreeMatchesTheOracle(int treeSize) {
        List<Hash> leaves = TileOracle.leafHashes(treeSize, treeSize);
        NodeSource source = new TileNodeSource(treeSize, readerOf(tilesByOracle(leaves)));
        int checked = 0;
        for (int level = 0; (1L << level) <= treeSize; level++) {
            for (long index = 0; (index + 1) << level <= treeSize; index++) {
                long first = index << level;
                assertEquals(TreeOracle.root(leaves, first, first + (1L << level)), source.hash(level, index),
                        "node " + level + "/" + index + " of " + treeSize);
                checked++;
            }
        }
        // a tree of n leaves has 2n - popcount(n) complete subtrees
        assertEquals(2 * treeSize - Integer.bitCount(treeSize), checked);
    }

    @Test
    void threeTileLevels() {
        // 2 * 65536 + 300 leaves: two level-1 tiles, a partial level-2 tile of width 2
        int treeSize = 2 * 65536 + 300;
        List<Hash> leaves = TileOracle.leafHashes(treeSize, 12);
        Map<Tile, byte[]> tiles = tilesByOracle(leaves);
        assertTrue(tiles.containsKey(new Tile(2, 0, 2)));
        NodeSource source = new TileNodeSource(treeSize, readerOf(tiles));
        Random random = new Random(13);
        for (int level = 0; (1L << level) <= treeSize; level++) {
            long nodes = treeSize >>> level;
            // every node from level 8 up, a sample of the many below, always the last one
            for (int n = 0; n < Math.min(nodes, level >= 8 ? nodes : 300); n++) {
                long index = n == 0 ? nodes - 1 : level >= 8 ? n - 1 : random.nextLong(nodes);
                long first = index << level;
                assertEquals(TreeOracle.root(leaves, first, first + (1L << level)), source.hash(level, index),
                        "node " + level + "/" + index);
            }
        }
        // the root of the first 2^17 leaves is hashed from the level-2 tile's two hashes
        assertEquals(TreeOracle.root(leaves, 0, 1 << 17), source.hash(17, 0));
    }

    @Test
    void matchesTheReferenceRootsOfPerfectTrees() {
        // RFC 6962 test leaves "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f
        String[] inputs = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"};
        List<Hash> leaves = Arrays.stream(inputs)
                .map(hex -> Rfc6962.hashLeaf(HexFormat.of().parseHex(hex))).toList();
        NodeSource source = new TileNodeSource(8, readerOf(tilesByOracle(leaves)));
        // the published roots of the trees of sizes 1, 2, 4 and 8 (RFC 6962 reference tests)
        assertEquals(Hash.fromHex("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"), source.hash(0, 0));
        assertEquals(Hash.fromHex("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"), source.hash(1, 0));
        assertEquals(Hash.fromHex("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"), source.hash(2, 0));
        assertEquals(Hash.fromHex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"), source.hash(3, 0));
    }

    @ParameterizedTest(name = "node({0}, {1}) in {2}")
    @CsvSource({"0, 5, 5", "1, 2, 5", "3, 0, 7", "8, 0, 255", "0, 0, 0"})
    void incompleteNodesAreTheCallersBug(int level, long index, long treeSize) {
        TileNodeSource source = new TileNodeSource(treeSize, tile -> new byte[32 * tile.width()]);
        assertThrows(IllegalArgumentException.class, () -> source.hash(level, index));
    }

    @ParameterizedTest(name = "{0} bytes for width 5")
    @CsvSource({"0", "31", "128", "161", "8192"})
    void wrongLengthIsTheReadersFailure(int length) {
        TileNodeSource source = new TileNodeSource(5, tile -> new byte[length]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.hash(0, 1));
        assertEquals("tile reader failed: tile tile/0/000.p/5 is " + length + " bytes, want 160", e.getMessage());
    }

    @Test
    void nullBodyIsTheReadersFailure() {
        TileNodeSource source = new TileNodeSource(5, tile -> null);
        assertThrows(IllegalStateException.class, () -> source.hash(0, 1));
    }

    @Test
    void negativeSizeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TileNodeSource(-1, tile -> new byte[0]));
    }
}
