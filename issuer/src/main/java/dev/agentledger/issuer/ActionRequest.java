package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the policy gate decides on: an agent wants to take one action on one resource, acting for
 * a user through a chain of delegations. Immutable; lists and maps are copied.
 *
 * @param principal the agent asking (the current actor, outermost in the RFC 8693 {@code act} chain)
 * @param actors the delegates of the chain from the root delegation's delegate to {@code principal}
 *     (so the last element is {@code principal}); one element when the user delegated directly
 * @param actingUser the user the chain acts for ({@code spiffe://<td>/user/<name>}), if any
 * @param delegationIds the delegation ids from the root delegation to the one presented
 * @param action the one action asked for (e.g. {@code db:write})
 * @param resource the one resource it applies to (e.g. {@code tool:billing-db})
 * @param context further plain attributes the policy may read (task, rows affected, ...); never
 *     credentials or secrets, since they are logged
 * @param approvalId the approval the caller was told to wait for, when it retries with it
 */
public record ActionRequest(SpiffeId principal, List<SpiffeId> actors, Optional<SpiffeId> actingUser,
        List<String> delegationIds, String action, String resource, Map<String, String> context,
        Optional<String> approvalId) {
    /** Copies the collections; requires every part and a non-blank action and resource. */
    public ActionRequest {
        Objects.requireNonNull(principal, "principal");
        actors = List.copyOf(actors);
        Objects.requireNonNull(actingUser, "actingUser");
        delegationIds = List.copyOf(delegationIds);
        context = Map.copyOf(context);
        Objects.requireNonNull(approvalId, "approvalId");
        if (action == null || action.isBlank() || resource == null || resource.isBlank()) {
            throw new IllegalArgumentException("an action request names one action and one resource");
        }
    }
}
