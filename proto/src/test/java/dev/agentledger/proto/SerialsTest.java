package dev.agentledger.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The serial hex form against its definition, {@code new BigInteger(octets).toString(16)}. */
class SerialsTest {
    @ParameterizedTest
    @CsvSource({
        "00, 0",
        "0000, 0",
        "01, 1",
        "0f, f",
        "10, 10",
        "7f, 7f",
        "00ff, ff",
        "000a0b, a0b",
        "0100, 100",
        "80, -80",
        "ff, -1",
        "ff00, -100",
    })
    void table(String octets, String want) {
        assertEquals(want, Serials.hex(ByteString.copyFrom(HexFormat.of().parseHex(octets))));
    }

    @Test
    void randomSerialsOfEveryLengthMatchTheDefinition() {
        SplittableRandom random = new SplittableRandom(5280);
        for (int length = 1; length <= 21; length++) {
            for (int i = 0; i < 200; i++) {
                byte[] octets = new byte[length];
                random.nextBytes(octets);
                if (i % 3 == 0) {
                    octets[0] = 0; // leading zero octets, as a positive serial with the top bit set has
                }
                assertEquals(new BigInteger(octets).toString(16), Serials.hex(ByteString.copyFrom(octets)), HexFormat.of().formatHex(octets));
            }
        }
    }

    @Test
    void noOctetsIsNotASerial() {
        assertThrows(IllegalArgumentException.class, () -> Serials.hex(ByteString.EMPTY));
    }

    @ParameterizedTest
    @CsvSource({"0", "000", "1", "f", "F", "7f", "80", "0080", "ff", "100", "00ff", "a0b", "-80", "-1", "+7f", "DEADbeef"})
    void octetsAreWhatBigIntegerGives(String hex) {
        assertEquals(HexFormat.of().formatHex(new BigInteger(hex, 16).toByteArray()), HexFormat.of().formatHex(Serials.octets(hex)));
    }

    @Test
    void octetsUndoHexForRandomSerials() {
        SplittableRandom random = new SplittableRandom(5281);
        for (int length = 1; length <= 21; length++) {
            for (int i = 0; i < 200; i++) {
                byte[] octets = new byte[length];
                random.nextBytes(octets);
                String hex = new BigInteger(octets).toString(16);
                assertEquals(HexFormat.of().formatHex(new BigInteger(hex, 16).toByteArray()),
                        HexFormat.of().formatHex(Serials.octets(hex)), hex);
            }
        }
    }

    @Test
    void minimalOctetsAreWhatBigIntegerGivesAndWhatOctetsOfHexGive() {
        SplittableRandom random = new SplittableRandom(5282);
        for (int length = 1; length <= 21; length++) {
            for (int i = 0; i < 300; i++) {
                byte[] octets = new byte[length];
                random.nextBytes(octets);
                int pad = i % 3 == 0 ? random.nextInt(Math.min(length - 1, 3) + 1) : 0;
                for (int j = 0; j < pad; j++) {
                    // Redundant sign octets: zeros before a non-negative octet, ones before a negative one.
                    octets[j] = octets[pad] < 0 ? (byte) 0xff : 0;
                }
                ByteString der = ByteString.copyFrom(octets);
                String label = HexFormat.of().formatHex(octets);
                assertEquals(HexFormat.of().formatHex(new BigInteger(octets).toByteArray()),
                        HexFormat.of().formatHex(Serials.minimalOctets(der)), label);
                assertEquals(HexFormat.of().formatHex(Serials.octets(Serials.hex(der))),
                        HexFormat.of().formatHex(Serials.minimalOctets(der)), label);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Serials.minimalOctets(ByteString.EMPTY));
    }

    @ParameterizedTest
    @CsvSource({"00, 00", "0000, 00", "007f, 7f", "0080, 0080", "000080, 0080", "ff, ff", "ffff, ff", "ff80, 80", "ff7f, ff7f", "ffff7f, ff7f"})
    void minimalOctetsDropOnlyRedundantSignOctets(String octets, String want) {
        assertEquals(want, HexFormat.of().formatHex(Serials.minimalOctets(ByteString.copyFrom(HexFormat.of().parseHex(octets)))));
    }

    @ParameterizedTest
    @CsvSource({"''", "g", "0x10", "12 3", "-"})
    void octetsOfWhatIsNotHexThrowAsBigIntegerDoes(String hex) {
        assertThrows(NumberFormatException.class, () -> Serials.octets(hex));
    }
}
