package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A JWT-SVID (SPIFFE JWT-SVID standard) as issued: the compact JWS and the values it carries.
 * The token is a bearer credential: hand it only to the workload it names, never log it.
 *
 * @param token the compact JWS ({@code header.payload.signature})
 * @param spiffeId the {@code sub} claim
 * @param audience the {@code aud} claim, never empty
 * @param tokenId the {@code jti} claim
 * @param issuedAt the {@code iat} claim
 * @param expiresAt the {@code exp} claim
 * @param keyId the {@code kid} of the signing key, as in the trust bundle
 */
public record JwtSvid(String token, SpiffeId spiffeId, List<String> audience, String tokenId,
        Instant issuedAt, Instant expiresAt, String keyId) {
    /** Requires every part and copies the audience. */
    public JwtSvid {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(spiffeId, "spiffeId");
        audience = List.copyOf(audience);
        if (audience.isEmpty()) {
            throw new IllegalArgumentException("a JWT-SVID has at least one audience");
        }
        Objects.requireNonNull(tokenId, "tokenId");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(keyId, "keyId");
    }

    /** SHA-256 of the token's ASCII bytes: what the log records instead of the token. */
    public byte[] tokenSha256() {
        return Digests.sha256(token.getBytes(StandardCharsets.US_ASCII));
    }

    /** Does not print the token (a bearer credential). */
    @Override
    public String toString() {
        return "JwtSvid[sub=" + spiffeId + ", aud=" + audience + ", jti=" + tokenId + ", exp=" + expiresAt + ", kid=" + keyId + "]";
    }
}
