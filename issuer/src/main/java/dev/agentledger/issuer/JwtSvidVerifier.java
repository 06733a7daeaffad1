package dev.agentledger.issuer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies JWT-SVIDs against a trust bundle (SPIFFE JWT-SVID standard, section 4): the header
 * must be exactly {@code alg: ES256} with a {@code kid} of a bundle key and an optional {@code typ}
 * of {@code JWT} or {@code JOSE}; the algorithm is never taken from the token, so {@code none},
 * HMAC and every other algorithm are refused before any key is touched.
 */
final class JwtSvidVerifier {
    private static final Set<String> HEADER_NAMES = Set.of("alg", "kid", "typ");

    private final TrustBundle bundle;
    private final String trustDomain;
    private final InstantSource clock;

    JwtSvidVerifier(TrustBundle bundle, String trustDomain, InstantSource clock) {
        this.bundle = bundle;
        this.trustDomain = trustDomain;
        this.clock = clock;
    }

    /**
     * The SPIFFE ID of a valid token for {@code audience}.
     *
     * @throws VerificationException if the token is malformed, has another header, algorithm or
     *     key, a bad signature, another trust domain or audience, or is expired
     */
    SpiffeId verify(String token, String audience) throws VerificationException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new VerificationException("token has " + parts.length + " parts, want 3 (a compact JWS)");
        }
        Map<String, Object> header = json(parts[0], "header");
        if (!HEADER_NAMES.containsAll(header.keySet())) {
            throw new VerificationException("header has " + header.keySet() + ", want only " + HEADER_NAMES);
        }
        if (!"ES256".equals(header.get("alg"))) {
            throw new VerificationException("alg is " + header.get("alg") + ", want ES256");
        }
        Object typ = header.get("typ");
        if (typ != null && !"JWT".equals(typ) && !"JOSE".equals(typ)) {
            throw new VerificationException("typ is " + typ + ", want JWT or JOSE");
        }
        ECPublicKey key = bundle.jwtAuthorities().get(header.get("kid") instanceof String kid ? kid : "");
        if (key == null) {
            throw new VerificationException("kid " + header.get("kid") + " is not a jwt-svid key of the bundle");
        }
        requireSignature(token, key);
        return claims(json(parts[1], "payload"), audience);
    }

    private SpiffeId claims(Map<String, Object> claims, String audience) throws VerificationException {
        SpiffeId subject;
        try {
            subject = SpiffeId.parse(claims.get("sub") instanceof String sub ? sub : null);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("sub is not a SPIFFE ID: " + e.getMessage(), e);
        }
        if (!subject.trustDomain().equals(trustDomain)) {
            throw new VerificationException("sub is in trust domain " + subject.trustDomain() + ", want " + trustDomain);
        }
        Object aud = claims.get("aud");
        boolean audienceMatches = aud instanceof String one ? one.equals(audience) : aud instanceof List<?> many && many.contains(audience);
        if (!audienceMatches) {
            throw new VerificationException("aud is " + aud + ", want it to contain " + audience);
        }
        if (!(claims.get("exp") instanceof Number exp)) {
            throw new VerificationException("exp is missing or not a number");
        }
        Instant now = clock.instant();
        if (!now.isBefore(Instant.ofEpochSecond(exp.longValue()))) {
            throw new VerificationException("token expired at " + Instant.ofEpochSecond(exp.longValue()) + ", now is " + now);
        }
        return subject;
    }

    private static void requireSignature(String token, ECPublicKey key) throws VerificationException {
        try {
            if (!JWSObject.parse(token).verify(new ECDSAVerifier(key))) {
                throw new VerificationException("ES256 signature does not verify with the bundle key");
            }
        } catch (ParseException | JOSEException | RuntimeException e) {
            throw new VerificationException("token cannot be verified: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> json(String part, String what) throws VerificationException {
        try {
            return JSONObjectUtils.parse(new Base64URL(part).decodeToString());
        } catch (ParseException | RuntimeException e) {
            throw new VerificationException(what + " is not base64url JSON: " + e.getMessage(), e);
        }
    }
}
