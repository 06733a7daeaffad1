package dev.agentledger.server.demo;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.server.bootstrap.Credentials;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A spawned agent as the demo plays it: a P-256 key made in this process (it never leaves), and
 * the X509-SVID it obtained for it.
 *
 * @param spiffeId its ID
 * @param key its key pair
 * @param chain its SVID and the CA, leaf first
 * @param logIndex the log index of its SVID's issuance
 */
record DemoAgent(SpiffeId spiffeId, KeyPair key, List<X509Certificate> chain, long logIndex) {
    DemoAgent {
        chain = List.copyOf(chain);
    }

    /** The SVID and key as mTLS client credentials. */
    Credentials credentials() {
        return new Credentials(key.getPrivate(), chain);
    }

    /** The SVID. */
    X509Certificate svid() {
        return chain.get(0);
    }

    static KeyPair newKey() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** A DER PKCS#10 request for {@code key}, with an empty subject (the ID comes from the registration). */
    static byte[] csr(KeyPair key) throws Exception {
        return new JcaPKCS10CertificationRequestBuilder(new X500Name(new RDN[0]), key.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())).getEncoded();
    }

    /** Certificates from base64 DER strings. */
    static List<X509Certificate> certificates(List<String> base64) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        for (String value : base64) {
            certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(Base64.getDecoder().decode(value))));
        }
        return certificates;
    }
}
