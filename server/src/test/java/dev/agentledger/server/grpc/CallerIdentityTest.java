package dev.agentledger.server.grpc;

import dev.agentledger.proto.SpiffeId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The caller's identity is exactly one SPIFFE ID URI SAN of its verified leaf certificate. */
class CallerIdentityTest {
    @Test
    void oneSpiffeUriSanIsTheIdentity() throws Exception {
        X509Certificate leaf = certificate(List.of(uri("spiffe://agentledger.local/operator"), dns("localhost")));
        assertEquals("spiffe://agentledger.local/operator", CallerIdentity.of(chain(leaf)).value());
    }

    @Test
    void noCertificateIsUnauthenticated() {
        UnauthenticatedException e = assertThrows(UnauthenticatedException.class, () -> CallerIdentity.of(Optional.empty()));
        assertTrue(e.getMessage().contains("no client certificate"), e.getMessage());
        assertThrows(UnauthenticatedException.class, () -> CallerIdentity.of(Optional.of(new Certificate[0])));
    }

    @Test
    void noUriSanIsUnauthenticated() throws Exception {
        X509Certificate leaf = certificate(List.of(dns("agent.example")));
        UnauthenticatedException e = assertThrows(UnauthenticatedException.class, () -> CallerIdentity.of(chain(leaf)));
        assertTrue(e.getMessage().contains("0 URI SANs"), e.getMessage());
    }

    @Test
    void twoUriSansAreUnauthenticated() throws Exception {
        X509Certificate leaf = certificate(List.of(
                uri("spiffe://agentledger.local/operator"), uri("spiffe://agentledger.local/agent/a1")));
        UnauthenticatedException e = assertThrows(UnauthenticatedException.class, () -> CallerIdentity.of(chain(leaf)));
        assertTrue(e.getMessage().contains("2 URI SANs"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://agentledger.local/operator", "spiffe://AgentLedger.local/operator", "spiffe://agentledger.local/a/../b"})
    void aUriSanThatIsNotASpiffeIdIsUnauthenticated(String san) throws Exception {
        X509Certificate leaf = certificate(List.of(uri(san)));
        assertThrows(UnauthenticatedException.class, () -> CallerIdentity.of(chain(leaf)));
    }

    private static Optional<Certificate[]> chain(X509Certificate leaf) {
        return Optional.of(new Certificate[] {leaf});
    }

    private static GeneralName uri(String value) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, value);
    }

    private static GeneralName dns(String value) {
        return new GeneralName(GeneralName.dNSName, value);
    }

    /** A self-signed P-256 certificate with exactly these subject alternative names. */
    private static X509Certificate certificate(List<GeneralName> names) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=test");
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                Date.from(now.plusSeconds(3600)), subject, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
    }
}
