package dev.agentledger.issuer.policy;

import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.SpiffeId;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link CedarPolicy} says about one request, before anything is logged.
 *
 * @param outcome allow, deny, or allow once a human approves
 * @param reasons the ids of the determining policies (the permits for an allow or needs-approval,
 *     the forbids for a deny; none for a deny because no permit applies) and any evaluation errors
 * @param approvers for {@link Outcome#NEEDS_APPROVAL}, who may approve (from {@code @approvers});
 *     empty when any approver may
 * @param approvalReason for {@link Outcome#NEEDS_APPROVAL}, the text shown to approvers (from
 *     {@code @reason}); empty otherwise
 */
public record Evaluation(Outcome outcome, List<String> reasons, List<SpiffeId> approvers, String approvalReason) {
    /** Copies the lists; requires every part. */
    public Evaluation {
        Objects.requireNonNull(outcome, "outcome");
        reasons = List.copyOf(reasons);
        approvers = List.copyOf(approvers);
        Objects.requireNonNull(approvalReason, "approvalReason");
    }

    /** A deny for {@code reasons} (fail closed). */
    static Evaluation deny(List<String> reasons) {
        return new Evaluation(Outcome.DENY, reasons, List.of(), "");
    }
}
