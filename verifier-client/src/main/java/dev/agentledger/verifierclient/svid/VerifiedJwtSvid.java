package dev.agentledger.verifierclient.svid;

import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A JWT-SVID that verified.
 *
 * @param spiffeId the {@code sub} claim
 * @param audience the {@code aud} claim
 * @param expiresAt the {@code exp} claim
 * @param tokenId the {@code jti} claim, if present
 */
public record VerifiedJwtSvid(SpiffeId spiffeId, List<String> audience, Instant expiresAt, Optional<String> tokenId) {
    /** Copies the audience. */
    public VerifiedJwtSvid {
        Objects.requireNonNull(spiffeId, "spiffeId");
        audience = List.copyOf(audience);
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(tokenId, "tokenId");
    }
}
