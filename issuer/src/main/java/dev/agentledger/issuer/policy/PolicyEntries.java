package dev.agentledger.issuer.policy;

import com.google.protobuf.ByteString;
import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.LogEntries;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.ApprovalDecided;
import dev.agentledger.proto.v1.ApprovalOutcome;
import dev.agentledger.proto.v1.ApprovalRequested;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.Header;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import dev.agentledger.proto.v1.PolicyLanguage;
import dev.agentledger.proto.v1.PolicyPublished;
import dev.agentledger.proto.v1.User;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The log entries of the policy gate (agentledger.v1 {@code PolicyPublished}, {@code
 * PolicyDecision}, {@code ApprovalRequested}, {@code ApprovalDecided}). A user, agent or approver
 * is a {@code User} with issuer {@code spiffe://<trust domain>} and subject its SPIFFE ID.
 */
final class PolicyEntries {
    private PolicyEntries() {}

    static Header header(SpiffeId authority, Instant time) {
        return Header.newBuilder()
                .setTimeUnixMillis(time.toEpochMilli())
                .setCallerSpiffeId(authority.value())
                .setSchemaVersion(LogEntries.SCHEMA_VERSION)
                .build();
    }

    static User user(SpiffeId id) {
        return User.newBuilder().setIssuer(SpiffeId.ofTrustDomain(id.trustDomain()).value()).setSubject(id.value()).build();
    }

    /**
     * The request as logged: what the policy saw, except the gate's clock (the header's time) and
     * the chain's actors (the delegates of the logged delegation ids' {@code DelegationGranted} entries).
     */
    static AuthorizationRequest request(ActionRequest request) {
        AuthorizationRequest.Builder logged = AuthorizationRequest.newBuilder()
                .setPrincipalSpiffeId(request.principal().value())
                .setAction(request.action())
                .setResource(request.resource())
                .addAllDelegationIds(request.delegationIds())
                .putAllContext(request.context());
        request.actingUser().ifPresent(user -> logged.setActingUser(user(user)));
        return logged.build();
    }

    static LogEntry policyPublished(Header header, CedarPolicy policy, long version, SpiffeId publishedBy) {
        return LogEntry.newBuilder().setHeader(header).setPolicyPublished(PolicyPublished.newBuilder()
                .setPolicyId(policy.id())
                .setVersion(version)
                .setPolicySha256(ByteString.copyFrom(policy.sha256().toByteArray()))
                .setPolicyText(policy.text())
                .setLanguage(PolicyLanguage.POLICY_LANGUAGE_CEDAR)
                .setPreviousVersion(version - 1)
                .setPublishedBy(publishedBy.value()))
                .build();
    }

    static LogEntry policyDecision(Header header, PolicyVersion policy, AuthorizationRequest request, Outcome outcome,
            List<String> reasons, Optional<String> approvalId, Set<String> anomalies) {
        return LogEntry.newBuilder().setHeader(header).setPolicyDecision(PolicyDecision.newBuilder()
                .setPolicyId(policy.policyId())
                .setPolicyVersion(policy.version())
                .setPolicySha256(ByteString.copyFrom(policy.sha256().toByteArray()))
                .setRequest(request)
                .setDecision(decision(outcome))
                .addAllReasons(reasons)
                .setApprovalId(approvalId.orElse(""))
                .addAllAnomalies(anomalies))
                .build();
    }

    static LogEntry approvalRequested(Header header, String approvalId, AuthorizationRequest request, PolicyVersion policy,
            List<SpiffeId> approvers, Instant expires, String reason) {
        return LogEntry.newBuilder().setHeader(header).setApprovalRequested(ApprovalRequested.newBuilder()
                .setApprovalId(approvalId)
                .setRequest(request)
                .setPolicyId(policy.policyId())
                .setPolicyVersion(policy.version())
                .addAllApprovers(approvers.stream().map(SpiffeId::value).toList())
                .setExpiresUnixMillis(expires.toEpochMilli())
                .setReason(reason))
                .build();
    }

    static LogEntry approvalDecided(Header header, String approvalId, ApprovalOutcome outcome, Optional<SpiffeId> approver,
            String comment) {
        ApprovalDecided.Builder event = ApprovalDecided.newBuilder()
                .setApprovalId(approvalId)
                .setOutcome(outcome)
                .setComment(comment);
        approver.ifPresent(id -> event.setApprover(user(id)));
        return LogEntry.newBuilder().setHeader(header).setApprovalDecided(event).build();
    }

    static Decision decision(Outcome outcome) {
        return switch (outcome) {
            case ALLOW -> Decision.DECISION_ALLOW;
            case DENY -> Decision.DECISION_DENY;
            case NEEDS_APPROVAL -> Decision.DECISION_NEEDS_APPROVAL;
        };
    }
}
