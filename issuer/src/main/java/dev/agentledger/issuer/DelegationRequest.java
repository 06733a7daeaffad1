package dev.agentledger.issuer;

import dev.agentledger.proto.SpiffeId;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a delegation grants: the delegate agent, the action and resource patterns (see
 * {@link dev.agentledger.verifierclient.tokens.AccessPattern}), how long and how many further
 * sub-delegations may follow. Validated when granted, not here (the values are untrusted input).
 *
 * @param delegate the agent receiving the delegation
 * @param scopes action patterns, e.g. {@code db:read} or {@code db:*}
 * @param resources resource patterns, e.g. {@code spiffe://td/tool/db} or {@code spiffe://td/tool/*}
 * @param lifetime how long from now the delegation is valid
 * @param maxDepth how many further sub-delegations may follow (0: none)
 */
public record DelegationRequest(SpiffeId delegate, List<String> scopes, List<String> resources, Duration lifetime, int maxDepth) {
    /** Copies the lists; requires every part. */
    public DelegationRequest {
        Objects.requireNonNull(delegate, "delegate");
        scopes = List.copyOf(scopes);
        resources = List.copyOf(resources);
        Objects.requireNonNull(lifetime, "lifetime");
    }
}
