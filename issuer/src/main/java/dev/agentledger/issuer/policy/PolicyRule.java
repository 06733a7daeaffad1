package dev.agentledger.issuer.policy;

import dev.agentledger.proto.SpiffeId;
import java.util.List;

/**
 * One policy of a loaded set as the gate reads it: its id and what its annotations ask.
 *
 * @param id the {@code @id} annotation, or Cedar's positional id ({@code policy0}, ...) without one
 * @param approvalRequired the policy is a permit annotated {@code @approval("required")}
 * @param approvers the SPIFFE IDs of {@code @approvers}; empty means any approver
 * @param reason the {@code @reason} text shown to approvers, or empty
 */
record PolicyRule(String id, boolean approvalRequired, List<SpiffeId> approvers, String reason) {
    PolicyRule {
        approvers = List.copyOf(approvers);
    }
}
