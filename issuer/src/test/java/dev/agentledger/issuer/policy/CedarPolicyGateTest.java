package dev.agentledger.issuer.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentledger.issuer.ActionRequest;
import dev.agentledger.issuer.IssuanceException;
import dev.agentledger.issuer.Verdict;
import dev.agentledger.issuer.Verdict.Outcome;
import dev.agentledger.proto.v1.ApprovalRequested;
import dev.agentledger.proto.v1.Decision;
import dev.agentledger.proto.v1.LogEntry;
import dev.agentledger.proto.v1.PolicyDecision;
import dev.agentledger.proto.v1.PolicyLanguage;
import dev.agentledger.proto.v1.PolicyPublished;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CedarPolicyGateTest extends GateOnLogTest {
    static final String POLICY = """
            @id("reads") permit(principal, action == Action::"db:read", resource);
            @id("writes") @approval("required") @approvers("spiffe://agents.example/user/bob") @reason("writes need bob")
            permit(principal, action == Action::"db:write", resource);
            @id("no-prod") forbid(principal, action, resource == Resource::"db:prod");
            """;

    @Test
    void thePolicyIsPublishedBeforeAnyDecision() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        assertEquals(1, log.size());
        LogEntry entry = log.entry(0);
        assertEquals(GateLog.AUTHORITY.value(), entry.getHeader().getCallerSpiffeId());
        assertEquals(START.toEpochMilli(), entry.getHeader().getTimeUnixMillis());
        PolicyPublished published = entry.getPolicyPublished();
        assertEquals("main", published.getPolicyId());
        assertEquals(1, published.getVersion());
        assertEquals(0, published.getPreviousVersion());
        assertEquals(POLICY, published.getPolicyText());
        assertEquals(PolicyLanguage.POLICY_LANGUAGE_CEDAR, published.getLanguage());
        assertEquals(GateLog.OPERATOR.value(), published.getPublishedBy());
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(POLICY.getBytes(StandardCharsets.UTF_8));
        assertEquals(java.util.HexFormat.of().formatHex(sha256), java.util.HexFormat.of().formatHex(published.getPolicySha256().toByteArray()));
        assertEquals(new PolicyVersion("main", 1, gate.policy().sha256()), gate.policy());

        Verdict verdict = gate.decide(Requests.of("bot", "db:read", "db:staging", Map.of()));
        assertEquals(1, verdict.decisionIndex());
    }

    static Stream<Arguments> outcomes() {
        return Stream.of(
                Arguments.of("db:read", "db:staging", Outcome.ALLOW, List.of("reads")),
                Arguments.of("db:read", "db:prod", Outcome.DENY, List.of("no-prod")),
                Arguments.of("db:delete", "db:staging", Outcome.DENY, List.of()),
                Arguments.of("db:write", "db:staging", Outcome.NEEDS_APPROVAL, List.of("writes")),
                Arguments.of("db:write", "db:prod", Outcome.DENY, List.of("no-prod")));
    }

    @ParameterizedTest(name = "{0} on {1}: {2}")
    @MethodSource("outcomes")
    void everyOutcomeIsLoggedBeforeItIsReturned(String action, String resource, Outcome outcome, List<String> reasons) throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        clock.advance(Duration.ofSeconds(7));
        ActionRequest request = Requests.of("bot", action, resource, Map.of("task", "T-1", "rows", "12"));
        Verdict verdict = gate.decide(request);
        assertEquals(outcome, verdict.outcome());
        assertEquals(reasons, verdict.reasons());
        assertEquals(log.size() - 1, verdict.decisionIndex(), "the decision is the last entry, in the checkpoint returned");

        LogEntry entry = log.entry(verdict.decisionIndex());
        assertEquals(START.plusSeconds(7).toEpochMilli(), entry.getHeader().getTimeUnixMillis());
        PolicyDecision decision = entry.getPolicyDecision();
        assertEquals("main", decision.getPolicyId());
        assertEquals(1, decision.getPolicyVersion());
        assertEquals(gate.policy().sha256().toHex(), java.util.HexFormat.of().formatHex(decision.getPolicySha256().toByteArray()));
        assertEquals(PolicyEntries.request(request), decision.getRequest());
        assertEquals(request.principal().value(), decision.getRequest().getPrincipalSpiffeId());
        assertEquals(Requests.ALICE.value(), decision.getRequest().getActingUser().getSubject());
        assertEquals("spiffe://agents.example", decision.getRequest().getActingUser().getIssuer());
        assertEquals(Map.of("task", "T-1", "rows", "12"), decision.getRequest().getContextMap());
        assertEquals(List.of("del-1"), decision.getRequest().getDelegationIdsList());
        assertEquals(PolicyEntries.decision(outcome), decision.getDecision());
        assertEquals(reasons, decision.getReasonsList());
        assertEquals(verdict.approvalId().orElse(""), decision.getApprovalId());

        if (outcome == Outcome.NEEDS_APPROVAL) {
            ApprovalRequested requested = log.entry(verdict.decisionIndex() - 1).getApprovalRequested();
            assertEquals(verdict.approvalId().orElseThrow(), requested.getApprovalId());
            assertEquals(decision.getRequest(), requested.getRequest());
            assertEquals("main", requested.getPolicyId());
            assertEquals(1, requested.getPolicyVersion());
            assertEquals(List.of("spiffe://agents.example/user/bob"), requested.getApproversList());
            assertEquals(START.plusSeconds(7).plus(PolicyConfig.DEFAULT_APPROVAL_LIFETIME).toEpochMilli(), requested.getExpiresUnixMillis());
            assertEquals("writes need bob", requested.getReason());
        } else {
            assertEquals(2, log.size(), "only the publication and the decision are logged");
        }
    }

    @Test
    void aMalformedPolicyIsRefusedAndNothingIsLogged() throws Exception {
        PolicyException refused = assertThrows(PolicyException.class,
                () -> CedarPolicyGate.open(log.ledger, log.config, "main", "permit(principal, action", GateLog.OPERATOR));
        assertTrue(refused.getMessage().startsWith("policy set \"main\" refused: does not parse as Cedar: "), refused.getMessage());
        assertEquals(0, log.size());

        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        assertThrows(PolicyException.class, () -> gate.replace("@approval(\"yes\") permit(principal, action, resource);", GateLog.OPERATOR));
        assertEquals(1, log.size());
        assertEquals(1, gate.policy().version());
        assertEquals(Outcome.ALLOW, gate.decide(Requests.of("bot", "db:read", "db:x", Map.of())).outcome());
    }

    @Test
    void replacingPublishesTheNextVersionBeforeItIsUsed() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        String next = "@id(\"nothing\") forbid(principal, action, resource);";
        PolicyVersion version = gate.replace(next, GateLog.OPERATOR);
        assertEquals(2, version.version());
        PolicyPublished published = log.entry(1).getPolicyPublished();
        assertEquals(2, published.getVersion());
        assertEquals(1, published.getPreviousVersion());
        assertEquals(next, published.getPolicyText());

        Verdict verdict = gate.decide(Requests.of("bot", "db:read", "db:x", Map.of()));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertEquals(List.of("nothing"), verdict.reasons());
        assertEquals(2, log.entry(verdict.decisionIndex()).getPolicyDecision().getPolicyVersion());
    }

    @Test
    void reopeningContinuesTheVersionsAndDoesNotRepublishTheSameText() throws Exception {
        CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR).replace(POLICY + "\n// v2", GateLog.OPERATOR);
        restart();
        CedarPolicyGate same = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY + "\n// v2", GateLog.OPERATOR);
        assertEquals(2, log.size(), "the same text is not published again");
        assertEquals(new PolicyVersion("main", 2, same.policy().sha256()), same.policy());
        restart();
        CedarPolicyGate changed = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        assertEquals(3, changed.policy().version());
        assertEquals(2, log.entry(2).getPolicyPublished().getPreviousVersion());
        CedarPolicyGate other = CedarPolicyGate.open(log.ledger, log.config, "other", POLICY, GateLog.OPERATOR);
        assertEquals(1, other.policy().version(), "each policy set counts its own versions");
    }

    @Test
    void theVersionIsFoundFromRecentDecisionsLongAfterItsPublication() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        gate.replace(POLICY + "// v2", GateLog.OPERATOR);
        clock.advance(Duration.ofDays(30));
        gate.decide(Requests.of("bot", "db:read", "db:x", Map.of()));
        clock.advance(Duration.ofDays(30));
        gate.decide(Requests.of("bot", "db:read", "db:x", Map.of()));
        long size = log.size();
        restart();
        CedarPolicyGate reopened = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY + "// v2", GateLog.OPERATOR);
        assertEquals(2, reopened.policy().version());
        assertEquals(size, log.size());
        restart();
        clock.advance(Duration.ofDays(30));
        assertEquals(3, CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR).policy().version());
    }

    @Test
    void anOversizedRequestIsDeniedAndLoggedWithoutItsContext() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        Map<String, String> context = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            context.put("key" + i, "v".repeat(200));
        }
        Verdict verdict = gate.decide(Requests.of("bot", "db:read", "db:x", context));
        assertEquals(Outcome.DENY, verdict.outcome());
        assertTrue(verdict.reasons().get(0).contains("want at most " + CedarPolicyGate.MAX_REQUEST_BYTES), verdict::toString);
        PolicyDecision logged = log.entry(verdict.decisionIndex()).getPolicyDecision();
        assertEquals(Decision.DECISION_DENY, logged.getDecision());
        assertTrue(logged.getRequest().getContextMap().isEmpty());
        assertEquals("db:read", logged.getRequest().getAction());
    }

    @Test
    void aDecisionThatCannotBeLoggedIsNotReturned() throws Exception {
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        log.close();
        IssuanceException failed = assertThrows(IssuanceException.class,
                () -> gate.decide(Requests.of("bot", "db:read", "db:x", Map.of())));
        assertEquals(IssuanceException.Reason.NOT_LOGGED, failed.reason());
    }

    @Test
    void decisionsDuringAReplacementEachUseOneVersion() throws Exception {
        String allowAll = "@id(\"yes\") permit(principal, action, resource);";
        String denyAll = "@id(\"no\") forbid(principal, action, resource);";
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", allowAll, GateLog.OPERATOR);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Verdict>> verdicts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                verdicts.add(pool.submit(() -> gate.decide(Requests.of("bot", "db:read", "db:x", Map.of()))));
                if (i % 10 == 5) {
                    gate.replace(i % 20 == 5 ? denyAll : allowAll, GateLog.OPERATOR);
                }
            }
            Map<Long, String> textByVersion = new HashMap<>();
            for (LogEntry entry : log.entries()) {
                if (entry.hasPolicyPublished()) {
                    textByVersion.put(entry.getPolicyPublished().getVersion(), entry.getPolicyPublished().getPolicyText());
                }
            }
            for (Future<Verdict> future : verdicts) {
                Verdict verdict = future.get();
                PolicyDecision decision = log.entry(verdict.decisionIndex()).getPolicyDecision();
                String text = textByVersion.get(decision.getPolicyVersion());
                Outcome expected = text.equals(allowAll) ? Outcome.ALLOW : Outcome.DENY;
                assertEquals(expected, verdict.outcome(), "decision " + verdict.decisionIndex() + " by version " + decision.getPolicyVersion());
                assertEquals(List.of(expected == Outcome.ALLOW ? "yes" : "no"), decision.getReasonsList());
                assertTrue(publishedIndex(decision.getPolicyVersion()) < verdict.decisionIndex(), "published before used");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void entriesOfOtherAuthoritiesAreIgnoredOnOpening() throws Exception {
        CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        PolicyConfig impostor = new PolicyConfig(dev.agentledger.proto.SpiffeId.of("agents.example", "agent/evil/x"), clock,
                new java.security.SecureRandom(), PolicyConfig.DEFAULT_APPROVAL_LIFETIME, CedarPolicy.DEFAULT_NUMERIC_KEYS);
        CedarPolicyGate.open(log.ledger, impostor, "main", "forbid(principal, action, resource);", GateLog.OPERATOR);
        CedarPolicyGate gate = CedarPolicyGate.open(log.ledger, log.config, "main", POLICY, GateLog.OPERATOR);
        assertEquals(1, gate.policy().version());
        assertEquals(2, log.size(), "the impostor's publication does not count");
        assertEquals(Outcome.ALLOW, gate.decide(Requests.of("bot", "db:read", "db:x", Map.of())).outcome());
    }

    private long publishedIndex(long version) throws Exception {
        for (long i = 0; i < log.size(); i++) {
            LogEntry entry = log.entry(i);
            if (entry.hasPolicyPublished() && entry.getPolicyPublished().getVersion() == version) {
                return i;
            }
        }
        throw new AssertionError("version " + version + " was never published");
    }
}
