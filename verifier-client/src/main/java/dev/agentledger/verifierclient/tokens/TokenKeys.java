package dev.agentledger.verifierclient.tokens;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import dev.agentledger.verifierclient.internal.Json;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The authority's access-token verification keys (they sign delegation and capability tokens), as
 * the JWK set (RFC 7517 section 5) it publishes: each key {@code kty} {@code EC}, {@code crv}
 * {@code P-256}, {@code use} {@code sig}, {@code alg} {@code ES256} and a {@code kid} (the RFC 7638
 * thumbprint). Separate from the SPIFFE trust bundle: these keys sign no SVID. Immutable.
 */
public final class TokenKeys {
    /** The longest JWK set read, in characters. */
    public static final int MAX_LENGTH = 64 * 1024;

    private final Map<String, ECPublicKey> keys;

    private TokenKeys(Map<String, ECPublicKey> keys) {
        this.keys = keys;
    }

    /** The keys given by {@code kid}, in order. */
    public static TokenKeys of(Map<String, ECPublicKey> keys) {
        return new TokenKeys(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(keys)));
    }

    /**
     * Reads a published JWK set.
     *
     * @throws TokenException (OVERSIZE) if longer than {@link #MAX_LENGTH}, (MALFORMED) if it is not
     *     a JWK set of public P-256 keys with distinct {@code kid}s, or a key says another use or
     *     algorithm, or has a point not on the curve
     */
    public static TokenKeys parse(String jwkSet) throws TokenException {
        if (jwkSet.length() > MAX_LENGTH) {
            throw new TokenException(Reason.OVERSIZE, "JWK set has " + jwkSet.length() + " characters, want at most " + MAX_LENGTH);
        }
        JWKSet set;
        try {
            Json.parse(jwkSet);
            set = JWKSet.parse(jwkSet);
        } catch (IllegalArgumentException | ParseException e) {
            throw new TokenException(Reason.MALFORMED, "not a JWK set: " + e.getMessage(), e);
        }
        Map<String, ECPublicKey> keys = new LinkedHashMap<>();
        for (JWK jwk : set.getKeys()) {
            if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve()) || ec.isPrivate()) {
                throw new TokenException(Reason.MALFORMED, "key " + jwk.getKeyID() + " is not a public EC P-256 key");
            }
            if ((jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
                    || (jwk.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(jwk.getAlgorithm()))) {
                throw new TokenException(Reason.MALFORMED, "key " + jwk.getKeyID() + " is not for ES256 signatures");
            }
            if (jwk.getKeyID() == null || keys.containsKey(jwk.getKeyID())) {
                throw new TokenException(Reason.MALFORMED, "key ids are missing or repeated: " + jwk.getKeyID());
            }
            try {
                keys.put(jwk.getKeyID(), ec.toECPublicKey());
            } catch (JOSEException e) {
                throw new TokenException(Reason.MALFORMED, "key " + jwk.getKeyID() + " is not a valid P-256 point", e);
            }
        }
        return of(keys);
    }

    /** The key with {@code kid}, if published. */
    public Optional<ECPublicKey> key(String kid) {
        return Optional.ofNullable(keys.get(kid));
    }

    /** The key ids, in publication order. */
    public Set<String> keyIds() {
        return keys.keySet();
    }

    /** The JWK set document, as published to verifiers. */
    public String json() {
        List<JWK> jwks = new ArrayList<>();
        keys.forEach((kid, key) -> jwks.add(new ECKey.Builder(Curve.P_256, key)
                .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).keyID(kid).build()));
        return new JWKSet(jwks).toString(true);
    }

    @Override
    public String toString() {
        return "TokenKeys" + keys.keySet();
    }
}
