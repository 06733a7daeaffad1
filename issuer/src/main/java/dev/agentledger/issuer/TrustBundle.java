package dev.agentledger.issuer;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A SPIFFE trust domain bundle (SPIFFE Trust Domain and Bundle standard, section 4): a JWKS whose
 * keys have {@code use} {@code x509-svid} (with the CA certificate in {@code x5c}) or
 * {@code jwt-svid} (with {@code kid}), plus {@code spiffe_sequence} and {@code spiffe_refresh_hint}.
 * Immutable; holds public material only.
 */
public final class TrustBundle {
    private final long sequence;
    private final List<X509Certificate> x509Authorities;
    private final Map<String, ECPublicKey> jwtAuthorities;
    private final String json;

    private TrustBundle(long sequence, List<X509Certificate> x509Authorities, Map<String, ECPublicKey> jwtAuthorities, String json) {
        this.sequence = sequence;
        this.x509Authorities = x509Authorities;
        this.jwtAuthorities = jwtAuthorities;
        this.json = json;
    }

    /** The bundle of {@code keys} (CA keys with their certificates, JWT keys), in the order given. */
    static TrustBundle of(long sequence, Duration refreshHint, List<SigningKey> keys) {
        List<X509Certificate> x509 = new ArrayList<>();
        Map<String, ECPublicKey> jwt = new LinkedHashMap<>();
        List<Object> jwks = new ArrayList<>();
        for (SigningKey key : keys) {
            Map<String, Object> jwk = new ECKey.Builder(Curve.P_256, key.publicKey()).build().toJSONObject();
            if (key.use() == SigningKey.Use.X509_SVID) {
                X509Certificate certificate = key.certificate().orElseThrow();
                x509.add(certificate);
                jwk.put("use", "x509-svid");
                jwk.put("x5c", List.of(Base64.getEncoder().encodeToString(encoded(certificate))));
            } else {
                jwt.put(key.keyId(), key.publicKey());
                jwk.put("use", "jwt-svid");
                jwk.put("kid", key.keyId());
            }
            jwks.add(jwk);
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("keys", jwks);
        bundle.put("spiffe_sequence", sequence);
        bundle.put("spiffe_refresh_hint", refreshHint.toSeconds());
        return new TrustBundle(sequence, List.copyOf(x509), Map.copyOf(jwt), JSONObjectUtils.toJSONString(bundle));
    }

    /** The bundle as JSON, the document served to relying parties. */
    public String json() {
        return json;
    }

    /** {@code spiffe_sequence}: grows by one with every key published or retired. */
    public long sequence() {
        return sequence;
    }

    /** The CA certificates (trust anchors for X509-SVIDs), the active one first. */
    public List<X509Certificate> x509Authorities() {
        return x509Authorities;
    }

    /** The JWT-SVID verification keys by {@code kid}. */
    public Map<String, ECPublicKey> jwtAuthorities() {
        return jwtAuthorities;
    }

    @Override
    public String toString() {
        return json;
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("a CA certificate does not encode", e);
        }
    }
}
