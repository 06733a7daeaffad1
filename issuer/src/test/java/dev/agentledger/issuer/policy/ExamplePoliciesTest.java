package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.Verdict;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.SpiffeId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The example policies shipped in {@code policies/}, each run against allowed, denied and needs-approval requests. */
class ExamplePoliciesTest extends GateOnLogTest {
    private static final Instant MONDAY_10 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant MONDAY_20 = Instant.parse("2026-11-23T20:00:00Z");
    private static final Instant SATURDAY_10 = Instant.parse("2026-11-28T10:00:00Z");

    static Stream<Arguments> cases() {
        return Stream.of(
                // Read-only research agent.
                Arguments.of("research-agent", "research-bot", "docs:read", "tool:wiki", Map.of(), MONDAY_10, Outcome.ALLOW, List.of("research-read-only")),
                Arguments.of("research-agent", "research-bot", "web:search", "tool:search", Map.of(), MONDAY_20, Outcome.ALLOW, List.of("research-read-only")),
                Arguments.of("research-agent", "research-bot", "db:write", "db:notes", Map.of("rows", "1"), MONDAY_10, Outcome.DENY, List.of()),
                Arguments.of("research-agent", "research-bot", "deploy", "cluster:staging", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                Arguments.of("research-agent", "other-bot", "docs:read", "tool:wiki", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                // Deploy agent.
                Arguments.of("deploy-agent", "deploy-bot", "deploy", "cluster:staging", Map.of(), SATURDAY_10, Outcome.ALLOW, List.of("deploy-staging")),
                Arguments.of("deploy-agent", "deploy-bot", "deploy", "cluster:prod", Map.of(), MONDAY_10, Outcome.NEEDS_APPROVAL,
                        List.of("deploy-prod-with-approval")),
                Arguments.of("deploy-agent", "deploy-bot", "deploy", "cluster:other", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                Arguments.of("deploy-agent", "research-bot", "deploy", "cluster:staging", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                Arguments.of("deploy-agent", "deploy-bot", "db:delete", "db:orders", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                // Data pipeline.
                Arguments.of("data-pipeline", "etl-pipeline", "db:read", "db:orders", Map.of(), MONDAY_20, Outcome.ALLOW, List.of("pipeline-read")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of("rows", "1000"), MONDAY_10, Outcome.ALLOW,
                        List.of("pipeline-small-writes")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of("rows", "1001"), MONDAY_10, Outcome.NEEDS_APPROVAL,
                        List.of("pipeline-large-writes")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of("rows", "10"), MONDAY_20, Outcome.DENY,
                        List.of("pipeline-business-hours")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of("rows", "10"), SATURDAY_10, Outcome.DENY,
                        List.of("pipeline-business-hours")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of("rows", "5000"), MONDAY_20, Outcome.DENY,
                        List.of("pipeline-business-hours")),
                Arguments.of("data-pipeline", "etl-pipeline", "db:write", "db:orders", Map.of(), MONDAY_10, Outcome.DENY, List.of()),
                Arguments.of("data-pipeline", "etl-pipeline", "db:delete", "db:orders", Map.of(), MONDAY_10, Outcome.NEEDS_APPROVAL,
                        List.of("pipeline-deletes")),
                Arguments.of("data-pipeline", "etl-pipeline", "payments:pay", "bank:acme", Map.of("amount", "120"), MONDAY_20,
                        Outcome.NEEDS_APPROVAL, List.of("pipeline-payments")),
                Arguments.of("data-pipeline", "research-bot", "db:read", "db:orders", Map.of(), MONDAY_10, Outcome.DENY, List.of()));
    }

    @ParameterizedTest(name = "{0}: {1} {2} {3} {4} at {5}: {6}")
    @MethodSource("cases")
    void examplesDecideAsDocumented(String file, String agent, String action, String resource, Map<String, String> context,
            Instant at, Outcome outcome, List<String> reasons) throws Exception {
        clock.set(at);
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, file, example(file), GateLog.OPERATOR);
        Verdict verdict = gate.decide(Requests.of(agent, action, resource, context));
        assertEquals(outcome, verdict.outcome(), verdict::toString);
        assertEquals(reasons, verdict.reasons());
    }

    @Test
    void aDeployToProductionWithoutAnActingUserIsDenied() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "deploy", example("deploy-agent"), GateLog.OPERATOR);
        SpiffeId bot = Requests.agent("deploy-bot");
        ActionRequest alone = new ActionRequest(bot, List.of(bot), Optional.empty(), List.of(), "deploy", "cluster:prod", Map.of(),
                Optional.empty());
        assertEquals(Outcome.DENY, gate.decide(alone).outcome());
    }

    @Test
    void paymentsNameTheirApprovers() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "pipeline", example("data-pipeline"), GateLog.OPERATOR);
        String id = gate.decide(Requests.of("etl-pipeline", "payments:pay", "bank:acme", Map.of())).approvalId().orElseThrow();
        assertEquals(List.of(SpiffeId.of("agents.example", "user/finance-lead"), SpiffeId.of("agents.example", "user/cfo")),
                gate.approvals().find(id).orElseThrow().approvers());
        assertEquals("payments need finance's approval", gate.approvals().find(id).orElseThrow().reason());
    }

    @Test
    void theExamplesCombineIntoOneSet() throws Exception {
        String all = example("research-agent") + example("deploy-agent") + example("data-pipeline");
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "all", all, GateLog.OPERATOR);
        assertEquals(Outcome.ALLOW, gate.decide(Requests.of("research-bot", "docs:read", "tool:wiki", Map.of())).outcome());
        assertEquals(Outcome.NEEDS_APPROVAL, gate.decide(Requests.of("deploy-bot", "deploy", "cluster:prod", Map.of())).outcome());
        assertEquals(Outcome.NEEDS_APPROVAL, gate.decide(Requests.of("etl-pipeline", "db:delete", "db:orders", Map.of())).outcome());
    }

    static String example(String name) throws IOException {
        try (InputStream in = ExamplePoliciesTest.class.getResourceAsStream("/policies/" + name + ".cedar")) {
            assertNotNull(in, "policies/" + name + ".cedar is on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
