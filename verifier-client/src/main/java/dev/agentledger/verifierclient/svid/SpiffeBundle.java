package dev.agentledger.verifierclient.svid;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One trust domain's SPIFFE bundle: the X.509 authorities that sign X509-SVIDs and the keys that
 * sign JWT-SVIDs, with the bundle's sequence number and refresh hint. Immutable.
 */
public final class SpiffeBundle {
    /** The largest bundle document accepted, in bytes. */
    public static final int MAX_BYTES = 1 << 20;

    private final String trustDomain;
    private final long sequence;
    private final Optional<Duration> refreshHint;
    private final List<X509Certificate> x509Authorities;
    private final Map<String, PublicKey> jwtAuthorities;

    private SpiffeBundle(String trustDomain, long sequence, Optional<Duration> refreshHint,
            List<X509Certificate> x509Authorities, Map<String, PublicKey> jwtAuthorities) {
        this.trustDomain = trustDomain;
        this.sequence = sequence;
        this.refreshHint = refreshHint;
        this.x509Authorities = List.copyOf(x509Authorities);
        this.jwtAuthorities = Map.copyOf(jwtAuthorities);
    }

    /**
     * Parses the bundle document of {@code trustDomain}.
     *
     * @throws VerificationException if it is larger than {@link #MAX_BYTES}, not a JWK set, has a
     *     key with an unknown {@code use}, an {@code x509-svid} key without exactly one certificate
     *     (or whose certificate is not for the key), a {@code jwt-svid} key without a unique
     *     {@code kid}, or a private key member
     */
    public static SpiffeBundle parse(String json, String trustDomain) throws VerificationException {
        SpiffeId.ofTrustDomain(trustDomain);
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new VerificationException("bundle is larger than " + MAX_BYTES + " bytes");
        }
        try {
            Map<String, Object> document = JSONObjectUtils.parse(json);
            JWKSet set = JWKSet.parse(document);
            List<X509Certificate> x509 = new ArrayList<>();
            Map<String, PublicKey> jwt = new HashMap<>();
            for (JWK key : set.getKeys()) {
                if (key.isPrivate()) {
                    throw new VerificationException("bundle key " + key.getKeyID() + " has private members");
                }
                String use = key.getKeyUse() == null ? null : key.getKeyUse().identifier();
                if ("x509-svid".equals(use)) {
                    x509.add(authority(key));
                } else if ("jwt-svid".equals(use)) {
                    if (key.getKeyID() == null || jwt.put(key.getKeyID(), publicKey(key)) != null) {
                        throw new VerificationException("a jwt-svid key has no kid, or a kid used twice");
                    }
                } else {
                    throw new VerificationException("bundle key has use " + use + ", want x509-svid or jwt-svid");
                }
            }
            long sequence = document.get("spiffe_sequence") instanceof Number n ? n.longValue() : 0;
            Optional<Duration> hint = document.get("spiffe_refresh_hint") instanceof Number n && n.longValue() > 0
                    ? Optional.of(Duration.ofSeconds(n.longValue())) : Optional.empty();
            return new SpiffeBundle(trustDomain, sequence, hint, x509, jwt);
        } catch (ParseException | RuntimeException e) {
            throw new VerificationException("not a SPIFFE bundle (JWK set): " + e.getMessage(), e);
        }
    }

    private static X509Certificate authority(JWK key) throws VerificationException {
        List<X509Certificate> chain = key.getParsedX509CertChain();
        if (chain == null || chain.size() != 1) {
            throw new VerificationException("an x509-svid key carries " + (chain == null ? 0 : chain.size())
                    + " certificates in x5c, want exactly one");
        }
        if (!chain.get(0).getPublicKey().equals(publicKey(key))) {
            throw new VerificationException("an x509-svid key's certificate is for another key");
        }
        return chain.get(0);
    }

    private static PublicKey publicKey(JWK key) throws VerificationException {
        try {
            return switch (key) {
                case com.nimbusds.jose.jwk.ECKey ec -> ec.toPublicKey();
                case com.nimbusds.jose.jwk.RSAKey rsa -> rsa.toPublicKey();
                default -> throw new VerificationException("bundle key type " + key.getKeyType() + " is not EC or RSA");
            };
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new VerificationException("bundle key " + key.getKeyID() + " is malformed: " + e.getMessage(), e);
        }
    }

    /** The trust domain the bundle is for. */
    public String trustDomain() {
        return trustDomain;
    }

    /** {@code spiffe_sequence}, 0 if absent. */
    public long sequence() {
        return sequence;
    }

    /** {@code spiffe_refresh_hint}, if given. */
    public Optional<Duration> refreshHint() {
        return refreshHint;
    }

    /** The CA certificates trusted for X509-SVIDs. */
    public List<X509Certificate> x509Authorities() {
        return x509Authorities;
    }

    /** The JWT-SVID keys by {@code kid}. */
    public Map<String, PublicKey> jwtAuthorities() {
        return jwtAuthorities;
    }
}
