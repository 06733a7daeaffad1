package dev.agentledger.issuer.policy;

import dev.agentledger.proto.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A human approval the gate asked for, as its log entries record it: what is asked, who may
 * approve, until when, and how it ended so far.
 *
 * @param id the approval id (22 URL-safe base64 characters, 127 random bits; the first is a letter or digit)
 * @param request the request waiting for approval
 * @param policyId the policy set that asked for approval
 * @param policyVersion its version
 * @param approvers who may approve; empty when any approver may
 * @param reason why approval is needed, for the approvers
 * @param requested when the approval was requested
 * @param expires when it expires: unapproved, or approved but unused
 * @param status where it stands
 * @param decidedBy the approver who approved or rejected it
 * @param comment the approver's comment, or empty
 */
public record Approval(String id, Request request, String policyId, long policyVersion, List<SpiffeId> approvers,
        String reason, Instant requested, Instant expires, Status status, Optional<SpiffeId> decidedBy, String comment) {
    /** Where an approval stands. */
    public enum Status {
        /** Waiting for a human. */
        PENDING,
        /** A human approved; the agent may retry once with the approval id. */
        APPROVED,
        /** A human rejected it. */
        REJECTED,
        /** Nobody decided before it expired. */
        EXPIRED,
        /** Approved, and the retry it allowed was logged; it allows nothing more. */
        USED
    }

    /**
     * The request an approval is for, as logged ({@code AuthorizationRequest}).
     *
     * @param principal the agent asking
     * @param actingUser the user it acts for, if any
     * @param delegationIds the delegation chain it presented
     * @param action the action
     * @param resource the resource
     * @param context the request's context
     */
    public record Request(SpiffeId principal, Optional<SpiffeId> actingUser, List<String> delegationIds, String action,
            String resource, Map<String, String> context) {
        /** Copies the collections; requires every part. */
        public Request {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(actingUser, "actingUser");
            delegationIds = List.copyOf(delegationIds);
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(resource, "resource");
            context = Map.copyOf(context);
        }
    }

    /** Copies the approvers; requires every part. */
    public Approval {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(policyId, "policyId");
        approvers = List.copyOf(approvers);
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(decidedBy, "decidedBy");
        Objects.requireNonNull(comment, "comment");
    }
}
