package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.SpiffeId;
import dev.agentledger.proto.v1.PolicyDecision;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The anomaly flags as the gate uses them: in {@code context.anomalies} for the example policy
 * {@code anomaly-aware.cedar}, in the logged {@code PolicyDecision}, and rebuilt on reopening.
 */
class AnomalyGateTest extends GateOnLogTest {
    private static final SpiffeId BOB = SpiffeId.of(GateLog.TRUST_DOMAIN, "approver/bob");

    private static String policy() throws Exception {
        try (InputStream in = AnomalyGateTest.class.getResourceAsStream("/policies/anomaly-aware.cedar")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aFirstUseWaitsForAHumanThenBecomesUsualAndIsLogged() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "anomalies", policy(), GateLog.OPERATOR);
        ActionRequest read = Requests.of("research", "docs:read", "tool:wiki", Map.of());

        Verdict first = gate.decide(read);
        assertEquals(Outcome.NEEDS_APPROVAL, first.outcome());
        assertEquals(Set.of(AnomalySignals.FIRST_USE), first.anomalies());
        PolicyDecision logged = log.entry(first.decisionIndex()).getPolicyDecision();
        assertEquals(List.of("first_use"), logged.getAnomaliesList());

        String approval = first.approvalId().orElseThrow();
        gate.approvals().approve(approval, BOB, "fine");
        Verdict approved = gate.decide(Requests.retry(read, approval));
        assertEquals(Outcome.ALLOW, approved.outcome());
        assertEquals(List.of("first_use"), log.entry(approved.decisionIndex()).getPolicyDecision().getAnomaliesList());

        Verdict usual = gate.decide(read);
        assertEquals(Outcome.ALLOW, usual.outcome());
        assertEquals(List.of("usual-behaviour"), usual.reasons());
        assertEquals(List.of(), log.entry(usual.decisionIndex()).getPolicyDecision().getAnomaliesList());

        restart();
        CedarPolicyGate reopened = CedarPolicyGate.open(log.ledger, log.config, "anomalies", policy(), GateLog.OPERATOR);
        assertEquals(Outcome.ALLOW, reopened.decide(read).outcome(), "the history is rebuilt from the logged decisions");
        assertEquals(Outcome.NEEDS_APPROVAL, reopened.decide(Requests.of("research", "docs:write", "tool:wiki", Map.of())).outcome());
    }

    @Test
    void aRequestMayNotSetTheAnomaliesItself() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "anomalies", policy(), GateLog.OPERATOR);
        Verdict verdict = gate.decide(Requests.of("research", "docs:read", "tool:wiki", Map.of("anomalies", "none")));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertEquals(true, verdict.reasons().get(0).contains("reserved"), verdict.reasons().toString());
    }
}
