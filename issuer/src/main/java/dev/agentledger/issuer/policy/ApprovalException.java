package dev.agentledger.issuer.policy;

import java.util.Objects;

/**
 * An approver's decision was refused; nothing was logged (except {@link Reason#EXPIRED}, where the
 * expiry itself was logged when it was noticed).
 */
public final class ApprovalException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why; stable names, for mapping to protocol error codes in one place. */
    public enum Reason {
        /** No approval with that id is known (never requested, or long expired). */
        UNKNOWN_APPROVAL,
        /** The approval was already approved, rejected or expired. */
        ALREADY_DECIDED,
        /** The approval expired before the decision. */
        EXPIRED,
        /** The approver is not among the approvers the policy names, or is the requesting agent. */
        NOT_PERMITTED,
        /** The comment is longer than {@link Approvals#MAX_COMMENT_LENGTH} characters. */
        COMMENT_TOO_LONG
    }

    private final Reason reason;
    private final String approvalId;

    /** A refusal for {@code reason} of a decision on {@code approvalId}, explained by {@code message}. */
    public ApprovalException(Reason reason, String approvalId, String message) {
        super(reason + ": approval " + approvalId + ": " + message);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.approvalId = Objects.requireNonNull(approvalId, "approvalId");
    }

    /** Why the decision was refused. */
    public Reason reason() {
        return reason;
    }

    /** The approval concerned. */
    public String approvalId() {
        return approvalId;
    }
}
