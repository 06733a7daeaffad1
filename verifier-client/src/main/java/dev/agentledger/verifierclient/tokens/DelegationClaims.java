package dev.agentledger.verifierclient.tokens;

import dev.agentledger.proto.SpiffeId;
import dev.agentledger.verifierclient.tokens.TokenException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The claims of one delegation token (one hop of a {@link DelegationChain}): the authority lets
 * {@code actors}' last element act for {@code user} with the actions and resources of the
 * {@link AccessPattern patterns} given, until {@code expiresAt}. JSON form (a JWS with
 * {@code typ} {@code delegation+jwt}):
 *
 * <pre>
 * {"iss": authority, "sub": "spiffe://td/user/alice", "aud": authority,
 *  "act": {"sub": current delegate, "act": {"sub": earlier delegate}},   (RFC 8693 section 4.1)
 *  "scope": "db:read db:write", "resources": ["spiffe://td/tool/db"], "max_depth": 1,
 *  "jti": delegation id, "parent_jti": parent's id (sub-delegations only), "iat": s, "nbf": s, "exp": s}
 * </pre>
 *
 * @param issuer {@code iss}: the authority that signed it
 * @param audience {@code aud}: who accepts the token, the authority itself (its token endpoint)
 * @param user {@code sub}: the user the chain acts for, {@code spiffe://<td>/user/<name>}
 * @param actors the delegates from the root delegation's to this hop's ({@code act}, outermost last)
 * @param scopes {@code scope}: action patterns, distinct
 * @param resources {@code resources}: resource patterns, distinct
 * @param maxDepth {@code max_depth}: how many further sub-delegations may follow this hop
 * @param id {@code jti}: the delegation id
 * @param parentId {@code parent_jti}: the parent delegation's id; empty exactly for a root delegation
 * @param issuedAt {@code iat}
 * @param notBefore {@code nbf}
 * @param expiresAt {@code exp}
 */
public record DelegationClaims(String issuer, String audience, SpiffeId user, List<SpiffeId> actors, List<String> scopes,
        List<String> resources, int maxDepth, String id, Optional<String> parentId, Instant issuedAt, Instant notBefore,
        Instant expiresAt) {
    /** The longest a delegation may be valid, from {@code iat} to {@code exp}. */
    public static final Duration MAX_LIFETIME = Duration.ofHours(24);
    /** The most patterns in {@code scope} or in {@code resources}. */
    public static final int MAX_PATTERNS = 32;
    private static final Set<String> REQUIRED = Set.of("iss", "sub", "aud", "act", "scope", "resources", "max_depth",
            "jti", "iat", "nbf", "exp");
    private static final Set<String> OPTIONAL = Set.of("parent_jti");

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException if a pattern is invalid or repeated, a list empty or too long,
     *     the user not a {@code /user/} ID or an actor one, the chain longer than
     *     {@link DelegationChain#MAX_HOPS} allows, {@code parentId} not present exactly when there is
     *     more than one actor, or the times not whole seconds with {@code iat <= nbf < exp}
     */
    public DelegationClaims {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(audience, "audience");
        if (!isUser(user)) {
            throw new IllegalArgumentException("the delegating user " + user + " is not a spiffe://<td>/user/<name> ID");
        }
        actors = List.copyOf(actors);
        if (actors.isEmpty() || actors.stream().anyMatch(DelegationClaims::isUser)) {
            throw new IllegalArgumentException("a delegation has 1 or more actors and none is a user: " + actors);
        }
        scopes = patterns(scopes, "scope");
        resources = patterns(resources, "resources");
        if (maxDepth < 0 || actors.size() + maxDepth > DelegationChain.MAX_HOPS) {
            throw new IllegalArgumentException("max_depth " + maxDepth + " at hop " + actors.size() + " would allow more than "
                    + DelegationChain.MAX_HOPS + " hops");
        }
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a delegation has an id");
        }
        Objects.requireNonNull(parentId, "parentId");
        if (parentId.isPresent() != (actors.size() > 1)) {
            throw new IllegalArgumentException("a delegation has a parent id exactly when it is not a root delegation (hop "
                    + actors.size() + ", parent " + parentId + ")");
        }
        for (Instant t : List.of(issuedAt, notBefore, expiresAt)) {
            if (!t.truncatedTo(ChronoUnit.SECONDS).equals(t)) {
                throw new IllegalArgumentException("JWT times are whole seconds, got " + t);
            }
        }
        if (notBefore.isBefore(issuedAt) || !notBefore.isBefore(expiresAt)) {
            throw new IllegalArgumentException("want iat <= nbf < exp, got " + issuedAt + ", " + notBefore + ", " + expiresAt);
        }
    }

    /** The agent this hop delegates to: the outermost actor. */
    public SpiffeId delegate() {
        return actors.get(actors.size() - 1);
    }

    /** Position in the chain: 1 for a root delegation. */
    public int depth() {
        return actors.size();
    }

    /**
     * Checks this hop against its parent: same authority, audience and user, linked by id, the
     * {@code act} chain extended by exactly one new outermost actor, every pattern covered by the
     * parent's, validity inside the parent's, and remaining depth below the parent's.
     *
     * @throws TokenException (CHAIN, WIDENED_SCOPE, WIDENED_RESOURCES, WIDENED_TIME, DEPTH) for the first violation
     */
    public void requireWithin(DelegationClaims parent) throws TokenException {
        if (!issuer.equals(parent.issuer) || !audience.equals(parent.audience) || !user.equals(parent.user)) {
            throw new TokenException(Reason.CHAIN, "hop " + depth() + " is for " + user + " from " + issuer
                    + ", its parent for " + parent.user + " from " + parent.issuer);
        }
        if (!parentId.equals(Optional.of(parent.id))) {
            throw new TokenException(Reason.CHAIN, "hop " + depth() + " names parent " + parentId.orElse("none")
                    + ", want " + parent.id);
        }
        if (actors.size() != parent.actors.size() + 1 || !actors.subList(0, parent.actors.size()).equals(parent.actors)) {
            throw new TokenException(Reason.CHAIN, "act chain " + actors + " does not extend the parent's " + parent.actors
                    + " by one outermost actor");
        }
        if (parent.actors.contains(delegate())) {
            throw new TokenException(Reason.CHAIN, delegate() + " already acts earlier in the chain " + parent.actors);
        }
        Optional<String> scope = AccessPattern.firstUncovered(parent.scopes, scopes);
        if (scope.isPresent()) {
            throw new TokenException(Reason.WIDENED_SCOPE, "action pattern " + scope.get() + " is not covered by the parent's " + parent.scopes);
        }
        Optional<String> resource = AccessPattern.firstUncovered(parent.resources, resources);
        if (resource.isPresent()) {
            throw new TokenException(Reason.WIDENED_RESOURCES, "resource pattern " + resource.get()
                    + " is not covered by the parent's " + parent.resources);
        }
        if (notBefore.isBefore(parent.notBefore) || expiresAt.isAfter(parent.expiresAt) || issuedAt.isBefore(parent.issuedAt)) {
            throw new TokenException(Reason.WIDENED_TIME, "validity " + notBefore + " .. " + expiresAt + " is not inside the parent's "
                    + parent.notBefore + " .. " + parent.expiresAt);
        }
        if (maxDepth >= parent.maxDepth) {
            throw new TokenException(Reason.DEPTH, "max_depth " + maxDepth + " is not below the parent's " + parent.maxDepth
                    + (parent.maxDepth == 0 ? " (the parent allows no sub-delegation)" : ""));
        }
    }

    /**
     * Checks that this hop grants {@code action} on {@code resource}.
     *
     * @throws TokenException (ACTION or RESOURCE) if a value is malformed or no pattern covers it
     */
    public void requireAllows(String action, String resource) throws TokenException {
        if (!AccessPattern.isValue(action) || scopes.stream().noneMatch(p -> AccessPattern.covers(p, action))) {
            throw new TokenException(Reason.ACTION, "action " + action + " is not covered by " + scopes);
        }
        if (!AccessPattern.isValue(resource) || resources.stream().noneMatch(p -> AccessPattern.covers(p, resource))) {
            throw new TokenException(Reason.RESOURCE, "resource " + resource + " is not covered by " + resources);
        }
    }

    /** The JWT claims set, in the order of the class description, for signing. */
    public Map<String, Object> toClaims() {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", user.value());
        claims.put("aud", audience);
        claims.put("act", Claims.act(actors));
        claims.put("scope", String.join(" ", scopes));
        claims.put("resources", resources);
        claims.put("max_depth", (long) maxDepth);
        claims.put("jti", id);
        parentId.ifPresent(p -> claims.put("parent_jti", p));
        claims.put("iat", issuedAt.getEpochSecond());
        claims.put("nbf", notBefore.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        return claims;
    }

    /**
     * The claims of a verified delegation token.
     *
     * @throws TokenException (MALFORMED) for a missing, unknown or mistyped claim or values the
     *     record refuses, (DEPTH) for an {@code act} nested too deep
     */
    static DelegationClaims fromClaims(Map<String, Object> json) throws TokenException {
        Claims claims = Claims.of(json, REQUIRED, OPTIONAL);
        long maxDepth = claims.number("max_depth");
        List<SpiffeId> actors = claims.actors("act");
        if (maxDepth < 0 || actors.size() + maxDepth > DelegationChain.MAX_HOPS) {
            throw new TokenException(Reason.DEPTH, "max_depth " + maxDepth + " at hop " + actors.size()
                    + " would allow more than " + DelegationChain.MAX_HOPS + " hops");
        }
        try {
            return new DelegationClaims(claims.string("iss"), claims.string("aud"), claims.spiffeId("sub"), actors,
                    claims.scope("scope"), claims.strings("resources"), (int) maxDepth, claims.string("jti"),
                    claims.optionalString("parent_jti"), claims.time("iat"), claims.time("nbf"), claims.time("exp"));
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, e.getMessage(), e);
        }
    }

    private static boolean isUser(SpiffeId id) {
        return id != null && id.path().startsWith("/user/");
    }

    private static List<String> patterns(List<String> patterns, String what) {
        List<String> copy = List.copyOf(patterns);
        if (copy.isEmpty() || copy.size() > MAX_PATTERNS) {
            throw new IllegalArgumentException(what + " has " + copy.size() + " patterns, want 1 to " + MAX_PATTERNS);
        }
        for (String pattern : copy) {
            if (!AccessPattern.isPattern(pattern)) {
                throw new IllegalArgumentException(what + " has an invalid pattern: " + CompactJws.printable(pattern));
            }
        }
        if (new HashSet<>(copy).size() != copy.size()) {
            throw new IllegalArgumentException(what + " repeats a pattern: " + copy);
        }
        return copy;
    }
}
