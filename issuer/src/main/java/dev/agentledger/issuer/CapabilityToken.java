package dev.agentledger.issuer;

import dev.agentledger.verifierclient.tokens.CapabilityClaims;
import java.util.Objects;

/**
 * A capability token as issued: the compact JWS (an RFC 9068 JWT access token) and its claims.
 * The token is a credential for one use by the agent it is bound to; never log it.
 *
 * @param token the compact JWS
 * @param claims its claims
 */
public record CapabilityToken(String token, CapabilityClaims claims) {
    /** Requires both parts. */
    public CapabilityToken {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(claims, "claims");
    }

    /** Does not print the token. */
    @Override
    public String toString() {
        return "CapabilityToken[jti=" + claims.id() + ", sub=" + claims.subject() + ", scope=" + claims.action()
                + ", resource=" + claims.resource() + ", exp=" + claims.expiresAt() + "]";
    }
}
