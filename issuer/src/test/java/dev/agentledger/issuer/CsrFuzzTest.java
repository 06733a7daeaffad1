package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Fuzzes the issuer's CSR handling (RFC 2986 PKCS#10, DER) on untrusted bytes: the only exception
 * out of {@link CertificationRequests#publicKey} is {@link IssuanceException} (CSR too large,
 * malformed, unsupported key, bad signature, CA requested), never a parser's runtime exception. An
 * accepted request's key is a P-256 key equal to the one the request carries.
 *
 * <p>Seeds (valid, CA-requesting, other curve, RSA): {@code CsrFuzzTestInputs/publicKey/}.
 */
class CsrFuzzTest {
    @FuzzTest
    void publicKey(byte[] der) throws Exception {
        PublicKey key;
        try {
            key = CertificationRequests.publicKey(der);
        } catch (IssuanceException expected) {
            return;
        }
        ECPublicKey ec = (ECPublicKey) key;
        assertEquals(256, ec.getParams().getCurve().getField().getFieldSize());
        assertArrayEquals(new PKCS10CertificationRequest(der).getSubjectPublicKeyInfo().getEncoded(), key.getEncoded());
    }
}
