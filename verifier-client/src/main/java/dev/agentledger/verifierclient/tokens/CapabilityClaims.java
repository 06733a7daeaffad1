package dev.agentledger.verifierclient.tokens;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The claims of a capability token: an RFC 9068 JWT access token ({@code typ}
 * {@code at+jwt}) for exactly one action on one resource, bound to the agent's
 * certificate (RFC 8705 section 3.1). JSON form:
 *
 * <pre>
 * {"iss": authority, "sub": agent, "aud": resource, "client_id": agent, "iat": s, "exp": s,
 *  "jti": token id, "scope": "db:write", "resource": resource, "acting_user": "spiffe://td/user/alice",
 *  "act": {"sub": agent, "act": {...}},                 (RFC 8693 section 4.1, outermost = sub)
 *  "cnf": {"x5t#S256": base64url SHA-256 of the agent's certificate DER},
 *  "delegation_ids": [root id, ..., leaf id],
 *  "authorization_details": [{"type": ...}]}           (optional, RFC 9396)
 * </pre>
 *
 * @param issuer {@code iss}: the authority
 * @param subject {@code sub}: the agent, the current actor
 * @param audience {@code aud}: the one resource (tool) that may accept the token
 * @param clientId {@code client_id}: the agent's SPIFFE ID (the OAuth client)
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}: at most {@link #MAX_LIFETIME} after {@code iat}
 * @param id {@code jti}: the token id, the key of single use
 * @param action {@code scope}: exactly one action (a value, not a pattern)
 * @param resource {@code resource}: the resource the action applies to
 * @param actingUser {@code acting_user}: the user the delegation chain acts for
 * @param actors the delegates from the root delegation's to {@code subject} ({@code act}, outermost last)
 * @param certificateSha256 {@code cnf.x5t#S256}: base64url (unpadded) SHA-256 of the bound certificate's DER
 * @param delegationIds {@code delegation_ids}: the chain's delegation ids, root first, one per actor
 * @param authorizationDetails {@code authorization_details}, if the request had them
 */
public record CapabilityClaims(String issuer, SpiffeId subject, String audience, String clientId, Instant issuedAt,
        Instant expiresAt, String id, String action, String resource, SpiffeId actingUser, List<SpiffeId> actors,
        String certificateSha256, List<String> delegationIds, Optional<AuthorizationDetails> authorizationDetails) {
    /** The longest a capability token may be valid, from {@code iat} to {@code exp} (RFC 9068 tokens here are single-use and short). */
    public static final Duration MAX_LIFETIME = Duration.ofSeconds(60);
    private static final Pattern THUMBPRINT = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Set<String> REQUIRED = Set.of("iss", "sub", "aud", "client_id", "iat", "exp", "jti", "scope",
            "resource", "acting_user", "act", "cnf", "delegation_ids");
    private static final Set<String> OPTIONAL = Set.of("authorization_details");

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if the action or resource is not a value, the subject is not
     *     the outermost actor or the client id, the delegation ids do not match the actors one to
     *     one, the thumbprint is not 43 base64url characters, or the times are not whole seconds
     *     with {@code 0 < exp - iat <= MAX_LIFETIME}
     */
    public CapabilityClaims {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(actingUser, "actingUser");
        Objects.requireNonNull(authorizationDetails, "authorizationDetails");
        actors = List.copyOf(actors);
        delegationIds = List.copyOf(delegationIds);
        if (!AccessPattern.isValue(action) || !AccessPattern.isValue(resource)) {
            throw new IllegalArgumentException("a capability token names one action and one resource, got "
                    + CompactJws.printable(action) + " on " + CompactJws.printable(resource));
        }
        if (actors.isEmpty() || !actors.get(actors.size() - 1).equals(subject) || !subject.value().equals(clientId)) {
            throw new IllegalArgumentException("sub " + subject + " must be client_id " + clientId + " and the outermost actor of " + actors);
        }
        if (delegationIds.size() != actors.size() || delegationIds.stream().anyMatch(d -> d == null || d.isEmpty())) {
            throw new IllegalArgumentException("want one delegation id per actor, got " + delegationIds + " for " + actors);
        }
        if (certificateSha256 == null || !THUMBPRINT.matcher(certificateSha256).matches()) {
            throw new IllegalArgumentException("cnf x5t#S256 is not an unpadded base64url SHA-256");
        }
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("a capability token has a jti");
        }
        if (!issuedAt.truncatedTo(ChronoUnit.SECONDS).equals(issuedAt) || !expiresAt.truncatedTo(ChronoUnit.SECONDS).equals(expiresAt)) {
            throw new IllegalArgumentException("JWT times are whole seconds, got " + issuedAt + ", " + expiresAt);
        }
        if (!issuedAt.isBefore(expiresAt) || Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalArgumentException("lifetime " + issuedAt + " .. " + expiresAt + " is not in (0, " + MAX_LIFETIME + "]");
        }
    }

    /** The RFC 8705 section 3.1 {@code x5t#S256} of a certificate: base64url (unpadded) SHA-256 of its DER. */
    public static String certificateThumbprint(byte[] certificateDer) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificateDer);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The JWT claims set, in the order of the class description, for signing. */
    public Map<String, Object> toClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject.value());
        claims.put("aud", audience);
        claims.put("client_id", clientId);
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        claims.put("jti", id);
        claims.put("scope", action);
        claims.put("resource", resource);
        claims.put("acting_user", actingUser.value());
        claims.put("act", Claims.act(actors));
        claims.put("cnf", Map.of("x5t#S256", certificateSha256));
        claims.put("delegation_ids", delegationIds);
        authorizationDetails.ifPresent(d -> claims.put("authorization_details", d.toJson()));
        return claims;
    }

    /**
     * The claims of a verified capability token.
     *
     * @throws TokenException (MALFORMED) for a missing, unknown or mistyped claim or values the
     *     record refuses, (LIFETIME) for a lifetime longer than {@link #MAX_LIFETIME}
     */
    static CapabilityClaims fromClaims(Map<String, Object> json) throws TokenException {
        Claims claims = Claims.of(json, REQUIRED, OPTIONAL);
        Instant issuedAt = claims.time("iat");
        Instant expiresAt = claims.time("exp");
        if (Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
            throw new TokenException(Reason.LIFETIME, "lifetime " + Duration.between(issuedAt, expiresAt) + " is longer than " + MAX_LIFETIME);
        }
        if (!(claims.raw("cnf") instanceof Map<?, ?> cnf) || cnf.size() != 1 || !(cnf.get("x5t#S256") instanceof String thumbprint)) {
            throw new TokenException(Reason.MALFORMED, "cnf is not {\"x5t#S256\": thumbprint} (RFC 8705 section 3.1)");
        }
        Optional<AuthorizationDetails> details = claims.has("authorization_details")
                ? Optional.of(AuthorizationDetails.fromJson(claims.raw("authorization_details"))) : Optional.empty();
        try {
            return new CapabilityClaims(claims.string("iss"), claims.spiffeId("sub"), claims.string("aud"), claims.string("client_id"),
                    issuedAt, expiresAt, claims.string("jti"), claims.string("scope"), claims.string("resource"),
                    claims.spiffeId("acting_user"), claims.actors("act"), thumbprint, claims.strings("delegation_ids"), details);
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, e.getMessage(), e);
        }
    }
}
