package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyLogTest extends GateOnLogTest {
    private static final String POLICY = "@id(\"reads\") permit(principal, action == Action::\"db:read\", resource);";
    private static final Duration SLACK = Duration.ofMinutes(5);

    @Test
    void theOpeningReadStopsAfterTheApprovalWindowWhenDecisionsNameTheVersion() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        for (int minute = 1; minute <= 60; minute++) {
            clock.advance(Duration.ofMinutes(1));
            gate.decide(Requests.of("bot", "db:read", "db:x", Map.of()));
        }
        clock.advance(Duration.ofMinutes(1));
        // Entry i (i >= 1) is the decision at START + i minutes; now is START + 61 minutes.
        Instant since = clock.instant().minus(Duration.ofMinutes(20));
        PolicyLog.Recent recent = new PolicyLog(log.ledger, log.config).recent("main", since, SLACK);
        assertEquals(1, recent.latest().orElseThrow().version());
        assertEquals(gate.policy(), recent.latest().orElseThrow());
        assertEquals(40, recent.readFrom(), "the first entry older than the window ends the read");
        assertEquals(20, recent.entries().size());
        assertTrue(recent.entries().stream().allMatch(e -> e.entry().getHeader().getTimeUnixMillis() >= since.toEpochMilli()));
        assertEquals(41, recent.entries().get(0).index());
    }

    @Test
    void withoutDecisionsTheReadGoesBackToThePublication() throws Exception {
        CedarPolicyGate.open(log.ledger, log.config, "other", POLICY, GateLog.OPERATOR);
        clock.advance(Duration.ofDays(1));
        CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR).replace(POLICY + " // 2", GateLog.OPERATOR);
        clock.advance(Duration.ofDays(1));
        CedarPolicyGate.open(log.ledger, log.config, "other", POLICY + " // 2", GateLog.OPERATOR);
        clock.advance(Duration.ofDays(1));
        PolicyLog.Recent recent = new PolicyLog(log.ledger, log.config).recent("main", clock.instant().minus(Duration.ofHours(1)), SLACK);
        assertEquals(2, recent.latest().orElseThrow().version());
        assertEquals(2, recent.readFrom());
        assertTrue(recent.entries().isEmpty());

        PolicyLog.Recent never = new PolicyLog(log.ledger, log.config).recent("new", clock.instant(), SLACK);
        assertTrue(never.latest().isEmpty());
        assertEquals(0, never.readFrom(), "a set never published costs a read of the whole log");
    }
}
