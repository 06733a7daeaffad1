package dev.agentledger.issuer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.IssuanceException.Reason;
import dev.agentledger.merkle.Rfc6962;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.X509SvidIssued;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class X509SvidTest extends IssuerOnLogTest {
    private static final SpiffeId AGENT = SpiffeId.of(TestLog.TRUST_DOMAIN, "agent/invoice-bot/1");
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";


    @Test
    void leafFollowsTheX509SvidProfile() throws Exception {
        KeyPair pair = Csrs.p256();
        X509Certificate cert = reparse(log.issuer.issueX509Svid(AGENT, Csrs.of(pair)).credential());
        X509Certificate ca = log.issuer.caCertificate();

        assertEquals(3, cert.getVersion());
        assertEquals("", cert.getSubjectX500Principal().getName());
        assertEquals(ca.getSubjectX500Principal(), cert.getIssuerX500Principal());
        assertEquals(pair.getPublic(), cert.getPublicKey());
        assertEquals("SHA256withECDSA", cert.getSigAlgName());
        assertEquals(Set.of(Extension.basicConstraints.getId(), Extension.keyUsage.getId(), Extension.subjectAlternativeName.getId()),
                cert.getCriticalExtensionOIDs());
        assertEquals(Set.of(Extension.extendedKeyUsage.getId(), Extension.subjectKeyIdentifier.getId(),
                Extension.authorityKeyIdentifier.getId()), cert.getNonCriticalExtensionOIDs());
        assertEquals(-1, cert.getBasicConstraints(), "cA=false");
        boolean[] usage = Arrays.copyOf(cert.getKeyUsage(), 9);
        boolean[] digitalSignatureOnly = new boolean[9];
        digitalSignatureOnly[0] = true;
        assertArrayEquals(digitalSignatureOnly, usage);
        assertEquals(List.of(SERVER_AUTH, CLIENT_AUTH), cert.getExtendedKeyUsage());
        assertEquals(List.of(List.of(6, AGENT.value())), cert.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertTrue(cert.getSerialNumber().signum() > 0);
        assertTrue(cert.getSerialNumber().bitLength() > 64 && cert.getSerialNumber().bitLength() <= 128,
                "serial bits " + cert.getSerialNumber().bitLength());
        assertEquals(Date.from(TestLog.START), cert.getNotBefore());
        assertEquals(Date.from(TestLog.START.plus(Duration.ofHours(1))), cert.getNotAfter());
        cert.verify(ca.getPublicKey());
    }

    @Test
    void extensionsAsBouncyCastleReadsThem() throws Exception {
        X509Certificate cert = log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())).credential();
        X509CertificateHolder holder = new X509CertificateHolder(cert.getEncoded());
        X509CertificateHolder ca = new X509CertificateHolder(log.issuer.caCertificate().getEncoded());

        assertTrue(holder.getSubject().getRDNs().length == 0);
        assertFalse(BasicConstraints.fromExtensions(holder.getExtensions()).isCA());
        assertTrue(holder.getExtension(Extension.basicConstraints).isCritical());
        assertTrue(holder.getExtension(Extension.keyUsage).isCritical());
        KeyUsage usage = KeyUsage.fromExtensions(holder.getExtensions());
        assertTrue(usage.hasUsages(KeyUsage.digitalSignature));
        assertFalse(usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign) || usage.hasUsages(KeyUsage.keyEncipherment));
        Extension san = holder.getExtension(Extension.subjectAlternativeName);
        assertTrue(san.isCritical(), "SAN is critical when the subject is empty");
        GeneralName[] names = GeneralNames.getInstance(san.getParsedValue()).getNames();
        assertEquals(1, names.length);
        assertEquals(GeneralName.uniformResourceIdentifier, names[0].getTagNo());
        assertFalse(holder.getExtension(Extension.extendedKeyUsage).isCritical());
        byte[] caSki = SubjectKeyIdentifier.fromExtensions(ca.getExtensions()).getKeyIdentifier();
        assertArrayEquals(caSki, AuthorityKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifierOctets());
        assertTrue(SubjectKeyIdentifier.fromExtensions(holder.getExtensions()).getKeyIdentifier().length > 0);
    }

    @Test
    void caIsASigningAuthorityForTheTrustDomain() throws Exception {
        X509Certificate ca = reparse(log.issuer.caCertificate());
        X509CertificateHolder holder = new X509CertificateHolder(ca.getEncoded());
        assertEquals(0, ca.getBasicConstraints(), "cA=true, path length 0");
        assertTrue(holder.getExtension(Extension.basicConstraints).isCritical());
        assertTrue(holder.getExtension(Extension.keyUsage).isCritical());
        KeyUsage usage = KeyUsage.fromExtensions(holder.getExtensions());
        assertTrue(usage.hasUsages(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        assertFalse(usage.hasUsages(KeyUsage.digitalSignature));
        assertEquals(List.of(List.of(6, "spiffe://" + TestLog.TRUST_DOMAIN)),
                ca.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals("EC", ca.getPublicKey().getAlgorithm());
        ca.verify(ca.getPublicKey());
    }

    @Test
    void chainValidatesWithPkixAgainstTheCaAndTheBundle() throws Exception {
        X509Certificate cert = log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())).credential();
        validate(cert, log.issuer.caCertificate());
        X509Certificate fromBundle = bundleAuthority(log.issuer.trustBundle().json());
        assertEquals(log.issuer.caCertificate(), fromBundle);
        validate(cert, fromBundle);
    }

    @Test
    void idComesFromTheRegistrationNotFromTheCsr() throws Exception {
        KeyPair pair = Csrs.p256();
        var wish = Csrs.extension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + TestLog.TRUST_DOMAIN + "/admin"),
            new GeneralName(GeneralName.dNSName, "evil.example")}));
        byte[] csr = Csrs.build(pair.getPublic(), pair.getPrivate(), "SHA256withECDSA", wish);
        X509Certificate cert = log.issuer.issueX509Svid(AGENT, csr).credential();
        assertEquals(List.of(List.of(6, AGENT.value())), cert.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
        assertEquals("", cert.getSubjectX500Principal().getName(), "the CSR's CN=agent is ignored");
    }

    static Stream<Arguments> lifetimes() {
        return Stream.of(
                Arguments.of(Duration.ofMinutes(5), true),
                Arguments.of(Duration.ofMinutes(30), true),
                Arguments.of(Duration.ofHours(1), true),
                Arguments.of(Duration.ofMinutes(5).minusSeconds(1), false),
                Arguments.of(Duration.ofHours(1).plusSeconds(1), false),
                Arguments.of(Duration.ZERO, false),
                Arguments.of(Duration.ofMinutes(-10), false));
    }

    @ParameterizedTest
    @MethodSource("lifetimes")
    void lifetimeIsFiveMinutesToAnHour(Duration ttl, boolean accepted) throws Exception {
        byte[] csr = Csrs.of(Csrs.p256());
        long before = log.size();
        if (accepted) {
            X509Certificate cert = log.issuer.issueX509Svid(AGENT, csr, ttl).credential();
            assertEquals(ttl.toMillis(), cert.getNotAfter().getTime() - cert.getNotBefore().getTime());
            assertEquals(before + 1, log.size());
        } else {
            IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.issueX509Svid(AGENT, csr, ttl));
            assertEquals(Reason.INVALID_TTL, e.reason());
            assertEquals(before, log.size());
        }
    }

    @Test
    void neverOutlivesTheCa(@TempDir Path other) throws Exception {
        try (TestLog shortLived = new TestLog(other, Duration.ofHours(2))) {
            shortLived.clock.advance(Duration.ofMinutes(90));
            X509Certificate cert = shortLived.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())).credential();
            assertEquals(shortLived.issuer.caCertificate().getNotAfter(), cert.getNotAfter());
            shortLived.clock.advance(Duration.ofMinutes(30));
            long before = shortLived.size();
            IssuanceException e = assertThrows(IssuanceException.class,
                    () -> shortLived.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256())));
            assertEquals(Reason.AUTHORITY_EXPIRED, e.reason());
            assertEquals(before, shortLived.size());
        }
    }

    @Test
    void loggedBeforeReturnedWithAProofThatVerifies() throws Exception {
        long before = log.size();
        LoggedCredential<X509Certificate> issued = log.issuer.issueX509Svid(AGENT, Csrs.of(Csrs.p256()));
        X509Certificate cert = issued.credential();
        assertEquals(before, issued.index());
        assertTrue(issued.checkpoint().size() > issued.index());
        byte[] entry = log.entryBytes(issued.index());
        assertEquals(Rfc6962.hashLeaf(entry), issued.leafHash());
        issued.proof().verify(issued.leafHash(), issued.checkpoint().checkpoint().root());
        assertTrue(issued.checkpointNote().startsWith(TestLog.ORIGIN + "\n"));

        X509SvidIssued event = LogEntries.parse(entry).getX509SvidIssued();
        assertEquals(AGENT.value(), event.getSpiffeId());
        assertArrayEquals(cert.getEncoded(), event.getCertificateDer().toByteArray());
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()), event.getCertificateSha256().toByteArray());
        assertArrayEquals(cert.getSerialNumber().toByteArray(), event.getSerial().toByteArray());
        assertEquals(cert.getNotBefore().getTime(), event.getValidity().getNotBeforeUnixMillis());
        assertEquals(cert.getNotAfter().getTime(), event.getValidity().getNotAfterUnixMillis());
        assertEquals(log.issuer.authorities().ca().keyId(), event.getIssuerKeyId());
    }

    @Test
    void nothingIsReturnedWhenTheLogFails() throws Exception {
        byte[] csr = Csrs.of(Csrs.p256());
        log.ledger.close();
        IssuanceException e = assertThrows(IssuanceException.class, () -> log.issuer.issueX509Svid(AGENT, csr));
        assertEquals(Reason.NOT_LOGGED, e.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://agents.example", "spiffe://other.example/agent/1"})
    void idMustBeAWorkloadOfThisTrustDomain(String id) throws Exception {
        byte[] csr = Csrs.of(Csrs.p256());
        long before = log.size();
        assertThrows(IllegalArgumentException.class, () -> log.issuer.issueX509Svid(SpiffeId.parse(id), csr));
        assertEquals(before, log.size());
    }

    static X509Certificate reparse(X509Certificate cert) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(cert.getEncoded()));
    }

    static void validate(X509Certificate leaf, X509Certificate anchor) throws Exception {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        CertPath path = factory.generateCertPath(List.of(reparse(leaf)));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(anchor, null)));
        parameters.setRevocationEnabled(false);
        parameters.setDate(Date.from(TestLog.START.plusSeconds(60)));
        CertPathValidator.getInstance("PKIX").validate(path, parameters);
    }

    /** The one x509-svid authority of a bundle, parsed from its {@code x5c}. */
    static X509Certificate bundleAuthority(String json) throws Exception {
        var keys = com.nimbusds.jose.util.JSONObjectUtils.parse(json).get("keys");
        for (Object key : (List<?>) keys) {
            var jwk = (java.util.Map<?, ?>) key;
            if ("x509-svid".equals(jwk.get("use"))) {
                List<?> x5c = (List<?>) jwk.get("x5c");
                assertEquals(1, x5c.size());
                return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode((String) x5c.get(0))));
            }
        }
        throw new AssertionError("no x509-svid key in " + json);
    }
}
