package dev.agentledger.issuer;

import com.nimbusds.jose.JOSEObjectType;
import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs JWT-SVIDs per the SPIFFE JWT-SVID standard: ES256 (the standard forbids EdDSA), a header
 * of exactly {@code alg}, {@code kid} and {@code typ: JWT}, and claims {@code sub}, {@code aud}
 * (always a JSON array), {@code exp}, {@code iat} and {@code jti}.
 */
final class JwtSvids {
    private JwtSvids() {}

    static JwtSvid sign(SigningKey key, SpiffeId id, List<String> audience, Instant issuedAt, Instant expiresAt, String tokenId) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", id.value());
        claims.put("aud", List.copyOf(audience));
        claims.put("exp", expiresAt.getEpochSecond());
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("jti", tokenId);
        return new JwtSvid(key.signJws(JOSEObjectType.JWT, claims), id, audience, tokenId, issuedAt, expiresAt, key.keyId());
    }
}
