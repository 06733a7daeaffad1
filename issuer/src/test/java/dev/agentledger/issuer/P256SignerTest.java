package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The issuer's P-256 signatures verify with the JDK in both encodings; X.509 times encode as BouncyCastle's {@code Time(Date)} does. */
class P256SignerTest {
    @ParameterizedTest(name = "message of {0} bytes")
    @ValueSource(ints = {0, 1, 300, 5000})
    void derAndJoseSignaturesVerifyWithTheJdk(int length) throws Exception {
        KeyPair pair = SigningKey.newKeyPair(new SecureRandom());
        P256Signer signer = P256Signer.of(pair.getPrivate());
        byte[] message = new byte[length];
        new SecureRandom().nextBytes(message);
        for (int i = 0; i < 3; i++) { // the same reused Signature object each time
            Signature der = Signature.getInstance("SHA256withECDSA", "SunEC");
            der.initVerify(pair.getPublic());
            der.update(message);
            assertTrue(der.verify(signer.signDer(message)));
            byte[] jose = signer.signJose(message);
            assertEquals(64, jose.length);
            Signature p1363 = Signature.getInstance("SHA256withECDSAinP1363Format", "SunEC");
            p1363.initVerify(pair.getPublic());
            p1363.update(message);
            assertTrue(p1363.verify(jose));
        }
        Signature wrong = Signature.getInstance("SHA256withECDSA", "SunEC");
        wrong.initVerify(SigningKey.newKeyPair(new SecureRandom()).getPublic());
        wrong.update("x".getBytes(StandardCharsets.US_ASCII));
        assertTrue(!wrong.verify(signer.signDer("x".getBytes(StandardCharsets.US_ASCII))), "another key does not verify it");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1950-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2026-11-24T03:04:05Z", "2049-12-31T23:59:59Z",
        "2050-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1949-12-31T23:59:59Z",
        "2026-11-24T03:04:05.999Z"})
    void timesEncodeAsRfc5280Wants(String instant) throws Exception {
        Instant time = Instant.parse(instant);
        assertArrayEquals(new Time(Date.from(time)).getEncoded(), SvidCertificates.time(time).getEncoded());
    }
}
