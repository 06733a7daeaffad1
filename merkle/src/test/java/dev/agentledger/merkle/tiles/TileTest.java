package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.agentledger.merkle.NodeId;
import dev.agentledger.merkle.VerificationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TileTest {
    /** The largest full level-0 tile index: its last leaf, 2^63 - 2, is in a tree of 2^63 - 1. */
    private static final long MAX_FULL_INDEX = (Long.MAX_VALUE >>> 8) - 1;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // level, index, width (256 = full), path; the first five are tlog-tiles' and Go's examples
        "0, 1234067, 256, tile/0/x001/x234/067",
        "1, 1234067, 3,   tile/1/x001/x234/067.p/3",
        "2, 0,       256, tile/2/000",
        "0, 5,       256, tile/0/005",
        "0, 0,       1,   tile/0/000.p/1",
        "0, 999,     255, tile/0/999.p/255",
        "0, 1000,    256, tile/0/x001/000",
        "3, 999999,  256, tile/3/x999/999",
        "0, 1000000, 17,  tile/0/x001/x000/000.p/17",
        "0, 1001001, 256, tile/0/x001/x001/001",
        "7, 0,       127, tile/7/000.p/127",
        "6, 127,     255, tile/6/127.p/255",
        "0, 36028797018963966, 256, tile/0/x036/x028/x797/x018/x963/966",
        "0, 36028797018963967, 255, tile/0/x036/x028/x797/x018/x963/967.p/255",
    })
    void tilePaths(int level, long index, int width, String path) throws VerificationException {
        Tile tile = new Tile(level, index, width);
        assertEquals(path, tile.path());
        assertEquals(tile, Tile.parse(path));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "5,       256, tile/entries/005",
        "1000,    17,  tile/entries/x001/000.p/17",
        "0,       256, tile/entries/000",
        "1234067, 1,   tile/entries/x001/x234/067.p/1",
    })
    void entriesPaths(long index, int width, String path) throws VerificationException {
        Tile tile = new Tile(0, index, width);
        assertEquals(path, tile.entriesPath());
        assertEquals(tile, Tile.parseEntries(path));
    }

    static Stream<Long> indexes() {
        Stream<Long> fixed = Stream.of(0L, 1L, 9L, 10L, 99L, 100L, 999L, 1000L, 1001L, 9999L, 999999L,
                1000000L, 1000001L, 123456789L, 999999999999L, 1000000000000L, MAX_FULL_INDEX - 1, MAX_FULL_INDEX);
        Stream<Long> random = new java.util.Random(1).longs(200, 0, MAX_FULL_INDEX + 1).boxed();
        return Stream.concat(fixed, random);
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void indexRoundTrips(long index) throws VerificationException {
        for (int width : new int[] {1, 100, 255, 256}) {
            Tile tile = new Tile(0, index, width);
            String path = tile.path();
            assertEquals(tile, Tile.parse(path), path);
            assertEquals(tile, Tile.parseEntries(tile.entriesPath()), path);
            // shape: 'x'-prefixed groups, a last bare group, no leading all-zero group
            String index3 = path.substring("tile/0/".length()).replaceAll("\\.p/\\d+$", "");
            assertTrue(index3.matches("(x[1-9]\\d\\d/|x0[1-9]\\d/|x00[1-9]/)?(x\\d{3}/)*\\d{3}"), path);
            // value: the digits read back as the decimal index once the 'x's and slashes are gone
            assertEquals(index, Long.parseLong(index3.replace("x", "").replace("/", "")), path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "tile", "tile/", "tile/0", "tile/0/", "tile//000", "tile/0//000", "/tile/0/000", "tile/0/000/",
        "tiles/0/000", "Tile/0/000", "tile/0/000 ", " tile/0/000", "tile/0/00", "tile/0/0000", "tile/0/5",
        "tile/0/x000", "tile/0/x001", "tile/0/x005/000x", "tile/0/001/000", "tile/0/x001/x000",
        "tile/0/x000/005", "tile/0/x000/x001/000", "tile/0/X001/000", "tile/0/xx01/000", "tile/0/x01/000",
        "tile/0/x0001/000", "tile/0/-01", "tile/0/+01", "tile/0/1e3", "tile/0/a00", "tile/0/\u0661\u0662\u0663",
        "tile/00/000", "tile/01/000", "tile/-0/000", "tile/+1/000", "tile/-1/000", "tile/8/000", "tile/63/000",
        "tile/64/000", "tile/100/000", "tile/1000/000", "tile/entries/000", "tile/data/000", "tile/ 1/000",
        "tile/0/000.p/0", "tile/0/000.p/256", "tile/0/000.p/007", "tile/0/000.p/07", "tile/0/000.p/",
        "tile/0/000.p", "tile/0/000.p/1/", "tile/0/000.p/1.p/2", "tile/0/000.p/+1", "tile/0/000.p/-1",
        "tile/0/000.p/1000", "tile/0/000.P/1", "tile/0/000.q/1", "tile/0/000p/1", "tile/0/000/.p/1",
        "tile/0/x001.p/1/000", "tile/0/000.p/1/000", "tile/0/000.p/ 1",
        // beyond a tree of 2^63 - 1 leaves, or beyond 2^63 - 1 altogether
        "tile/0/x036/x028/x797/x018/x963/967", "tile/0/x036/x028/x797/x018/x963/968.p/1",
        "tile/1/x140/x737/x488/x355/328", "tile/6/127", "tile/7/000.p/128", "tile/7/001.p/1",
        "tile/0/x009/x223/x372/x036/x854/x775/807", "tile/0/x009/x223/x372/x036/x854/x775/808",
        "tile/0/x999/x999/x999/x999/x999/x999/x999/999",
    })
    void rejectsMalformedTilePaths(String path) {
        assertThrows(VerificationException.class, () -> Tile.parse(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "tile/entries", "tile/entries/", "tile/entries//000", "tile/entries/000/", "tile/entries/5",
        "tile/entries/0005", "tile/entries/x000/005", "tile/entries/001/000", "tile/entries/000.p/0",
        "tile/entries/000.p/256", "tile/entries/000.p/007", "tile/0/000", "tile/entry/000", "tile/Entries/000",
        "tile/entries/x036/x028/x797/x018/x963/967", "tile/entries/x009/x223/x372/x036/x854/x775/808",
    })
    void rejectsMalformedEntriesPaths(String path) {
        assertThrows(VerificationException.class, () -> Tile.parseEntries(path), path);
    }

    @ParameterizedTest(name = "tile({0}, {1}, {2})")
    @CsvSource({
        "-1, 0, 256", "8, 0, 1", "63, 0, 256", "0, -1, 256", "0, 0, 0", "0, 0, 257", "0, 0, -1",
        "0, 36028797018963967, 256", "7, 0, 128", "7, 1, 1", "1, 140737488355328, 1",
    })
    void constructorRejectsOutOfRange(int level, long index, int width) {
        assertThrows(IllegalArgumentException.class, () -> new Tile(level, index, width));
    }

    @Test
    void entriesPathOnlyAtLevelZero() {
        assertThrows(IllegalArgumentException.class, () -> Tile.full(1, 0).entriesPath());
    }

    @ParameterizedTest(name = "tile({0}, {1}, {2})")
    @CsvSource({
        // level, index, width, first leaf, smallest tree with this tile
        "0, 0,  1,   0,        1",
        "0, 3,  256, 768,      1024",
        "1, 0,  1,   0,        256",
        "1, 2,  17,  131072,   135424",
        "2, 1,  3,   16777216, 16973824",
    })
    void coordinates(int level, long index, int width, long firstLeaf, long minTreeSize) {
        Tile tile = new Tile(level, index, width);
        assertEquals(firstLeaf, tile.firstLeaf());
        assertEquals(minTreeSize, tile.minTreeSize());
        assertEquals(new NodeId(8 * level, index * 256), tile.node(0));
        assertEquals(new NodeId(8 * level, index * 256 + width - 1), tile.node(width - 1));
        assertThrows(IllegalArgumentException.class, () -> tile.node(width));
        assertEquals(tile.isFull(), width == 256);
        assertEquals(Tile.full(level, index), tile.toFull());
    }

    static Stream<Arguments> sharedVectors() throws IOException {
        Path file = findShared("testvectors/merkle-rfc6962.json");
        assumeTrue(file != null, "../shared/testvectors/merkle-rfc6962.json not found: skipping the shared tile paths");
        String json = Files.readString(file, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\"(tile|entries)\\((?:(\\d+), )?(\\d+)(?:, width (\\d+))?\\)\"\\s*:\\s*\"([^\"]+)\"")
                .matcher(json);
        Stream.Builder<Arguments> cases = Stream.builder();
        while (m.find()) {
            boolean entries = m.group(1).equals("entries");
            int level = entries ? 0 : Integer.parseInt(m.group(2));
            long index = Long.parseLong(m.group(3));
            int width = m.group(4) == null ? 256 : Integer.parseInt(m.group(4));
            cases.add(Arguments.of(entries, new Tile(level, index, width), m.group(5)));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("sharedVectors")
    void sharedTilePaths(boolean entries, Tile tile, String path) throws VerificationException {
        assertEquals(path, entries ? tile.entriesPath() : tile.path());
        assertEquals(tile, entries ? Tile.parseEntries(path) : Tile.parse(path));
    }

    @Test
    void sharedVectorsHaveTilePaths() throws IOException {
        assumeTrue(findShared("testvectors/merkle-rfc6962.json") != null, "../shared not found");
        assertTrue(sharedVectors().count() >= 5, "expected the 5 tile_paths cases in the shared vectors");
    }

    private static Path findShared(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
