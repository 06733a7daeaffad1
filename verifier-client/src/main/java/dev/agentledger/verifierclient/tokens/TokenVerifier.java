package dev.agentledger.verifierclient.tokens;

import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies delegation chains and capability tokens offline, with the authority's published
 * {@link TokenKeys} and a clock: what a tool runs before it acts.
 *
 * <p>Security guarantees: each token is read by {@link CompactJws} (size, header of exactly
 * {@code alg} ES256, {@code kid}, {@code typ}; no key from the token) and must carry the expected
 * {@code typ}, a {@code kid} of the key set and a valid signature before any claim is believed.
 * Times allow {@link #CLOCK_SKEW} either way. A chain is checked hop by hop
 * ({@link DelegationClaims#requireWithin}); a capability token must name exactly the expected
 * audience, action and resource and be bound to the presented certificate. Single use and
 * revocation need state and are not checked here.
 *
 * <p>Thread-safe and immutable.
 */
public final class TokenVerifier {
    /** The clock difference tolerated on {@code iat}, {@code nbf} and {@code exp}. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

    private final TokenKeys keys;
    private final String issuer;
    private final InstantSource clock;
    private final Provider provider;
    /** The keys made ready once for BouncyCastle's lightweight ECDSA, when {@code provider} is BouncyCastle. */
    private final Map<String, Es256Key> prepared;

    /**
     * A verifier for tokens signed by {@code issuer} (the authority's {@code iss}, e.g.
     * {@code spiffe://td/agentledger/issuer}) with one of {@code keys}.
     */
    public TokenVerifier(TokenKeys keys, String issuer, InstantSource clock) {
        this(keys, issuer, clock, null);
    }

    /**
     * As {@link #TokenVerifier(TokenKeys, String, InstantSource)}, checking ES256 signatures with
     * {@code provider} (one that offers {@code SHA256withECDSAinP1363Format}); null for the JCA's
     * choice. With BouncyCastle ({@code "BC"}), its lightweight ECDSA on each P-256 key's point,
     * decoded once, so the point's precomputed multiples serve every token signed with it
     * (several times faster than the JDK's provider, and than BouncyCastle's through the JCA).
     */
    public TokenVerifier(TokenKeys keys, String issuer, InstantSource clock, Provider provider) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.provider = provider;
        Map<String, Es256Key> ready = new HashMap<>();
        if (provider != null && provider.getName().equals("BC")) {
            for (String kid : keys.keyIds()) {
                try {
                    ready.put(kid, Es256Key.of(keys.key(kid).orElseThrow()));
                } catch (TokenException notP256) {
                    // left to the JCA, which refuses it or checks it as before
                }
            }
        }
        this.prepared = Map.copyOf(ready);
    }

    /**
     * Verifies a serialized delegation chain ({@link DelegationChain#split}): every hop's
     * signature, type, issuer, audience (the issuer) and validity now, the first hop a root
     * delegation, and each further hop within its parent.
     *
     * @throws TokenException with the reason of the first failed check
     */
    public DelegationChain verifyDelegationChain(String chain) throws TokenException {
        List<DelegationClaims> hops = new ArrayList<>();
        Instant now = clock.instant();
        for (String token : DelegationChain.split(chain)) {
            DelegationClaims hop = DelegationClaims.fromClaims(verified(token, TokenType.DELEGATION));
            requireIssuer(hop.issuer());
            if (!hop.audience().equals(issuer)) {
                throw new TokenException(Reason.AUDIENCE, "delegation aud is " + hop.audience() + ", want " + issuer);
            }
            requireWindow(hop.issuedAt(), hop.notBefore(), hop.expiresAt(), now);
            if (Duration.between(hop.issuedAt(), hop.expiresAt()).compareTo(DelegationClaims.MAX_LIFETIME) > 0) {
                throw new TokenException(Reason.LIFETIME, "delegation " + hop.id() + " lives longer than " + DelegationClaims.MAX_LIFETIME);
            }
            if (hops.isEmpty()) {
                if (hop.depth() != 1) {
                    throw new TokenException(Reason.CHAIN, "the first hop is not a root delegation: it has " + hop.depth() + " actors");
                }
            } else {
                hop.requireWithin(hops.get(hops.size() - 1));
            }
            hops.add(hop);
        }
        return new DelegationChain(hops);
    }

    /**
     * Verifies a capability token for one use: signature, type, issuer, validity now, and that it
     * is for exactly {@code audience}, {@code action} and {@code resource} and bound to
     * {@code presented} (the client certificate of the mutual-TLS connection that carried it).
     *
     * @throws TokenException with the reason of the first failed check
     */
    public CapabilityClaims verifyCapability(String token, String audience, String action, String resource,
            X509Certificate presented) throws TokenException {
        CapabilityClaims claims = CapabilityClaims.fromClaims(verified(token, TokenType.CAPABILITY));
        requireIssuer(claims.issuer());
        requireWindow(claims.issuedAt(), claims.issuedAt(), claims.expiresAt(), clock.instant());
        if (!claims.audience().equals(audience)) {
            throw new TokenException(Reason.AUDIENCE, "aud is " + claims.audience() + ", want " + audience);
        }
        if (!claims.action().equals(action)) {
            throw new TokenException(Reason.ACTION, "the token allows " + claims.action() + ", not " + action);
        }
        if (!claims.resource().equals(resource)) {
            throw new TokenException(Reason.RESOURCE, "the token is for " + claims.resource() + ", not " + resource);
        }
        String thumbprint;
        try {
            thumbprint = CapabilityClaims.certificateThumbprint(presented.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new TokenException(Reason.CONFIRMATION, "the presented certificate does not encode", e);
        }
        if (!MessageDigest.isEqual(thumbprint.getBytes(StandardCharsets.US_ASCII),
                claims.certificateSha256().getBytes(StandardCharsets.US_ASCII))) {
            throw new TokenException(Reason.CONFIRMATION, "the token is bound to another certificate (cnf x5t#S256)");
        }
        return claims;
    }

    private Map<String, Object> verified(String token, TokenType type) throws TokenException {
        CompactJws jws = CompactJws.parse(token);
        if (!type.accepts(jws.typ())) {
            throw new TokenException(Reason.TYPE, "typ is " + CompactJws.printable(jws.typ()) + ", want " + type.typ());
        }
        ECPublicKey key = keys.key(jws.kid()).orElseThrow(
                () -> new TokenException(Reason.UNKNOWN_KEY, "kid " + CompactJws.printable(jws.kid()) + " is not an access-token key"));
        Es256Key ready = prepared.get(jws.kid());
        return ready != null ? jws.verify(ready) : jws.verify(key, provider);
    }

    private void requireIssuer(String iss) throws TokenException {
        if (!iss.equals(issuer)) {
            throw new TokenException(Reason.ISSUER, "iss is " + iss + ", want " + issuer);
        }
    }

    private static void requireWindow(Instant issuedAt, Instant notBefore, Instant expiresAt, Instant now) throws TokenException {
        Instant late = now.plus(CLOCK_SKEW);
        if (issuedAt.isAfter(late) || notBefore.isAfter(late)) {
            throw new TokenException(Reason.NOT_YET_VALID, "valid from " + notBefore + " (issued " + issuedAt + "), now is " + now);
        }
        if (!now.minus(CLOCK_SKEW).isBefore(expiresAt)) {
            throw new TokenException(Reason.EXPIRED, "expired at " + expiresAt + ", now is " + now);
        }
    }
}
