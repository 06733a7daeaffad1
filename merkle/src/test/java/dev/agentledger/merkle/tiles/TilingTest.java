package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.merkle.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TilingTest {
    static LongStream smallSizes() {
        LongStream edges = LongStream.of(0, 1, 2, 255, 256, 257, 511, 512, 513, 65535, 65536, 65537, 65536 + 256,
                70000, 131071, 131072, 16777215, 16777216, 16777217);
        return LongStream.concat(edges, new Random(7).longs(40, 0, 300_000));
    }

    static LongStream largeSizes() {
        return LongStream.concat(
                LongStream.of(Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 56, (1L << 56) - 1, 1L << 62,
                        (1L << 48) + 255, 72057594037927935L, 4294967296L, 4294967295L),
                new Random(8).longs(30, 0, Long.MAX_VALUE));
    }

    /** Every tile of a small tree, found by asking the brute-force oracle about each index. */
    private static Set<Tile> allTilesByOracle(long treeSize) {
        Set<Tile> tiles = new LinkedHashSet<>();
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            for (long index = 0; ; index++) {
                int width = TileOracle.width(level, index, treeSize);
                if (width == 0) {
                    break;
                }
                tiles.add(new Tile(level, index, width));
            }
        }
        return tiles;
    }

    @ParameterizedTest
    @MethodSource("smallSizes")
    void widthsMatchOracleForEveryTile(long treeSize) {
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            long count = Tiling.tileCount(level, treeSize);
            for (long index = 0; index <= count + 1; index++) {
                int want = TileOracle.width(level, index, treeSize);
                assertEquals(want, Tiling.width(level, index, treeSize), "tile " + level + "/" + index + " size " + treeSize);
                assertEquals(want == 0 ? Optional.empty() : Optional.of(new Tile(level, index, want)),
                        Tiling.tile(level, index, treeSize));
            }
            assertEquals(0, TileOracle.width(level, count, treeSize), "tiles beyond the count");
            assertTrue(count == 0 || TileOracle.width(level, count - 1, treeSize) > 0, "last tile counted");
        }
    }

    @ParameterizedTest
    @MethodSource("largeSizes")
    void widthsMatchOracleAtTheEdge(long treeSize) {
        for (int level = 0; level <= Tile.MAX_LEVEL; level++) {
            long count = Tiling.tileCount(level, treeSize);
            for (long index = Math.max(0, count - 3); index <= count + 2; index++) {
                assertEquals(TileOracle.width(level, index, treeSize), Tiling.width(level, index, treeSize),
                        "tile " + level + "/" + index + " size " + treeSize);
            }
            assertEquals(0, TileOracle.width(level, count, treeSize));
            assertTrue(count == 0 || TileOracle.width(level, count - 1, treeSize) > 0);
        }
    }

    @ParameterizedTest
    @MethodSource("smallSizes")
    void partialTilesAreTheOraclesPartialTiles(long treeSize) {
        List<Tile> want = allTilesByOracle(treeSize).stream().filter(t -> !t.isFull()).toList();
        assertEquals(want, Tiling.partialTiles(treeSize));
    }

    @Test
    void specExampleOfSize70000() {
        // tlog-tiles "Partial Tiles": 273 full level-0 tiles, a level-0 partial of 112, one full level-1
        // tile, a level-1 partial of 17, a level-2 partial of 1
        assertEquals(List.of(new Tile(0, 273, 112), new Tile(1, 1, 17), new Tile(2, 0, 1)), Tiling.partialTiles(70000));
        assertEquals(274, Tiling.tileCount(0, 70000));
        assertEquals(256, Tiling.width(0, 272, 70000));
        assertEquals(256, Tiling.width(1, 0, 70000));
        // "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile of width 1"
        assertEquals(List.of(new Tile(1, 0, 1)), Tiling.partialTiles(256));
        assertEquals(256, Tiling.width(0, 0, 256));
        assertEquals(List.of(), Tiling.partialTiles(0));
    }

    static Stream<Arguments> growths() {
        List<Arguments> cases = new ArrayList<>();
        long[] sizes = {0, 1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70000, 131072};
        for (long a : sizes) {
            for (long b : sizes) {
                if (a <= b) {
                    cases.add(Arguments.of(a, b));
                }
            }
        }
        Random random = new Random(9);
        for (int i = 0; i < 40; i++) {
            long a = random.nextLong(200_000);
            cases.add(Arguments.of(a, a + random.nextLong(i % 2 == 0 ? 600 : 100_000)));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("growths")
    void newTilesAreTheTilesTheOldTreeDidNotHave(long oldSize, long newSize) {
        Set<Tile> want = allTilesByOracle(newSize);
        want.removeAll(allTilesByOracle(oldSize));
        assertEquals(List.copyOf(want), Tiling.newTiles(oldSize, newSize));
    }

    @Test
    void newTilesRejectsShrinking() {
        assertThrows(IllegalArgumentException.class, () -> Tiling.newTiles(5, 4));
        assertThrows(IllegalArgumentException.class, () -> Tiling.newTiles(-1, 4));
    }

    @ParameterizedTest
    @MethodSource("largeSizes")
    void newTilesNearTheTopOfTheRange(long newSize) {
        long oldSize = Math.max(0, newSize - 300);
        List<Tile> tiles = Tiling.newTiles(oldSize, newSize);
        for (Tile tile : tiles) {
            assertEquals(TileOracle.width(tile.level(), tile.index(), newSize), tile.width(), tile.path());
            boolean inOld = TileOracle.width(tile.level(), tile.index(), oldSize) == tile.width();
            assertTrue(!inOld, tile + " was already in the old tree");
        }
        // the level-0 tile holding leaf newSize - 1 always changes when the tree grows
        assertEquals(newSize > oldSize, tiles.stream().anyMatch(t -> t.level() == 0 && t.index() == (newSize - 1) / 256));
    }

    @ParameterizedTest(name = "node({0}, {1}) in {2}")
    @CsvSource({
        // level, index, tree size, tile level, tile index, tile width, start, count
        "0,  0,      1,        0, 0,   1,   0,   1",
        "0,  300,    70000,    0, 1,   256, 44,  1",
        "0,  69999,  70000,    0, 273, 112, 111, 1",
        "3,  5,      70000,    0, 0,   256, 40,  8",
        "7,  1,      256,      0, 0,   256, 128, 128",
        "7,  545,    70000,    0, 272, 256, 128, 128",
        "8,  0,      256,      1, 0,   1,   0,   1",
        "8,  272,    70000,    1, 1,   17,  16,  1",
        "9,  135,    70000,    1, 1,   17,  14,  2",
        "15, 0,      65536,    1, 0,   256, 0,   128",
        "15, 1,      65536,    1, 0,   256, 128, 128",
        "16, 0,      70000,    2, 0,   1,   0,   1",
        "56, 0,      72057594037927936, 7, 0, 1, 0, 1",
        "62, 0,      9223372036854775807, 7, 0, 127, 0,  64",
        "61, 2,      9223372036854775807, 7, 0, 127, 64, 32",
    })
    void locate(int level, long index, long treeSize, int tileLevel, long tileIndex, int width, int start, int count) {
        TileSpan span = Tiling.locate(new NodeId(level, index), treeSize);
        assertEquals(new TileSpan(new Tile(tileLevel, tileIndex, width), start, count), span);
    }

    @ParameterizedTest(name = "node({0}, {1}) in {2}")
    @CsvSource({
        "0,  1,  1", "0, 0, 0", "1, 0, 1", "3, 1, 15", "8, 0, 255", "8, 1, 511", "16, 0, 65535",
        "62, 1, 9223372036854775806", "63, 0, 9223372036854775807", "0, 9223372036854775807, 9223372036854775807",
    })
    void locateRejectsIncompleteNodes(int level, long index, long treeSize) {
        assertThrows(IllegalArgumentException.class, () -> Tiling.locate(new NodeId(level, index), treeSize));
    }

    @Test
    void locateAgreesWithTileNodeForEveryRowHash() {
        long treeSize = 70000;
        for (Tile tile : allTilesByOracle(treeSize)) {
            for (int i = 0; i < tile.width(); i++) {
                assertEquals(new TileSpan(tile, i, 1), Tiling.locate(tile.node(i), treeSize));
            }
        }
    }

    @ParameterizedTest(name = "width({0}, {1}, {2})")
    @CsvSource({"-1, 0, 5", "8, 0, 5", "0, -1, 5", "0, 0, -1"})
    void widthRejectsBadArguments(int level, long index, long treeSize) {
        assertThrows(IllegalArgumentException.class, () -> Tiling.width(level, index, treeSize));
    }
}
