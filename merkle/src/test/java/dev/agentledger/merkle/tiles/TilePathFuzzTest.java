package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.merkle.VerificationException;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes tile and entry bundle path parsing (c2sp.org/tlog-tiles): {@link Tile#parse} and
 * {@link Tile#parseEntries} throw only {@link VerificationException}, and a path that parses is the
 * one canonical spelling, so formatting the tile gives the input back.
 *
 * <p>Seeds: {@code TilePathFuzzTestInputs/parsePaths/}.
 */
class TilePathFuzzTest {
    @FuzzTest
    void parsePaths(byte[] input) {
        String path = new String(input, StandardCharsets.UTF_8);
        try {
            assertEquals(path, Tile.parse(path).path());
        } catch (VerificationException expected) {
            // not a canonical tile path
        }
        try {
            assertEquals(path, Tile.parseEntries(path).entriesPath());
        } catch (VerificationException expected) {
            // not a canonical entries path
        }
    }
}
