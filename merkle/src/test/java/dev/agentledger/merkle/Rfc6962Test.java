package dev.agentledger.merkle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Rfc6962Test {
    @Test
    void emptyRootIsSha256OfNothing() {
        // printf '' | sha256sum
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Rfc6962.EMPTY_ROOT.toHex());
    }

    @ParameterizedTest(name = "leaf {0}")
    @CsvSource({
        // printf '\x00' | sha256sum  (the leaf prefix and nothing else)
        "'', 6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        // printf '\x00\x00' | sha256sum
        "00, 96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        // printf '\x00\x10' | sha256sum
        "10, 0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        // printf '\x00L123456' | sha256sum
        "4c313233343536, 395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56",
    })
    void hashLeaf(String entryHex, String want) {
        assertEquals(want, Rfc6962.hashLeaf(HexFormat.of().parseHex(entryHex)).toHex());
    }

    @Test
    void hashChildrenPrefixesOne() {
        // printf '\x01N123N456' | sha256sum, with the children given as raw bytes
        Hash left = Hash.of(pad("N123"));
        Hash right = Hash.of(pad("N456"));
        byte[] input = new byte[65];
        input[0] = 1;
        left.copyTo(input, 1);
        right.copyTo(input, 33);
        assertEquals(sha256(input), Rfc6962.hashChildren(left, right).toHex());
    }

    @Test
    void hashLeafOfSliceEqualsHashOfCopy() {
        byte[] buffer = "xxhelloyy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(
                Rfc6962.hashLeaf("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                Rfc6962.hashLeaf(buffer, 2, 5));
    }

    private static byte[] pad(String s) {
        byte[] out = new byte[32];
        byte[] in = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(in, 0, out, 0, in.length);
        return out;
    }

    private static String sha256(byte[] input) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(input));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
