package dev.agentledger.issuer;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A logged decision of the {@link PolicyGate}.
 *
 * @param outcome allow, deny or wait for a human
 * @param reasons why: the ids of the determining policies and any evaluation errors
 * @param approvalId for {@link Outcome#NEEDS_APPROVAL}, the approval to wait for (and to name when
 *     retrying); for {@link Outcome#ALLOW} after an approval, the approval that allowed it
 * @param decisionIndex the log index of the {@code PolicyDecision} entry
 * @param anomalies what was new for the principal ({@code first_use}, {@code rate_spike},
 *     {@code off_hours}), as the policy saw it in {@code context.anomalies} and the decision logged it
 */
public record Verdict(Outcome outcome, List<String> reasons, Optional<String> approvalId, long decisionIndex, Set<String> anomalies) {
    /** The three outcomes of the gate. */
    public enum Outcome {
        /** The action may proceed. */
        ALLOW,
        /** The action is refused. */
        DENY,
        /** A human must approve first; see {@link Verdict#approvalId()}. */
        NEEDS_APPROVAL
    }

    /** A verdict without anomaly flags. */
    public Verdict(Outcome outcome, List<String> reasons, Optional<String> approvalId, long decisionIndex) {
        this(outcome, reasons, approvalId, decisionIndex, Set.of());
    }

    /** Copies the reasons and flags; a needs-approval verdict names its approval. */
    public Verdict {
        Objects.requireNonNull(outcome, "outcome");
        reasons = List.copyOf(reasons);
        anomalies = Set.copyOf(anomalies);
        Objects.requireNonNull(approvalId, "approvalId");
        if (outcome == Outcome.NEEDS_APPROVAL && approvalId.isEmpty()) {
            throw new IllegalArgumentException("a needs-approval verdict names the approval to wait for");
        }
        if (decisionIndex < 0) {
            throw new IllegalArgumentException("decision index " + decisionIndex + " is negative");
        }
    }
}
