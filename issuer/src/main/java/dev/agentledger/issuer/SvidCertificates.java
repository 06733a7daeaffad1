package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.cert.CertificateFactory;
import java.time.ZoneOffset;
import java.time.LocalDateTime;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.bc.BcX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;

/**
 * Builds the certificates of the SPIFFE X509-SVID standard (section 4 and 5): the trust domain's
 * self-signed signing CA and the leaf SVIDs it signs. Pure: time and randomness come in.
 */
final class SvidCertificates {
    /** Random serials have this many bits (the CA/B Forum asks for at least 64). */
    static final int SERIAL_BITS = 128;
    /** ecdsa-with-SHA256, parameters absent (RFC 5758 section 3.2). */
    private static final AlgorithmIdentifier SIGNATURE_ALGORITHM = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
    private static final X500Name EMPTY_NAME = new X500Name(new RDN[0]);
    private static final BasicConstraints LEAF = new BasicConstraints(false);
    private static final KeyUsage DIGITAL_SIGNATURE = new KeyUsage(KeyUsage.digitalSignature);
    private static final ExtendedKeyUsage SERVER_AND_CLIENT = new ExtendedKeyUsage(
            new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
    /** The issuing data of the CA that signed last (a rotation replaces it). */
    private static volatile Issuing lastIssuing;

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
            return SigningKey.ca(pair, sign(builder, P256Signer.of(pair.getPrivate())));
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building the CA certificate failed", e);
        }
    }

    /**
     * An X509-SVID for {@code id} and {@code key}, signed by {@code ca}: empty subject, exactly one
     * URI SAN (critical, since the subject is empty), {@code cA=false} (critical), key usage
     * digitalSignature only (critical), extended key usage serverAuth and clientAuth, SKI and AKI.
     */
    static X509Certificate newSvid(SigningKey ca, SpiffeId id, SubjectPublicKeyInfo key, BigInteger serial,
            Instant notBefore, Instant notAfter) {
        Issuing issuing = issuing(ca);
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    issuing.name(), serial, time(notBefore), time(notAfter), EMPTY_NAME, key);
            builder.addExtension(Extension.basicConstraints, true, LEAF);
            builder.addExtension(Extension.keyUsage, true, DIGITAL_SIGNATURE);
            builder.addExtension(Extension.extendedKeyUsage, false, SERVER_AND_CLIENT);
            // RFC 5280 section 4.2.1.2 method (1); BouncyCastle's own SHA-1, no provider lookup per certificate.
            builder.addExtension(Extension.subjectKeyIdentifier, false, new BcX509ExtensionUtils().createSubjectKeyIdentifier(key));
            builder.addExtension(Extension.authorityKeyIdentifier, false, issuing.authorityKeyIdentifier());
            // RFC 5280 section 4.2.1.6: with an empty subject the SAN extension must be critical.
            builder.addExtension(Extension.subjectAlternativeName, true, uriSan(id));
            return sign(builder, ca.signer());
        } catch (CertIOException | GeneralSecurityException e) {
            throw new IllegalStateException("building an X509-SVID failed", e);
        }
    }

    /** What every SVID of one CA repeats: the issuer name and the authority key identifier, built once per CA. */
    private record Issuing(X509Certificate ca, X500Name name, AuthorityKeyIdentifier authorityKeyIdentifier) {}

    private static Issuing issuing(SigningKey ca) {
        X509Certificate certificate = ca.certificate().orElseThrow(() -> new IllegalArgumentException(ca + " is not a CA"));
        Issuing known = lastIssuing;
        if (known != null && known.ca() == certificate) {
            return known;
        }
        try {
            Issuing made = new Issuing(certificate, X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            lastIssuing = made;
            return made;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the CA certificate's key does not encode", e);
        }
    }

    /**
     * An X.509 time as RFC 5280 section 4.1.2.5 wants it: UTCTime through 2049, GeneralizedTime
     * from 2050, in whole seconds, UTC (the same encoding BouncyCastle's {@code Time(Date)} makes).
     * Built as DER directly: BouncyCastle's {@code DERUTCTime(String)} parses its text back through
     * a new {@code SimpleDateFormat} on every call.
     */
    static Time time(Instant instant) {
        LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), 0, ZoneOffset.UTC);
        int year = utc.getYear();
        if (year < 0 || year > 9999) {
            throw new IllegalArgumentException("no X.509 time for " + instant);
        }
        boolean utcTime = year >= 1950 && year <= 2049;
        // tag, length, then YYMMDDHHMMSSZ (UTCTime) or YYYYMMDDHHMMSSZ (GeneralizedTime), ASCII digits.
        byte[] der = new byte[utcTime ? 15 : 17];
        der[0] = (byte) (utcTime ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        der[1] = (byte) (der.length - 2);
        int at = 2;
        if (!utcTime) {
            at = digits(der, at, year / 100);
        }
        at = digits(der, at, year % 100);
        at = digits(der, at, utc.getMonthValue());
        at = digits(der, at, utc.getDayOfMonth());
        at = digits(der, at, utc.getHour());
        at = digits(der, at, utc.getMinute());
        at = digits(der, at, utc.getSecond());
        der[at] = 'Z';
        try {
            return Time.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (IOException e) {
            throw new IllegalStateException("a time we encoded does not decode", e);
        }
    }

    /** Writes {@code value} (0 to 99) as two ASCII digits at {@code at}; returns the next position. */
    private static int digits(byte[] out, int at, int value) {
        out[at] = (byte) ('0' + value / 10);
        out[at + 1] = (byte) ('0' + value % 10);
        return at + 2;
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

    private static X509Certificate sign(X509v3CertificateBuilder builder, P256Signer signer) throws GeneralSecurityException {
        ByteArrayOutputStream tbs = new ByteArrayOutputStream(512);
        byte[] der;
        try {
            der = builder.build(new ContentSigner() {
                @Override
                public AlgorithmIdentifier getAlgorithmIdentifier() {
                    return SIGNATURE_ALGORITHM;
                }

                @Override
                public OutputStream getOutputStream() {
                    return tbs;
                }

                @Override
                public byte[] getSignature() {
                    return signer.signDer(tbs.toByteArray());
                }
            }).getEncoded();
        } catch (IOException e) {
            throw new GeneralSecurityException("a certificate we built does not encode", e);
        }
        // The JDK's reading of the certificate, as every caller (TLS, PEM, checks) expects it.
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
    }
}
