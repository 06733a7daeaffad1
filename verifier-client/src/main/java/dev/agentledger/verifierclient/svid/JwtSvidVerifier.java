package dev.agentledger.verifierclient.svid;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.agentledger.merkle.VerificationException;
import dev.agentledger.proto.SpiffeId;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Verifies JWT-SVIDs (SPIFFE JWT-SVID standard, sections 3 and 4) against a trust bundle. The
 * header may hold only {@code alg}, {@code kid} and {@code typ} ({@code JWT} or {@code JOSE});
 * {@code alg} must be one the standard allows (ES256/384/512, RS256/384/512, PS256/384/512) and
 * match the type of the bundle key named by {@code kid}, so {@code none}, HMAC (a public key used
 * as a secret) and EdDSA are refused before any signature is checked. {@code sub} must be a
 * SPIFFE ID of the bundle's trust domain, {@code aud} must contain the expected audience, and
 * {@code exp} must be present and in the future.
 */
public final class JwtSvidVerifier {
    /** The largest token accepted, in characters. */
    public static final int MAX_TOKEN_LENGTH = 8192;
    private static final Set<String> HEADER_NAMES = Set.of("alg", "kid", "typ");
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512);

    private JwtSvidVerifier() {}

    /**
     * The verified token.
     *
     * @throws VerificationException naming the rule the token breaks
     */
    public static VerifiedJwtSvid verify(String token, String audience, SpiffeBundle bundle, Instant now)
            throws VerificationException {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            throw new VerificationException("token is missing or longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new VerificationException("token has " + parts.length + " parts, want 3 (a compact JWS)");
        }
        Map<String, Object> header = json(parts[0], "header");
        if (!HEADER_NAMES.containsAll(header.keySet())) {
            throw new VerificationException("header has " + header.keySet() + ", want only " + HEADER_NAMES);
        }
        Object typ = header.get("typ");
        if (typ != null && !"JWT".equals(typ) && !"JOSE".equals(typ)) {
            throw new VerificationException("typ is " + typ + ", want JWT or JOSE");
        }
        PublicKey key = bundle.jwtAuthorities().get(header.get("kid") instanceof String kid ? kid : "");
        if (key == null) {
            throw new VerificationException("kid " + header.get("kid") + " is not a jwt-svid key of the bundle of " + bundle.trustDomain());
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(String.valueOf(header.get("alg")));
        requireSignature(token, verifier(alg, key));
        return claims(json(parts[1], "payload"), audience, bundle.trustDomain(), now);
    }

    private static JWSVerifier verifier(JWSAlgorithm alg, PublicKey key) throws VerificationException {
        try {
            if (EC.contains(alg) && key instanceof ECPublicKey ec) {
                return new ECDSAVerifier(ec);
            }
            if (RSA.contains(alg) && key instanceof RSAPublicKey rsa) {
                return new RSASSAVerifier(rsa);
            }
        } catch (JOSEException e) {
            throw new VerificationException("bundle key cannot verify " + alg + ": " + e.getMessage(), e);
        }
        throw new VerificationException("alg " + alg + " is not allowed for a JWT-SVID with a " + key.getAlgorithm() + " key");
    }

    private static VerifiedJwtSvid claims(Map<String, Object> claims, String audience, String trustDomain, Instant now)
            throws VerificationException {
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
        List<String> audiences = aud instanceof String one ? List.of(one)
                : aud instanceof List<?> many && many.stream().allMatch(String.class::isInstance)
                        ? many.stream().map(String.class::cast).toList() : List.of();
        if (!audiences.contains(audience)) {
            throw new VerificationException("aud is " + aud + ", want it to contain " + audience);
        }
        if (!(claims.get("exp") instanceof Number exp)) {
            throw new VerificationException("exp is missing or not a number");
        }
        Instant expires = Instant.ofEpochSecond(exp.longValue());
        if (!now.isBefore(expires)) {
            throw new VerificationException("token expired at " + expires + ", now is " + now);
        }
        Optional<String> jti = claims.get("jti") instanceof String id ? Optional.of(id) : Optional.empty();
        return new VerifiedJwtSvid(subject, audiences, expires, jti);
    }

    private static void requireSignature(String token, JWSVerifier verifier) throws VerificationException {
        try {
            if (!JWSObject.parse(token).verify(verifier)) {
                throw new VerificationException("signature does not verify with the bundle key");
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
