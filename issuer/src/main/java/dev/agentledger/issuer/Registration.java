package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered agent instance, as its {@code WorkloadRegistered} entry records it.
 *
 * @param spiffeId the ID its SVIDs carry
 * @param agentName the agent program
 * @param agentInstance the instance id
 * @param task the task it was spawned for
 * @param actingUser the user it acts for, if any
 * @param environment where it runs
 * @param orchestrator who registered it
 * @param expires until when it may obtain SVIDs
 * @param logIndex the index of its {@code WorkloadRegistered} entry
 */
public record Registration(SpiffeId spiffeId, String agentName, String agentInstance, String task,
        Optional<SpiffeId> actingUser, String environment, SpiffeId orchestrator, Instant expires, long logIndex) {
    /** Requires every part. */
    public Registration {
        Objects.requireNonNull(spiffeId, "spiffeId");
        Objects.requireNonNull(agentName, "agentName");
        Objects.requireNonNull(agentInstance, "agentInstance");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(actingUser, "actingUser");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(orchestrator, "orchestrator");
        Objects.requireNonNull(expires, "expires");
    }
}
