package dev.agentledger.verifierclient.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;

/** The agent's hand-made PKCS#10 request, read back by an independent implementation (Bouncy Castle, test scope only). */
class CertificationRequestTest {
    private static KeyPair p256() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    @Test
    void aRequestParsesCarriesTheKeyAndItsSignatureVerifies() throws Exception {
        KeyPair key = p256();
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(CertificationRequest.of(key));
        assertArrayEquals(key.getPublic().getEncoded(), request.getSubjectPublicKeyInfo().getEncoded());
        assertEquals(0, request.getSubject().getRDNs().length, "the subject is empty: the ID comes from the registration");
        assertEquals(0, request.getAttributes().length);
        assertEquals("1.2.840.10045.4.3.2", request.getSignatureAlgorithm().getAlgorithm().getId());
        assertTrue(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.getPublic())));
    }

    @Test
    void aRequestSignedByAnotherKeyDoesNotVerifyForThisOne() throws Exception {
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(CertificationRequest.of(p256()));
        assertFalse(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(p256().getPublic())));
    }
}
