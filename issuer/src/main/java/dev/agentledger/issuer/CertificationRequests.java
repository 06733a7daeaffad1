package dev.agentledger.issuer;

import dev.agentledger.issuer.IssuanceException.Reason;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Checks PKCS#10 certification requests (RFC 2986) from untrusted agents and keeps only their key:
 * the subject, SANs and other wishes of a request never reach a certificate.
 *
 * <p>Security guarantees: a request is accepted only if it is at most {@link #MAX_BYTES} of
 * exact DER, its key is ECDSA P-256 (named curve), it is signed with ecdsa-with-SHA256 by that key
 * (proof of possession), and it asks for no CA power. Every parser failure is an {@link
 * IssuanceException}; no library runtime exception escapes.
 */
final class CertificationRequests {
    /** The largest request accepted, in bytes. */
    static final int MAX_BYTES = 16 * 1024;
    private static final String ALGORITHM = "SHA256withECDSA";

    private CertificationRequests() {}

    /**
     * The public key of a valid request.
     *
     * @throws IssuanceException with reason {@code CSR_TOO_LARGE}, {@code MALFORMED_CSR},
     *     {@code UNSUPPORTED_KEY}, {@code BAD_CSR_SIGNATURE} or {@code CA_REQUESTED}
     */
    static PublicKey publicKey(byte[] der) throws IssuanceException {
        if (der.length > MAX_BYTES) {
            throw new IssuanceException(Reason.CSR_TOO_LARGE, "CSR is " + der.length + " bytes, want at most " + MAX_BYTES);
        }
        PKCS10CertificationRequest request = parse(der);
        SubjectPublicKeyInfo keyInfo = request.getSubjectPublicKeyInfo();
        requireP256(keyInfo);
        PublicKey key;
        try {
            // The JDK's reading is the check of the point (on the curve, uncompressed): TLS peers read it so.
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IssuanceException(Reason.UNSUPPORTED_KEY, "CSR key is not a valid P-256 key: " + e.getMessage(), e);
        }
        requireSignature(request, keyInfo);
        requireNoCaPowers(request);
        return key;
    }

    /**
     * The key of a valid request, as the JDK reads it and as a certificate carries it (the
     * encoding of that key: named curve, uncompressed point).
     *
     * @throws IssuanceException as {@link #publicKey(byte[])}
     */
    static SubjectPublicKeyInfo publicKeyInfo(byte[] der) throws IssuanceException {
        return SubjectPublicKeyInfo.getInstance(publicKey(der).getEncoded());
    }

    private static PKCS10CertificationRequest parse(byte[] der) throws IssuanceException {
        if (der.length == 0) {
            throw new IssuanceException(Reason.MALFORMED_CSR, "CSR is empty");
        }
        try {
            PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
            // Exact DER only: BER forms or trailing bytes would let two encodings mean one request.
            if (!Arrays.equals(request.getEncoded(), der)) {
                throw new IssuanceException(Reason.MALFORMED_CSR, "CSR is not in DER form (re-encoding differs)");
            }
            return request;
        } catch (IOException | RuntimeException e) {
            throw new IssuanceException(Reason.MALFORMED_CSR, "CSR is not a DER PKCS#10 request: " + e.getMessage(), e);
        }
    }

    private static void requireP256(SubjectPublicKeyInfo keyInfo) throws IssuanceException {
        AlgorithmIdentifier algorithm = keyInfo.getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
            throw new IssuanceException(Reason.UNSUPPORTED_KEY,
                    "CSR key algorithm is " + algorithm.getAlgorithm() + ", want id-ecPublicKey (P-256)");
        }
        ASN1Encodable curve = algorithm.getParameters();
        if (!SECObjectIdentifiers.secp256r1.equals(curve)) {
            // Never the value's own toString: an attacker's bytes (a UTF8String that is not UTF-8) may throw.
            String named = curve instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier oid ? oid.getId()
                    : curve == null ? "absent" : "a " + curve.getClass().getSimpleName();
            throw new IssuanceException(Reason.UNSUPPORTED_KEY, "CSR key curve is " + named + ", want P-256 (secp256r1)");
        }
    }

    private static void requireSignature(PKCS10CertificationRequest request, SubjectPublicKeyInfo keyInfo)
            throws IssuanceException {
        var algorithm = request.getSignatureAlgorithm().getAlgorithm();
        if (!X9ObjectIdentifiers.ecdsa_with_SHA256.equals(algorithm)) {
            throw new IssuanceException(Reason.UNSUPPORTED_KEY, "CSR is signed with " + algorithm + ", want ecdsa-with-SHA256");
        }
        boolean valid;
        try {
            // One verification of the signed CertificationRequestInfo (RFC 2986 section 4.2) through the
            // fastest provider (BENCHMARKS.md, issuer). Not through BouncyCastle's
            // isSignatureValid(JcaContentVerifierProvider): for ECDSA it verifies every signature twice.
            Signature verifier = Signature.getInstance(ALGORITHM, CryptoProvider.fastest());
            verifier.initVerify(KeyFactory.getInstance("EC", CryptoProvider.fastest())
                    .generatePublic(new X509EncodedKeySpec(keyInfo.getEncoded(ASN1Encoding.DER))));
            verifier.update(request.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
            valid = verifier.verify(request.getSignature());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IssuanceException(Reason.BAD_CSR_SIGNATURE, "CSR signature cannot be checked: " + e.getMessage(), e);
        }
        if (!valid) {
            throw new IssuanceException(Reason.BAD_CSR_SIGNATURE, "CSR signature does not verify with its own key");
        }
    }

    private static void requireNoCaPowers(PKCS10CertificationRequest request) throws IssuanceException {
        for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (ASN1Encodable value : attribute.getAttributeValues()) {
                Extensions extensions;
                try {
                    extensions = Extensions.getInstance(value);
                } catch (RuntimeException e) {
                    throw new IssuanceException(Reason.MALFORMED_CSR, "CSR extension request is malformed: " + e.getMessage(), e);
                }
                requireNoCaPowers(extensions);
            }
        }
    }

    private static void requireNoCaPowers(Extensions extensions) throws IssuanceException {
        try {
            BasicConstraints constraints = BasicConstraints.fromExtensions(extensions);
            if (constraints != null && constraints.isCA()) {
                throw new IssuanceException(Reason.CA_REQUESTED, "CSR asks for basicConstraints cA=true");
            }
            KeyUsage usage = KeyUsage.fromExtensions(extensions);
            if (usage != null && (usage.hasUsages(KeyUsage.keyCertSign) || usage.hasUsages(KeyUsage.cRLSign))) {
                throw new IssuanceException(Reason.CA_REQUESTED, "CSR asks for key usage keyCertSign or cRLSign");
            }
        } catch (IllegalArgumentException e) {
            throw new IssuanceException(Reason.MALFORMED_CSR, "CSR requests a malformed extension: " + e.getMessage(), e);
        }
    }
}
