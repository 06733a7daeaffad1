package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.RDN;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Builds the certificates of the SPIFFE X509-SVID standard (section 4 and 5): the trust domain's
 * self-signed signing CA and the leaf SVIDs it signs. Pure: time and randomness come in.
 */
final class SvidCertificates {
    /** Random serials have this many bits (the CA/B Forum asks for at least 64). */
    static final int SERIAL_BITS = 128;
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private SvidCertificates() {}

    /**
     * A self-signed CA for {@code trustDomain}: {@code cA=true} with path length 0 (it signs leaves
     * only), key usage keyCertSign and cRLSign (critical), URI SAN {@code spiffe://<trustDomain>}.
     */
    static SigningKey newCa(String trustDomain, Instant notBefore, Instant notAfter, SecureRandom random) {
        return newCa(trustDomain, notBefore, notAfter, random, SigningKey.newKeyPair(random));
    }

    /** {@link #newCa(String, Instant, Instant, SecureRandom)} with the given key pair (one a token generated). */
    static SigningKey newCa(String trustDomain, Instant notBefore, Instant notAfter, SecureRandom random, KeyPair pair) {
        X500Name name = new X500Name("O=AgentLedger, CN=AgentLedger CA " + trustDomain);
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial(random), Date.from(notBefore), Date.from(notAfter), name, pair.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.subjectAlternativeName, false, uriSan(SpiffeId.ofTrustDomain(trustDomain)));
            return SigningKey.ca(pair, sign(builder, pair.getPrivate()));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building the CA certificate failed", e);
        }
    }

    /**
     * An X509-SVID for {@code id} and {@code key}, signed by {@code ca}: empty subject, exactly one
     * URI SAN (critical, since the subject is empty), {@code cA=false} (critical), key usage
     * digitalSignature only (critical), extended key usage serverAuth and clientAuth, SKI and AKI.
     */
    static X509Certificate newSvid(SigningKey ca, SpiffeId id, PublicKey key, BigInteger serial,
            Instant notBefore, Instant notAfter) {
        X509Certificate caCertificate = ca.certificate().orElseThrow(() -> new IllegalArgumentException(ca + " is not a CA"));
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    caCertificate, serial, Date.from(notBefore), Date.from(notAfter), new X500Name(new RDN[0]), key);
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
            // RFC 5280 section 4.2.1.6: with an empty subject the SAN extension must be critical.
            builder.addExtension(Extension.subjectAlternativeName, true, uriSan(id));
            return sign(builder, ca.privateKey());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building an X509-SVID failed", e);
        }
    }

    /** A positive random serial of {@link #SERIAL_BITS} bits, never shorter than 65 bits. */
    static BigInteger serial(SecureRandom random) {
        BigInteger serial;
        do {
            serial = new BigInteger(SERIAL_BITS, random);
        } while (serial.bitLength() <= 64);
        return serial;
    }

    private static GeneralNames uriSan(SpiffeId id) {
        return new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, id.value()));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("no " + SIGNATURE_ALGORITHM + " signer", e);
        }
    }
}
