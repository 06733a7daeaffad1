package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whatever provider {@link CryptoProvider#fastest()} picks agrees with the JDK's SunEC, byte for byte where the algorithm is deterministic. */
class CryptoProviderTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void conscryptServesOnLinuxX8664() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
            // The machines this project runs on: if the native library stopped loading, every signature would be 3x slower.
            assertEquals("Conscrypt", CryptoProvider.fastest().getName());
        } else {
            assertEquals(org.conscrypt.Conscrypt.isAvailable() ? "Conscrypt" : CryptoProvider.bouncyCastle().getName(),
                    CryptoProvider.fastest().getName());
        }
    }

    @ParameterizedTest(name = "message of {0} bytes")
    @ValueSource(ints = {0, 1, 117, 4096})
    void ed25519SignaturesAreTheJdksBytes(int length) throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519", "SunEC").generateKeyPair();
        byte[] message = random(length);
        Signature jdk = Signature.getInstance("Ed25519", "SunEC");
        jdk.initSign(pair.getPrivate());
        jdk.update(message);
        byte[] expected = jdk.sign();
        Provider fastest = CryptoProvider.fastest();
        Signature ours = Signature.getInstance("Ed25519", fastest);
        ours.initSign(KeyFactory.getInstance("Ed25519", fastest).generatePrivate(new PKCS8EncodedKeySpec(pair.getPrivate().getEncoded())));
        for (int i = 0; i < 2; i++) { // the same object again after sign()
            ours.update(message);
            assertArrayEquals(expected, ours.sign());
        }
        Signature verify = Signature.getInstance("Ed25519", fastest);
        verify.initVerify(KeyFactory.getInstance("Ed25519", fastest).generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded())));
        verify.update(message);
        assertTrue(verify.verify(expected));
        expected[5] ^= 1;
        verify.update(message);
        assertFalse(verify.verify(expected), "a changed signature does not verify");
    }

    @Test
    void p256SignaturesCrossVerifyWithTheJdk() throws Exception {
        Provider fastest = CryptoProvider.fastest();
        for (int i = 0; i < 20; i++) {
            KeyPair pair = SigningKey.newKeyPair(RANDOM);
            byte[] message = random(1 + RANDOM.nextInt(2000));
            Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
            jdk.initSign(pair.getPrivate());
            jdk.update(message);
            byte[] signature = jdk.sign();
            Signature ours = Signature.getInstance("SHA256withECDSA", fastest);
            ours.initVerify(KeyFactory.getInstance("EC", fastest).generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded())));
            ours.update(message);
            assertTrue(ours.verify(signature), "the JDK's signature verifies");
            message[0] ^= 1;
            ours.update(message);
            assertFalse(ours.verify(signature), "not for another message");
        }
    }

    private static byte[] random(int length) {
        byte[] bytes = new byte[length];
        RANDOM.nextBytes(bytes);
        return bytes;
    }
}
