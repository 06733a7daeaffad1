package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;

/**
 * Fuzzes entry bundle decoding (c2sp.org/tlog-tiles, "Log entries"): {@link EntryBundle#parse}
 * throws only {@link VerificationException}; a bundle that parses re-encodes to the same bytes and
 * its leaf hashes are the RFC 9162 hashes of its entries.
 *
 * <p>Seeds: {@code EntryBundleFuzzTestInputs/parseBundle/}.
 */
class EntryBundleFuzzTest {
    @FuzzTest
    void parseBundle(byte[] input) {
        EntryBundle bundle;
        try {
            bundle = EntryBundle.parse(input);
        } catch (VerificationException expected) {
            return;
        }
        assertArrayEquals(input, bundle.toByteArray());
        assertEquals(bundle, EntryBundle.of(bundle.entries()));
        for (int i = 0; i < bundle.size(); i++) {
            assertEquals(Rfc6962.hashLeaf(bundle.entry(i)), bundle.leafHash(i));
        }
    }
}
