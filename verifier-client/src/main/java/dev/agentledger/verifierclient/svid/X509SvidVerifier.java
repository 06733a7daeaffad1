package dev.agentledger.verifierclient.svid;

import dev.agentledger.merkle.Hash;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies an X509-SVID chain against a trust bundle (SPIFFE X509-SVID standard, sections 4 and
 * 5): the chain must validate (PKIX, at the given time) to one of the bundle's X.509 authorities,
 * and the leaf must carry exactly one URI SAN that is a SPIFFE ID of the bundle's trust domain
 * with a non-empty path, {@code cA=false}, and a key usage with digitalSignature and neither
 * keyCertSign nor cRLSign. Revocation is not checked here: it comes from the revocation feed.
 */
public final class X509SvidVerifier {
    /** The longest chain accepted (leaf and intermediates). */
    public static final int MAX_CHAIN = 8;
    private static final int URI_SAN = 6;
    private static final int DIGITAL_SIGNATURE = 0;
    private static final int KEY_CERT_SIGN = 5;
    private static final int CRL_SIGN = 6;

    private X509SvidVerifier() {}

    /**
     * The verified SVID at the head of {@code chain}.
     *
     * @param chain the leaf first, then intermediates (not the trust anchor)
     * @throws VerificationException naming the rule the chain breaks
     */
    public static VerifiedX509Svid verify(List<X509Certificate> chain, SpiffeBundle bundle, Instant now)
            throws VerificationException {
        if (chain.isEmpty() || chain.size() > MAX_CHAIN) {
            throw new VerificationException("chain has " + chain.size() + " certificates, want 1 to " + MAX_CHAIN);
        }
        X509Certificate leaf = chain.get(0);
        SpiffeId id = spiffeId(leaf);
        if (!id.trustDomain().equals(bundle.trustDomain())) {
            throw new VerificationException("SVID " + id + " is not in trust domain " + bundle.trustDomain());
        }
        if (id.path().isEmpty()) {
            throw new VerificationException("SVID " + id + " has no path; a leaf SVID names a workload");
        }
        if (leaf.getBasicConstraints() != -1) {
            throw new VerificationException("leaf certificate has cA=true; an X509-SVID leaf must not be a CA");
        }
        boolean[] usage = leaf.getKeyUsage();
        if (usage == null || !usage[DIGITAL_SIGNATURE] || usage[KEY_CERT_SIGN] || usage[CRL_SIGN]) {
            throw new VerificationException("leaf key usage must include digitalSignature and exclude keyCertSign and cRLSign");
        }
        validate(chain, bundle, now);
        return new VerifiedX509Svid(id, leaf, thumbprint(leaf));
    }

    private static SpiffeId spiffeId(X509Certificate leaf) throws VerificationException {
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new VerificationException("leaf SAN extension is malformed", e);
        }
        List<String> uris = names == null ? List.of() : names.stream()
                .filter(n -> n.size() == 2 && Integer.valueOf(URI_SAN).equals(n.get(0)))
                .map(n -> String.valueOf(n.get(1))).toList();
        if (uris.size() != 1) {
            throw new VerificationException("leaf has " + uris.size() + " URI SANs, want exactly one SPIFFE ID");
        }
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("leaf URI SAN is not a SPIFFE ID: " + e.getMessage(), e);
        }
    }

    private static void validate(List<X509Certificate> chain, SpiffeBundle bundle, Instant now) throws VerificationException {
        if (bundle.x509Authorities().isEmpty()) {
            throw new VerificationException("the bundle of " + bundle.trustDomain() + " has no X.509 authority");
        }
        Set<TrustAnchor> anchors = new HashSet<>();
        bundle.x509Authorities().forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX")
                    .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), parameters);
        } catch (GeneralSecurityException e) {
            throw new VerificationException("chain does not validate to the bundle of " + bundle.trustDomain()
                    + " at " + now + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 of the certificate's DER: the RFC 8705 {@code x5t#S256} value. */
    public static Hash thumbprint(X509Certificate certificate) throws VerificationException {
        try {
            return Hash.of(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new VerificationException("certificate does not encode", e);
        }
    }
}
