package dev.agentledger.merkle.note;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Verifier key and private key strings (c2sp.org/signed-note, section "Verifier keys";
 * golang.org/x/mod/sumdb/note NewVerifier and NewSigner), key IDs and key names.
 */
class KeyStringTest {
    private static final Map<String, String> GO = VectorFile.resource("signed-note.json");
    private static final String VKEY = GO.get("vkey");
    private static final String SKEY = GO.get("skey");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
        "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"})
    void publishedVerifierKeysParseAndPrintBack(String vkey) {
        assertEquals(vkey, VerifierKey.parse(vkey).toString());
    }

    @Test
    void privateKeyDerivesItsVerifierKey() {
        SignerKey key = SignerKey.parse(SKEY);
        assertEquals(VKEY, key.verifierKey().toString());
        assertEquals(SKEY, key.toPrivateKeyString());
        assertEquals(SignatureType.ED25519, key.type());
    }

    /** Go's TestNewVerifier and TestNewSigner: every proper substring and every byte+1 is refused. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vkey", "skey"})
    void everyManglingIsRefused(String which) {
        String good = GO.get(which);
        Consumer<String> parse = which.equals("vkey") ? VerifierKey::parse : SignerKey::parse;
        List<String> accepted = new ArrayList<>();
        for (String mangled : manglings(good)) {
            try {
                parse.accept(mangled);
                accepted.add(mangled);
            } catch (IllegalArgumentException expected) {
                // refused, as it should be
            }
        }
        assertEquals(List.of(), accepted);
        parse.accept(good);
    }

    private static List<String> manglings(String good) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i <= good.length(); i++) {
            for (int j = i + 1; j <= good.length(); j++) {
                if (i != 0 || j != good.length()) {
                    out.add(good.substring(i, j));
                }
            }
        }
        for (int i = 0; i < good.length(); i++) {
            char[] chars = good.toCharArray();
            chars[i]++;
            out.add(new String(chars));
        }
        return out;
    }

    static Stream<Arguments> badVerifierKeys() {
        return Stream.of(
                Arguments.of("wrong length key, adjusted ID (Go)",
                        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "canonical"),
                Arguments.of("33-byte key, adjusted ID", withKeyLength(VKEY, 33), "33 bytes, want 32"),
                Arguments.of("unknown type 0x65, adjusted ID (Go)",
                        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "unsupported signature type 0x65"),
                Arguments.of("type 0x02", withType(VKEY, 0x02), "unsupported signature type 0x02"),
                Arguments.of("type 0x01 key with the 0x04 ID", withId(VKEY, typeId(VKEY, SignatureType.COSIGNATURE_V1)), "key ID"),
                Arguments.of("two parts", "PeterNeumann+c74f20a3", "parts"),
                Arguments.of("key ID of 7 digits", "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
                Arguments.of("key ID with 0x", "PeterNeumann+0xc74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
                Arguments.of("key ID with non-ASCII digit", "PeterNeumann+c74f20a\u0663+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hex digits"),
                Arguments.of("empty key", "PeterNeumann+c74f20a3+", "empty"),
                Arguments.of("name with space", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"),
                Arguments.of("empty name", "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "key name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badVerifierKeys")
    void badVerifierKeysAreRefused(String name, String vkey, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VerifierKey.parse(vkey));
        assertTrue(e.getMessage().contains(reason), () -> "message \"" + e.getMessage() + "\" lacks \"" + reason + "\"");
    }

    @Test
    void upperCaseKeyIdIsReadAsGoDoesAndPrintedLowerCase() {
        assertEquals(VKEY, VerifierKey.parse(VKEY.replace("c74f20a3", "C74F20A3")).toString());
    }

    /** Generating a key pair prints both strings; each parses back to the same key. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(SignatureType.class)
    void generatedKeysPrintAndParseBack(SignatureType type) {
        SignerKey key = SignerKey.generate("agentledger.example/log", type);
        String skey = key.toPrivateKeyString();
        String vkey = key.verifierKey().toString();
        assertTrue(skey.startsWith("PRIVATE+KEY+agentledger.example/log+" + key.keyId() + "+"), skey);
        assertTrue(vkey.startsWith("agentledger.example/log+" + key.keyId() + "+"), vkey);
        assertEquals(type.id(), Base64.getDecoder().decode(vkey.substring(vkey.lastIndexOf('+', vkey.length() - 45) + 1))[0]);
        assertEquals(key, SignerKey.parse(skey));
        assertEquals(key.verifierKey(), VerifierKey.parse(vkey));
        assertNotEquals(key, SignerKey.generate("agentledger.example/log", type));
    }

    @Test
    void signerKeyNeverPrintsItsSecret() {
        SignerKey key = SignerKey.parse(SKEY);
        String secret = SKEY.substring(SKEY.lastIndexOf('+') + 1);
        assertFalse(key.toString().contains(secret), key.toString());
        assertTrue(key.toString().contains("PeterNeumann+c74f20a3"), key.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignerKey.parse(SKEY.replace("c74f20a3", "c74f20a4")));
        assertFalse(e.getMessage().contains(secret), e.getMessage());
    }

    @Test
    void keysCopyTheirBytes() {
        VerifierKey key = VerifierKey.parse(VKEY);
        byte[] publicKey = key.publicKey();
        publicKey[0] ^= 1;
        assertNotEquals(publicKey[0], key.publicKey()[0]);
        byte[] seed = new byte[32];
        SignerKey fromSeed = SignerKey.fromSeed("n", SignatureType.ED25519, seed);
        seed[0] = 1;
        assertEquals(SignerKey.fromSeed("n", SignatureType.ED25519, new byte[32]), fromSeed);
    }

    @Test
    void ofRefusesBadInput() {
        assertThrows(IllegalArgumentException.class, () -> VerifierKey.of("n", SignatureType.ED25519, new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> VerifierKey.of("a+b", SignatureType.ED25519, new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> SignerKey.fromSeed("n", SignatureType.ED25519, new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> SignerKey.fromSeed("", SignatureType.ED25519, new byte[32]));
    }

    static Stream<Arguments> keyNames() {
        return Stream.of(
                Arguments.of("example.com/log", true),
                Arguments.of("PeterNeumann", true),
                Arguments.of("oid/1.3.6.1.4.1.99999", true),
                Arguments.of("\u00e9t\u00e9", true),
                Arguments.of("", false),
                Arguments.of("a b", false),
                Arguments.of("a+b", false),
                Arguments.of("a\tb", false),
                Arguments.of("a\u00a0b", false),
                Arguments.of("a\u0085b", false),
                Arguments.of("a\u2003b", false),
                Arguments.of("a\u2028b", false),
                Arguments.of("a\u3000b", false),
                Arguments.of("a\u0001b", false));
    }

    @ParameterizedTest(name = "\"{0}\" valid: {1}")
    @MethodSource("keyNames")
    void keyNameRules(String name, boolean valid) {
        assertEquals(valid, NoteSyntax.isValidKeyName(name));
    }

    @Test
    void keyIdPrintsAsEightLowerHexDigits() {
        assertEquals("0000000a", new KeyId(10).toString());
        assertEquals("ffffffff", new KeyId(-1).toString());
        assertEquals(new KeyId(-1), KeyId.parseHex("FFFFFFFF"));
        byte[] out = new byte[4];
        KeyId.parseHex("c74f20a3").copyTo(out, 0);
        assertArrayEquals(new byte[] {(byte) 0xc7, 0x4f, 0x20, (byte) 0xa3}, out);
        assertEquals(KeyId.parseHex("c74f20a3"), KeyId.fromBytes(out, 0));
    }

    private static String withType(String vkey, int type) {
        int at = vkey.lastIndexOf('+', vkey.length() - 45);
        byte[] typed = Base64.getDecoder().decode(vkey.substring(at + 1));
        typed[0] = (byte) type;
        return vkey.substring(0, at + 1) + Base64.getEncoder().encodeToString(typed);
    }

    /** The vkey's name with a zero key of {@code length} bytes and the ID that matches it. */
    private static String withKeyLength(String vkey, int length) {
        String name = vkey.substring(0, vkey.indexOf('+'));
        byte[] key = new byte[length];
        byte[] typed = new byte[1 + length];
        typed[0] = SignatureType.ED25519.id();
        return name + "+" + KeyId.compute(name, SignatureType.ED25519, key) + "+"
                + Base64.getEncoder().encodeToString(typed);
    }

    private static KeyId typeId(String vkey, SignatureType type) {
        VerifierKey key = VerifierKey.parse(vkey);
        return KeyId.compute(key.name(), type, key.publicKey());
    }

    private static String withId(String vkey, KeyId id) {
        String[] parts = vkey.split("\\+", 3);
        return parts[0] + "+" + id + "+" + parts[2];
    }
}
