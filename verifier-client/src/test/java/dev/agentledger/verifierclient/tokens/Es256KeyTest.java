package dev.agentledger.verifierclient.tokens;

import static dev.agentledger.verifierclient.tokens.Minter.DB;
import static dev.agentledger.verifierclient.tokens.Minter.ISSUER;
import static dev.agentledger.verifierclient.tokens.Minter.NOW;
import static dev.agentledger.verifierclient.tokens.Minter.capability;
import static dev.agentledger.verifierclient.tokens.Minter.certificate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Es256Key} (BouncyCastle's lightweight ECDSA on a point decoded once) against the JDK's
 * {@code SHA256withECDSAinP1363Format} as the oracle: the same verdict for a valid signature and
 * for each mutation of it, with the key verifying many times (its precomputed multiples reused).
 */
class Es256KeyTest {
    /** The order n of P-256 (FIPS 186-4 D.1.2.3). */
    private static final BigInteger N = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);
    private static final byte[] SIGNED = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0".getBytes(StandardCharsets.US_ASCII);
    private static final Minter MINTER = new Minter(Minter.fixedKey());

    static Stream<Arguments> mutations() {
        return Stream.of(
                Arguments.of("valid", (UnaryOperator<byte[]>) s -> s),
                Arguments.of("last bit of s flipped", (UnaryOperator<byte[]>) s -> flip(s, 63)),
                Arguments.of("first bit of r flipped", (UnaryOperator<byte[]>) s -> flip(s, 0)),
                Arguments.of("r and s swapped", (UnaryOperator<byte[]>) s -> concat(half(s, 1), half(s, 0))),
                Arguments.of("r = 0", (UnaryOperator<byte[]>) s -> concat(new byte[32], half(s, 1))),
                Arguments.of("s = 0", (UnaryOperator<byte[]>) s -> concat(half(s, 0), new byte[32])),
                Arguments.of("r = n", (UnaryOperator<byte[]>) s -> concat(fixed(N), half(s, 1))),
                Arguments.of("s = n", (UnaryOperator<byte[]>) s -> concat(half(s, 0), fixed(N))),
                Arguments.of("s + n (mod 2^256)", (UnaryOperator<byte[]>) s -> concat(half(s, 0),
                        fixed(new BigInteger(1, half(s, 1)).add(N).mod(BigInteger.TWO.pow(256))))),
                // ES256 has no low-s rule: n - s is as valid as s for both verifiers.
                Arguments.of("s replaced by n - s", (UnaryOperator<byte[]>) s -> concat(half(s, 0),
                        fixed(N.subtract(new BigInteger(1, half(s, 1)))))),
                Arguments.of("all ones", (UnaryOperator<byte[]>) s -> filled((byte) 0xff)),
                Arguments.of("63 bytes", (UnaryOperator<byte[]>) s -> Arrays.copyOf(s, 63)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mutations")
    void agreesWithTheJdk(String name, UnaryOperator<byte[]> mutation) throws Exception {
        byte[] signature = mutation.apply(sign(SIGNED));
        Es256Key key = Es256Key.of((ECPublicKey) MINTER.key.getPublic());
        boolean jdk = jdkVerifies(SIGNED, signature);
        for (int i = 0; i < 3; i++) { // the second and third use the point's kept precomputation
            assertEquals(jdk, key.verifies(SIGNED, signature), name + ", verification " + (i + 1));
        }
    }

    @Test
    void aSignatureOfOtherBytesOrKeyDoesNotVerify() throws Exception {
        Es256Key key = Es256Key.of((ECPublicKey) MINTER.key.getPublic());
        byte[] signature = sign(SIGNED);
        byte[] other = Arrays.copyOf(SIGNED, SIGNED.length);
        other[5] ^= 1;
        assertEquals(false, key.verifies(other, signature));
        assertEquals(false, Es256Key.of((ECPublicKey) Minter.newKey().getPublic()).verifies(SIGNED, signature));
    }

    @Test
    void aKeyOffP256IsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp384r1"));
        TokenException e = assertThrows(TokenException.class, () -> Es256Key.of((ECPublicKey) generator.generateKeyPair().getPublic()));
        assertEquals(Reason.UNKNOWN_KEY, e.reason());
    }

    @Test
    void aVerifierOnBouncyCastleVerifiesTokensWithThePreparedKey() throws Exception {
        TokenVerifier verifier = new TokenVerifier(MINTER.keys(), ISSUER, InstantSource.fixed(NOW), new BouncyCastleProvider());
        String token = MINTER.sign(Minter.header("at+jwt"), capability().toClaims());
        for (int i = 0; i < 3; i++) {
            assertEquals(capability(), verifier.verifyCapability(token, DB, "db:read", DB, certificate("agent-a")));
        }
        char last = token.charAt(token.length() - 2);
        String tampered = token.substring(0, token.length() - 2) + (last == 'A' ? 'B' : 'A') + token.charAt(token.length() - 1);
        TokenException e = assertThrows(TokenException.class,
                () -> verifier.verifyCapability(tampered, DB, "db:read", DB, certificate("agent-a")));
        assertEquals(Reason.SIGNATURE, e.reason());
    }

    private static byte[] sign(byte[] data) throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(MINTER.key.getPrivate());
        signer.update(data);
        return signer.sign();
    }

    private static boolean jdkVerifies(byte[] data, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            verifier.initVerify(MINTER.key.getPublic());
            verifier.update(data);
            return verifier.verify(signature);
        } catch (java.security.GeneralSecurityException e) {
            return false; // the JDK throws for some malformed signatures: a refusal
        }
    }

    private static byte[] flip(byte[] signature, int index) {
        byte[] copy = signature.clone();
        copy[index] ^= index == 0 ? (byte) 0x80 : 1;
        return copy;
    }

    private static byte[] half(byte[] signature, int which) {
        return Arrays.copyOfRange(signature, which * 32, which * 32 + 32);
    }

    private static byte[] concat(byte[] r, byte[] s) {
        byte[] out = Arrays.copyOf(r, 64);
        System.arraycopy(s, 0, out, 32, 32);
        return out;
    }

    private static byte[] fixed(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[32];
        int copy = Math.min(32, raw.length);
        System.arraycopy(raw, raw.length - copy, out, 32 - copy, copy);
        return out;
    }

    private static byte[] filled(byte value) {
        byte[] out = new byte[64];
        Arrays.fill(out, value);
        return out;
    }
}
