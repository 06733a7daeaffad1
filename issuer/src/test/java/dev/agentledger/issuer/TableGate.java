package dev.agentledger.issuer;

import com.google.protobuf.ByteString;
import dev.agentledger.ledger.Appended;
import dev.agentledger.proto.v1.AuthorizationRequest;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real, small policy gate for tests: decides by a table from action to outcome (unlisted actions
 * are denied), lets a needs-approval action through when the request names an approval in
 * {@code approved}, and logs every decision as a {@code PolicyDecision} entry before answering.
 */
final class TableGate implements PolicyGate {
    static final String POLICY_ID = "table";
    private final Issuer issuer;
    private final Map<String, Verdict.Outcome> table;
    private final Set<String> approved;
    private final AtomicInteger approvals = new AtomicInteger();

    TableGate(Issuer issuer, Map<String, Verdict.Outcome> table, Set<String> approved) {
        this.issuer = issuer;
        this.table = Map.copyOf(table);
        this.approved = Set.copyOf(approved);
    }

    @Override
    public Verdict decide(ActionRequest request) throws IssuanceException {
        Verdict.Outcome outcome = table.getOrDefault(request.action(), Verdict.Outcome.DENY);
        Optional<String> approvalId = Optional.empty();
        if (outcome == Verdict.Outcome.NEEDS_APPROVAL) {
            if (request.approvalId().isPresent() && approved.contains(request.approvalId().get())) {
                outcome = Verdict.Outcome.ALLOW;
                approvalId = request.approvalId();
            } else {
                approvalId = Optional.of("approval-" + approvals.incrementAndGet());
            }
        }
        List<String> reasons = List.of(POLICY_ID + ":" + request.action());
        AuthorizationRequest.Builder logged = AuthorizationRequest.newBuilder()
                .setPrincipalSpiffeId(request.principal().value())
                .setAction(request.action())
                .setResource(request.resource())
                .addAllDelegationIds(request.delegationIds())
                .putAllContext(request.context());
        request.actingUser().ifPresent(u -> logged.setActingUser(Registrations.user(issuer.config(), u)));
        PolicyDecision.Builder decision = PolicyDecision.newBuilder()
                .setPolicyId(POLICY_ID)
                .setPolicyVersion(1)
                .setPolicySha256(ByteString.copyFrom(Digests.sha256(table.toString().getBytes(StandardCharsets.UTF_8))))
                .setRequest(logged)
                .setDecision(switch (outcome) {
                    case ALLOW -> Decision.DECISION_ALLOW;
                    case DENY -> Decision.DECISION_DENY;
                    case NEEDS_APPROVAL -> Decision.DECISION_NEEDS_APPROVAL;
                })
                .addAllReasons(reasons);
        approvalId.ifPresent(decision::setApprovalId);
        Appended appended = issuer.append(LogEntry.newBuilder().setHeader(issuer.header(Issuer.now(issuer.config())))
                .setPolicyDecision(decision).build());
        return new Verdict(outcome, reasons, approvalId, appended.index());
    }
}
