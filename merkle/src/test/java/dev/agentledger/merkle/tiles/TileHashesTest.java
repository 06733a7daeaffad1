package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.TreeOracle;
import dev.agentledger.merkle.VerificationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TileHashesTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 17, 128, 255, 256})
    void bytesRoundTrip(int width) throws VerificationException {
        List<Hash> hashes = TileOracle.leafHashes(width, width);
        Tile tile = new Tile(0, 4, width);
        byte[] body = new TileHashes(tile, hashes).toBytes();
        assertEquals(width * 32, body.length);
        for (int i = 0; i < width; i++) {
            // the body is the hashes back to back, 32 bytes each
            assertArrayEquals(hashes.get(i).toByteArray(), Arrays.copyOfRange(body, 32 * i, 32 * i + 32));
        }
        assertEquals(new TileHashes(tile, hashes), TileHashes.parse(tile, body));
    }

    @ParameterizedTest(name = "width {0}, {1} bytes")
    @CsvSource({"1, 0", "1, 31", "1, 33", "1, 64", "2, 32", "3, 95", "3, 97", "256, 8191", "256, 8193", "255, 8192"})
    void parseRejectsWrongLength(int width, int length) {
        VerificationException e = assertThrows(VerificationException.class,
                () -> TileHashes.parse(new Tile(1, 0, width), new byte[length]));
        assertEquals("tile " + new Tile(1, 0, width).path() + " is " + length + " bytes, want " + 32 * width, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 255, 257})
    void constructorRejectsWrongCount(int count) {
        assertThrows(IllegalArgumentException.class,
                () -> new TileHashes(new Tile(0, 0, 1), TileOracle.leafHashes(count, 1)));
    }

    @Test
    void listIsCopied() {
        List<Hash> hashes = new ArrayList<>(TileOracle.leafHashes(3, 2));
        TileHashes tile = new TileHashes(new Tile(0, 0, 3), hashes);
        hashes.set(0, hashes.get(1));
        assertEquals(TileOracle.leafHashes(3, 2), tile.hashes());
        assertThrows(UnsupportedOperationException.class, () -> tile.hashes().clear());
    }

    @Test
    void everySpanHashesToTheOraclesSubtree() {
        List<Hash> row = TileOracle.leafHashes(256, 3);
        TileHashes full = new TileHashes(Tile.full(0, 0), row);
        for (int count = 1; count <= 256; count *= 2) {
            for (int start = 0; start < 256; start += count) {
                assertEquals(TreeOracle.root(row, start, start + count),
                        full.hash(new TileSpan(full.tile(), start, count)), start + "+" + count);
            }
        }
    }

    @Test
    void spanOfAnotherTileIsRejected() {
        TileHashes tile = new TileHashes(Tile.full(0, 0), TileOracle.leafHashes(256, 3));
        assertThrows(IllegalArgumentException.class, () -> tile.hash(new TileSpan(Tile.full(0, 1), 0, 1)));
    }

    @ParameterizedTest(name = "width {0} start {1} count {2}")
    @CsvSource({"256, 0, 0", "256, 0, 3", "256, 2, 4", "256, -2, 2", "256, 256, 1", "17, 16, 2", "17, 0, 32", "1, 0, 2"})
    void spanRejectsBadRuns(int width, int start, int count) {
        assertThrows(IllegalArgumentException.class, () -> new TileSpan(new Tile(0, 0, width), start, count));
    }
}
