package dev.agentledger.merkle.tiles;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.merkle.VerificationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EntryBundleTest {
    private static final HexFormat HEX = HexFormat.of();

    private static List<byte[]> randomEntries(int count, int maxLength, long seed) {
        Random random = new Random(seed);
        List<byte[]> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] entry = new byte[random.nextInt(maxLength + 1)];
            random.nextBytes(entry);
            entries.add(entry);
        }
        return entries;
    }

    static Stream<Arguments> bundles() {
        return Stream.of(
                Arguments.of("one empty entry", List.of(new byte[0])),
                Arguments.of("one byte", List.of(new byte[] {7})),
                Arguments.of("largest entry", List.of(new byte[EntryBundle.MAX_ENTRY_SIZE])),
                Arguments.of("largest entry between small ones", List.of(new byte[3], new byte[65535], new byte[0])),
                Arguments.of("256 empty entries", Arrays.asList(new byte[256][0])),
                Arguments.of("256 random entries", randomEntries(256, 300, 1)),
                Arguments.of("17 random entries", randomEntries(17, 1000, 2)),
                Arguments.of("255 random entries", randomEntries(255, 40, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bundles")
    void roundTrips(String name, List<byte[]> entries) throws VerificationException {
        EntryBundle bundle = EntryBundle.of(entries);
        assertEquals(entries.size(), bundle.size());
        byte[] body = bundle.toByteArray();
        assertEquals(entries.stream().mapToInt(e -> 2 + e.length).sum(), body.length);
        EntryBundle parsed = EntryBundle.parse(body, entries.size());
        assertEquals(bundle, parsed);
        assertEquals(bundle.hashCode(), parsed.hashCode());
        for (int i = 0; i < entries.size(); i++) {
            assertArrayEquals(entries.get(i), parsed.entry(i));
            assertEquals(Rfc6962.hashLeaf(entries.get(i)), parsed.leafHash(i));
        }
        assertEquals(entries.size(), parsed.entries().size());
        assertEquals(parsed.leafHashes(), bundle.leafHashes());
    }

    @Test
    void encodesBigEndianLengthPrefixes() {
        byte[] body = EntryBundle.of(List.of(new byte[0], HEX.parseHex("aa"), new byte[300])).toByteArray();
        // 0000 | 0001 aa | 012c then 300 zero bytes
        assertEquals("0000" + "0001aa" + "012c" + "00".repeat(300), HEX.formatHex(body));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "empty body,                 ''",
        "one byte of a length,       00",
        "one byte of a length after an entry, 0001aa01",
        "entry cut short,            0002aa",
        "length with no entry,       0001",
        "largest length with no entry, ffff",
        "second entry cut short,     0000000300",
    })
    void rejectsMalformed(String name, String hex) {
        assertThrows(VerificationException.class, () -> EntryBundle.parse(HEX.parseHex(hex)), name);
    }

    @Test
    void rejectsMoreThan256Entries() throws VerificationException {
        assertEquals(256, EntryBundle.parse(new byte[2 * 256]).size());
        VerificationException e = assertThrows(VerificationException.class, () -> EntryBundle.parse(new byte[2 * 257]));
        assertEquals("bundle has more than 256 entries", e.getMessage());
        // a 257th entry's first byte alone is already too many
        assertThrows(VerificationException.class, () -> EntryBundle.parse(new byte[2 * 256 + 1]));
    }

    @ParameterizedTest(name = "{1} entries, want {0}")
    @CsvSource({"1, 2", "2, 1", "3, 2", "256, 255", "255, 256"})
    void rejectsAnotherCountThanTheWidth(int width, int count) {
        byte[] body = EntryBundle.of(randomEntries(count, 5, count)).toByteArray();
        VerificationException e = assertThrows(VerificationException.class, () -> EntryBundle.parse(body, width));
        assertEquals("bundle has " + count + " entries, want " + width, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 257})
    void widthOutsideOneTo256IsTheCallersBug(int width) {
        assertThrows(IllegalArgumentException.class, () -> EntryBundle.parse(new byte[2], width));
    }

    @Test
    void ofRejectsWhatNoBundleCanHold() {
        assertThrows(IllegalArgumentException.class, () -> EntryBundle.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> EntryBundle.of(Arrays.asList(new byte[257][0])));
        assertThrows(IllegalArgumentException.class, () -> EntryBundle.of(List.of(new byte[65536])));
    }

    @Test
    void copiesInAndOut() throws VerificationException {
        byte[] entry = {1, 2, 3};
        EntryBundle bundle = EntryBundle.of(List.of(entry));
        entry[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, bundle.entry(0));
        bundle.entry(0)[1] = 9;
        bundle.toByteArray()[2] = 9;
        bundle.entries().get(0)[2] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, bundle.entry(0));

        byte[] body = HEX.parseHex("0001aa");
        EntryBundle parsed = EntryBundle.parse(body);
        body[2] = 0;
        assertArrayEquals(new byte[] {(byte) 0xaa}, parsed.entry(0));
    }

    @Test
    void equalityIsByContent() {
        EntryBundle a = EntryBundle.of(List.of(new byte[] {1}));
        assertEquals(a, EntryBundle.of(List.of(new byte[] {1})));
        assertNotEquals(a, EntryBundle.of(List.of(new byte[] {2})));
        assertNotEquals(a, EntryBundle.of(List.of(new byte[] {1}, new byte[0])));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 2})
    void entryIndexOutOfRangeIsTheCallersBug(int i) {
        EntryBundle bundle = EntryBundle.of(List.of(new byte[1], new byte[2]));
        assertThrows(IllegalArgumentException.class, () -> bundle.entry(i));
        assertThrows(IllegalArgumentException.class, () -> bundle.leafHash(i));
    }
}
