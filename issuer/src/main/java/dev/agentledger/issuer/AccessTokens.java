package dev.agentledger.issuer;

import com.nimbusds.jose.JOSEObjectType;
import dev.agentledger.verifierclient.tokens.TokenType;
import java.util.Map;

/**
 * Signs delegation and capability tokens with the access-token key: ES256, a header of exactly
 * {@code alg}, {@code kid} and the type's {@code typ}, and the claims the verifier-client formats
 * ({@code DelegationClaims}, {@code CapabilityClaims}) produce.
 */
final class AccessTokens {
    private AccessTokens() {}

    /** The compact JWS of {@code claims}, signed by {@code key} (an access-token key). */
    static String sign(SigningKey key, TokenType type, Map<String, Object> claims) {
        if (key.use() != SigningKey.Use.ACCESS_TOKEN) {
            throw new IllegalArgumentException(key + " does not sign access tokens");
        }
        return key.signJws(new JOSEObjectType(type.typ()), claims);
    }
}
