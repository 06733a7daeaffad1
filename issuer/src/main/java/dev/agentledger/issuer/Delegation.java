package dev.agentledger.issuer;

import dev.agentledger.verifierclient.tokens.DelegationChain;
import dev.agentledger.verifierclient.tokens.DelegationClaims;
import java.util.Objects;

/**
 * A delegation as granted: the serialized chain the delegate now holds (its RFC 8693 subject token,
 * of type {@link DelegationChain#TOKEN_TYPE}) and the claims of its last hop. The chain is a bearer
 * credential: hand it only to the delegate, never log it.
 *
 * @param chain the delegation tokens from the root to this hop, joined by {@code ~}
 * @param claims the claims of this hop
 */
public record Delegation(String chain, DelegationClaims claims) {
    /** Requires both parts. */
    public Delegation {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(claims, "claims");
    }

    /** Does not print the chain (a bearer credential). */
    @Override
    public String toString() {
        return "Delegation[id=" + claims.id() + ", user=" + claims.user() + ", delegate=" + claims.delegate()
                + ", depth=" + claims.depth() + ", exp=" + claims.expiresAt() + "]";
    }
}
