package dev.agentledger.server.auth;

import dev.agentledger.proto.SpiffeId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Which roles an authenticated SPIFFE ID holds. By default the first path segment names the role,
 * in the local trust domain only: {@code /operator}, {@code /orchestrator/...}, {@code /approver/...},
 * {@code /revoker/...}, {@code /user/...}, {@code /agent/...}, {@code /tool/...}. Configuration may
 * grant further roles to exact IDs. An ID of another trust domain holds no role.
 *
 * <p>Security: the caller's ID must come from a verified mTLS client certificate; this class only
 * maps it to roles. Immutable.
 */
public final class Roles {
    private static final Map<String, Role> BY_FIRST_SEGMENT = Map.of(
            "operator", Role.OPERATOR,
            "orchestrator", Role.ORCHESTRATOR,
            "approver", Role.APPROVER,
            "revoker", Role.REVOKER,
            "user", Role.USER,
            "agent", Role.AGENT,
            "tool", Role.TOOL);

    private final String trustDomain;
    private final Map<SpiffeId, Set<Role>> grants;

    private Roles(String trustDomain, Map<SpiffeId, Set<Role>> grants) {
        this.trustDomain = trustDomain;
        this.grants = Map.copyOf(grants);
    }

    /** Roles by path convention in {@code trustDomain}, plus {@code grants} to exact IDs. */
    public static Roles of(String trustDomain, Map<SpiffeId, Set<Role>> grants) {
        SpiffeId.ofTrustDomain(trustDomain);
        grants.values().forEach(Set::copyOf); // rejects null roles early
        return new Roles(trustDomain, grants);
    }

    /** Every role {@code id} holds; empty for an ID of another trust domain. */
    public Set<Role> of(SpiffeId id) {
        EnumSet<Role> roles = EnumSet.noneOf(Role.class);
        if (!id.trustDomain().equals(trustDomain)) {
            return roles;
        }
        String path = id.path();
        String first = path.isEmpty() ? "" : path.substring(1).split("/", 2)[0];
        Role conventional = BY_FIRST_SEGMENT.get(first);
        if (conventional != null) {
            roles.add(conventional);
        }
        roles.addAll(grants.getOrDefault(id, Set.of()));
        return roles;
    }

    /**
     * Checks {@code caller} holds one of {@code allowed} (an operator always passes).
     *
     * @param action what the caller tried, for the message (e.g. "revoke")
     * @throws ForbiddenException naming the caller, the action and the roles that would allow it
     */
    public void require(SpiffeId caller, String action, Role... allowed) throws ForbiddenException {
        Set<Role> held = of(caller);
        if (held.contains(Role.OPERATOR)) {
            return;
        }
        for (Role role : allowed) {
            if (held.contains(role)) {
                return;
            }
        }
        throw new ForbiddenException(caller + " may not " + action + ": it needs role " + describe(allowed)
                + ", and holds " + (held.isEmpty() ? "none" : held.toString().toLowerCase(java.util.Locale.ROOT)));
    }

    private static String describe(Role... roles) {
        StringBuilder text = new StringBuilder();
        for (Role role : roles) {
            text.append(text.isEmpty() ? "" : " or ").append(role.name().toLowerCase(java.util.Locale.ROOT));
        }
        return text.append(text.isEmpty() ? "operator" : " (or operator)").toString();
    }
}
