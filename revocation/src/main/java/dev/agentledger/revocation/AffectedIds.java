package dev.agentledger.revocation;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The ids a revocation covers, expanded from the log: the target itself and, as the target's kind
 * and the cascade flag say, the credentials derived from it. Serials are lower-case hex.
 *
 * @param spiffeIds SPIFFE IDs every credential of which is refused
 * @param serials X.509-SVID serials
 * @param tokenIds JWT-SVID and capability token ids
 * @param delegationIds delegation ids
 * @param agentInstances agent instances
 * @param truncated true if the expansion held more ids than one event carries
 */
public record AffectedIds(Set<String> spiffeIds, Set<String> serials, Set<String> tokenIds, Set<String> delegationIds,
        Set<String> agentInstances, boolean truncated) {
    /** Copies the sets, keeping their order. */
    public AffectedIds {
        spiffeIds = copy(spiffeIds);
        serials = copy(serials);
        tokenIds = copy(tokenIds);
        delegationIds = copy(delegationIds);
        agentInstances = copy(agentInstances);
    }

    /** No ids. */
    public static final AffectedIds NONE = new AffectedIds(Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), false);

    /** How many ids there are in all. */
    public int count() {
        return spiffeIds.size() + serials.size() + tokenIds.size() + delegationIds.size() + agentInstances.size();
    }

    private static Set<String> copy(Set<String> ids) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(ids));
    }
}
