package dev.agentledger.server.bootstrap;

import dev.agentledger.proto.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The bootstrap certificate authority of one trust domain: an ECDSA P-256 CA that issues the
 * private listener's certificate and operator client certificates, each an X.509-SVID (SPIFFE
 * X509-SVID standard: exactly one URI SAN, leaf {@code cA=false}, critical key usage).
 *
 * <p>Security: whoever holds the CA key can mint identities the private listener accepts. It is
 * kept in a mode-0600 file; encryption at rest is a later step.
 */
public final class CertificateAuthority {
    /** How long the bootstrap CA is valid. */
    public static final Duration CA_VALIDITY = Duration.ofDays(5 * 365);
    /** How long the server and operator certificates are valid. */
    public static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final Credentials ca;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();

    /** A CA that signs with {@code ca}'s key; {@code ca.certificate()} is the issuer. */
    public CertificateAuthority(Credentials ca, InstantSource clock) {
        this.ca = ca;
        this.clock = clock;
    }

    /** Creates a new self-signed CA for {@code trustDomain} (URI SAN {@code spiffe://<trustDomain>}). */
    public static CertificateAuthority create(String trustDomain, InstantSource clock) throws GeneralSecurityException {
        KeyPair pair = newKeyPair();
        SpiffeId id = SpiffeId.ofTrustDomain(trustDomain);
        X500Name name = new X500Name("O=AgentLedger, CN=AgentLedger bootstrap CA " + trustDomain);
        Instant now = clock.instant();
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial(new SecureRandom()), Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)),
                    name, pair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.value())));
            X509Certificate certificate = sign(builder, pair.getPrivate());
            return new CertificateAuthority(new Credentials(pair.getPrivate(), List.of(certificate)), clock);
        } catch (CertIOException e) {
            throw new GeneralSecurityException("building the CA certificate failed", e);
        }
    }

    /** A fresh ECDSA P-256 key pair. */
    public static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** The CA's key and self-signed certificate. */
    public Credentials credentials() {
        return ca;
    }

    /** The CA certificate, the one trust anchor of the private listener. */
    public X509Certificate certificate() {
        return ca.certificate();
    }

    /**
     * A server certificate for {@code id}: URI SAN {@code id}, DNS {@code localhost}, IP 127.0.0.1
     * and ::1, extended key usage serverAuth, with a new key.
     */
    public Credentials issueServer(SpiffeId id) throws GeneralSecurityException {
        KeyPair pair = newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.value()));
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        X509Certificate leaf = issue(pair.getPublic(), names, KeyPurposeId.id_kp_serverAuth, "AgentLedger server");
        return new Credentials(pair.getPrivate(), List.of(leaf, certificate()));
    }

    /**
     * A server certificate for {@code id} that also names {@code hosts} (each a DNS name or an IP
     * address literal), with a new key: the public listener's HTTPS certificate off loopback.
     *
     * @throws IllegalArgumentException if a host is neither a DNS name nor an IP address
     */
    public Credentials issueServer(SpiffeId id, List<String> hosts) throws GeneralSecurityException {
        KeyPair pair = newKeyPair();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, id.value()));
        for (String host : new java.util.LinkedHashSet<>(hosts)) {
            boolean ip = host.contains(":") || host.matches("[0-9.]+");
            names.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, host));
        }
        X509Certificate leaf = issue(pair.getPublic(), names, KeyPurposeId.id_kp_serverAuth, "AgentLedger public listener");
        return new Credentials(pair.getPrivate(), List.of(leaf, certificate()));
    }

    /** A client X.509-SVID for {@code id} (extended key usage clientAuth), with a new key. */
    public Credentials issueClient(SpiffeId id) throws GeneralSecurityException {
        KeyPair pair = newKeyPair();
        List<GeneralName> names = List.of(new GeneralName(GeneralName.uniformResourceIdentifier, id.value()));
        X509Certificate leaf = issue(pair.getPublic(), names, KeyPurposeId.id_kp_clientAuth, "AgentLedger client");
        return new Credentials(pair.getPrivate(), List.of(leaf, certificate()));
    }

    private X509Certificate issue(PublicKey key, List<GeneralName> names, KeyPurposeId purpose, String commonName)
            throws GeneralSecurityException {
        Instant now = clock.instant();
        Instant notAfter = now.plus(LEAF_VALIDITY);
        if (notAfter.isAfter(certificate().getNotAfter().toInstant())) {
            notAfter = certificate().getNotAfter().toInstant();
        }
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    certificate(), serial(random), Date.from(now.minus(BACKDATE)), Date.from(notAfter),
                    new X500Name("O=AgentLedger, CN=" + commonName), key);
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(key));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(certificate()));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            return sign(builder, ca.key());
        } catch (CertIOException e) {
            throw new GeneralSecurityException("building a certificate failed", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, java.security.PrivateKey key)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("no ECDSA signer: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new GeneralSecurityException("the signed certificate does not parse", e);
        }
    }

    /** A positive 128-bit random serial (RFC 5280 section 4.1.2.2: at most 20 octets). */
    private static BigInteger serial(SecureRandom random) {
        return new BigInteger(128, random).setBit(127);
    }
}
